package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.LeaseLostException;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobLeaseReaperIT {

    private static final Duration SHORT_LEASE = Duration.ofMillis(50);

    private DataSource dataSource;
    private JobHistory history;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        history = new JobHistory(dataSource);
    }

    @Test
    void anExpiredLeaseIsRequeuedWithBackoffAndTheOldHolderIsLockedOut() throws InterruptedException {
        JobQueue queue = new JobQueue(dataSource);
        long id = queue.enqueue(JobQueueIT.solve("o/r", 1, 1, null)).orElseThrow();
        queue.claim("w1", SHORT_LEASE).orElseThrow();
        long live = queue.enqueue(JobQueueIT.solve("o/live", 1, 1, null)).orElseThrow();
        queue.claim("w2", Duration.ofMinutes(5)).orElseThrow();
        Thread.sleep(150);

        assertThat(queue.reapExpiredLeases()).isEqualTo(1);

        JobView requeued = queue.find(id).orElseThrow();
        assertThat(requeued.status()).isEqualTo("queued");
        assertThat(requeued.leaseOwner()).isNull();
        assertThat(requeued.attempts()).isEqualTo(1);
        // Default backoff: 30 s for a job that had one attempt.
        assertThat(Duration.between(Instant.now(), requeued.runAfter())).isBetween(Duration.ofSeconds(20), Duration.ofSeconds(31));
        assertThat(queue.find(live).orElseThrow().status()).isEqualTo("running");
        assertThat(queue.claim("w3", Duration.ofMinutes(5))).as("still backing off").isEmpty();
        assertThat(queue.renew(id, "w1", Duration.ofMinutes(5))).isFalse();
        assertThatThrownBy(() -> queue.succeed(id, "w1", "too late", null)).isInstanceOf(LeaseLostException.class);
        assertThat(history.events(id)).extracting(JobEvent::line).last().asString()
                .startsWith("lease-expired: the lease of worker w1 expired on attempt 1 of 3; queued again to run after");
        assertThat(queue.reapExpiredLeases()).isZero();
    }

    @Test
    void aJobWhoseLeasesKeepExpiringFailsWithTheReasonOnceAttemptsAreUsedUp() throws InterruptedException {
        JobQueue queue = new JobQueue(dataSource, Duration.ofMillis(1), Duration.ofMillis(5));
        long id = queue.enqueue(new NewJob("solve", "o/r", 1L, 1, null, "{}", 2)).orElseThrow();

        queue.claim("w1", SHORT_LEASE).orElseThrow();
        Thread.sleep(100);
        assertThat(queue.reapExpiredLeases()).isEqualTo(1);
        assertThat(queue.find(id).orElseThrow().status()).isEqualTo("queued");
        Thread.sleep(20);
        assertThat(queue.claim("w2", SHORT_LEASE).orElseThrow().attempt()).isEqualTo(2);
        Thread.sleep(100);
        assertThat(queue.reapExpiredLeases()).isEqualTo(1);

        JobView failed = queue.find(id).orElseThrow();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.reason()).isEqualTo("the lease of worker w2 expired on attempt 2 of 2; no attempts left");
        assertThat(failed.finishedAt()).isNotNull();
        assertThat(queue.claim("w3", SHORT_LEASE)).isEmpty();
        assertThat(history.events(id)).extracting(JobEvent::kind)
                .containsExactly("queued", "claimed", "lease-expired", "claimed", "lease-expired");
    }

    @Test
    void anExpiredLeaseOnACancelledJobEndsItAsCancelled() throws InterruptedException {
        JobQueue queue = new JobQueue(dataSource);
        long id = queue.enqueue(JobQueueIT.solve("o/r", 3, 1, null)).orElseThrow();
        queue.claim("w1", SHORT_LEASE).orElseThrow();
        queue.cancel("o/r", 3, "label removed");
        Thread.sleep(150);

        assertThat(queue.reapExpiredLeases()).isEqualTo(1);

        JobView cancelled = queue.find(id).orElseThrow();
        assertThat(cancelled.status()).isEqualTo("cancelled");
        assertThat(cancelled.reason()).isEqualTo("label removed");
    }
}
