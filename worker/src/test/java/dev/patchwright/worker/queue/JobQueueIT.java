package dev.patchwright.worker.queue;

import dev.patchwright.worker.db.LeaseLostException;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobQueueIT {

    private static final Duration LEASE = Duration.ofMinutes(5);

    private DataSource dataSource;
    private JobQueue queue;
    private JobHistory history;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        queue = new JobQueue(dataSource);
        history = new JobHistory(dataSource);
    }

    static NewJob solve(String repository, int issue, long installation, String deliveryId) {
        return new NewJob("solve", repository, installation, issue, deliveryId, "{\"issue\": " + issue + "}", 3);
    }

    @Test
    void enqueueRefusesASecondActiveJobForTheSameIssueAndKindAndARepeatedDelivery() {
        long first = queue.enqueue(solve("octo/repo", 7, 1, "d-1")).orElseThrow();

        assertThat(queue.enqueue(solve("octo/repo", 7, 1, "d-2"))).isEmpty();
        assertThat(queue.enqueue(solve("octo/repo", 8, 1, "d-1"))).as("same delivery").isEmpty();
        NewJob revise = new NewJob("revise", "octo/repo", 1L, 7, "d-3", "{}", 3);
        assertThat(queue.enqueue(revise)).as("other kind").isPresent();
        assertThat(queue.enqueue(solve("octo/other", 7, 1, "d-4"))).as("other repository").isPresent();
        assertThat(queue.recent(10)).hasSize(3);

        ClaimedJob claimed = queue.claim("w1", LEASE).orElseThrow();
        assertThat(claimed.id()).isEqualTo(first);
        assertThat(queue.enqueue(solve("octo/repo", 7, 1, "d-5"))).as("while running").isEmpty();

        queue.succeed(first, "w1", "opened a pull request", "https://github.com/octo/repo/pull/9");
        assertThat(queue.enqueue(solve("octo/repo", 7, 1, "d-6"))).as("after it finished").isPresent();
        assertThat(queue.enqueue(solve("octo/repo", 7, 1, "d-1"))).as("delivery d-1 made a job once").isEmpty();
    }

    @Test
    void enqueueRecordsTheRepositoryAndAnEvent() throws SQLException {
        long id = queue.enqueue(solve("octo/repo", 7, 99, null)).orElseThrow();

        assertThat(history.events(id)).extracting(JobEvent::line).containsExactly("queued: queued solve for octo/repo#7");
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("select installation_id, last_job_at from repositories where full_name = 'octo/repo'")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getLong(1)).isEqualTo(99);
            assertThat(rows.getObject(2)).isNotNull();
        }
        assertThatThrownBy(() -> queue.enqueue(new NewJob("solve", "o/r", null, 1, null, "not json", 3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> new NewJob("deploy", "o/r", null, 1, null, "{}", 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deploy");
    }

    @Test
    void claimTakesTheOldestJobAndHoldsItUnderALease() {
        long older = queue.enqueue(solve("a/one", 1, 1, null)).orElseThrow();
        queue.enqueue(solve("a/two", 2, 1, null)).orElseThrow();

        ClaimedJob job = queue.claim("w1", LEASE).orElseThrow();

        assertThat(job).usingRecursiveComparison().ignoringFields("startedAt")
                .isEqualTo(new ClaimedJob(older, "solve", "a/one", 1L, 1, "{\"issue\": 1}", 1, 3, null));
        assertThat(Duration.between(job.startedAt(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
        JobView view = queue.find(older).orElseThrow();
        assertThat(view.status()).isEqualTo("running");
        assertThat(view.leaseOwner()).isEqualTo("w1");
        assertThat(Duration.between(Instant.now(), view.leaseExpiresAt())).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(6));
        assertThat(history.events(older)).extracting(JobEvent::kind).containsExactly("queued", "claimed");
    }

    @Test
    void aRepositoryRunsOneJobAtATime() {
        long first = queue.enqueue(solve("octo/repo", 1, 1, null)).orElseThrow();
        long second = queue.enqueue(solve("octo/repo", 2, 1, null)).orElseThrow();

        assertThat(queue.claim("w1", LEASE).orElseThrow().id()).isEqualTo(first);
        assertThat(queue.claim("w2", LEASE)).isEmpty();

        queue.fail(first, "w1", "the tests do not build");
        assertThat(queue.claim("w2", LEASE).orElseThrow().id()).isEqualTo(second);
    }

    @Test
    void claimsTakeTurnsAcrossInstallations() {
        long a1 = queue.enqueue(solve("a/one", 1, 100, null)).orElseThrow();
        long a2 = queue.enqueue(solve("a/two", 1, 100, null)).orElseThrow();
        long a3 = queue.enqueue(solve("a/three", 1, 100, null)).orElseThrow();
        long b1 = queue.enqueue(solve("b/one", 1, 200, null)).orElseThrow();

        List<Long> order = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            order.add(queue.claim("w" + i, LEASE).orElseThrow().id());
        }

        assertThat(order).containsExactly(a1, b1, a2, a3);
    }

    @Test
    void renewExtendsTheLeaseOnlyForItsHolder() {
        long id = queue.enqueue(solve("o/r", 1, 1, null)).orElseThrow();
        queue.claim("w1", Duration.ofSeconds(10)).orElseThrow();
        Instant before = queue.find(id).orElseThrow().leaseExpiresAt();

        assertThat(queue.renew(id, "w1", Duration.ofMinutes(10))).isTrue();
        assertThat(queue.renew(id, "w2", Duration.ofMinutes(10))).isFalse();

        Instant after = queue.find(id).orElseThrow().leaseExpiresAt();
        assertThat(Duration.between(before, after)).isGreaterThan(Duration.ofMinutes(9));
        queue.succeed(id, "w1", "done", null);
        assertThat(queue.renew(id, "w1", Duration.ofMinutes(10))).isFalse();
    }

    @Test
    void succeedAndFailRecordWhatHappenedAndRefuseAWorkerThatDoesNotHoldTheJob() {
        long ok = queue.enqueue(solve("o/ok", 1, 1, null)).orElseThrow();
        long bad = queue.enqueue(solve("o/bad", 1, 1, null)).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();

        assertThatThrownBy(() -> queue.succeed(ok, "w2", "stolen", null))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("job " + ok).hasMessageContaining("w2");
        queue.succeed(ok, "w1", "opened pull request #12", "https://github.com/o/ok/pull/12");
        queue.fail(bad, "w1", "no candidate passed the tests within the budget");

        JobView succeeded = queue.find(ok).orElseThrow();
        assertThat(succeeded.status()).isEqualTo("succeeded");
        assertThat(succeeded.outcome()).isEqualTo("opened pull request #12");
        assertThat(succeeded.resultUrl()).isEqualTo("https://github.com/o/ok/pull/12");
        assertThat(succeeded.finishedAt()).isNotNull();
        JobView failed = queue.find(bad).orElseThrow();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.reason()).isEqualTo("no candidate passed the tests within the budget");
        assertThat(history.events(bad)).extracting(JobEvent::line).last()
                .isEqualTo("failed: no candidate passed the tests within the budget (w1)");
        assertThatThrownBy(() -> queue.fail(ok, "w1", "again")).isInstanceOf(LeaseLostException.class);
    }

    @Test
    void retryLaterIsHonouredByClaimAndFailsOnceAttemptsAreUsedUp() throws InterruptedException {
        long id = queue.enqueue(new NewJob("solve", "o/r", 1L, 1, null, "{}", 2)).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();

        queue.retryLater(id, "w1", Duration.ofSeconds(2), "model endpoint answered 503");

        JobView waiting = queue.find(id).orElseThrow();
        assertThat(waiting.status()).isEqualTo("queued");
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(queue.claim("w2", LEASE)).as("claimed before its backoff ran out").isEmpty();
        Thread.sleep(2_100);
        ClaimedJob again = queue.claim("w2", LEASE).orElseThrow();
        assertThat(again.attempt()).isEqualTo(2);

        queue.retryLater(id, "w2", Duration.ZERO, "model endpoint answered 503 again");

        JobView failed = queue.find(id).orElseThrow();
        assertThat(failed.status()).isEqualTo("failed");
        assertThat(failed.reason()).isEqualTo("model endpoint answered 503 again");
        assertThat(queue.claim("w3", LEASE)).isEmpty();
        assertThat(history.events(id)).extracting(JobEvent::kind)
                .containsExactly("queued", "claimed", "retry", "claimed", "failed");
    }

    @Test
    void cancelEndsQueuedJobsAndMarksRunningOnes() {
        long running = queue.enqueue(solve("o/r", 5, 1, null)).orElseThrow();
        queue.claim("w1", LEASE).orElseThrow();
        long queued = queue.enqueue(new NewJob("revise", "o/r", 1L, 5, null, "{}", 3)).orElseThrow();
        long otherIssue = queue.enqueue(solve("o/r", 6, 1, null)).orElseThrow();

        assertThat(queue.cancel("o/r", 5, "issue closed")).isEqualTo(2);

        JobView cancelled = queue.find(queued).orElseThrow();
        assertThat(cancelled.status()).isEqualTo("cancelled");
        assertThat(cancelled.reason()).isEqualTo("issue closed");
        assertThat(queue.isCancelled(queued)).isTrue();
        assertThat(queue.find(running).orElseThrow().status()).isEqualTo("running");
        assertThat(queue.isCancelled(running)).isTrue();
        assertThat(queue.isCancelled(otherIssue)).isFalse();
        assertThat(queue.isCancelled(123_456)).as("a job that no longer exists").isTrue();
        assertThat(queue.cancel("o/r", 5, "again")).isZero();

        queue.finishCancelled(running, "w1");
        assertThat(queue.find(running).orElseThrow().status()).isEqualTo("cancelled");
        assertThat(history.events(running)).extracting(JobEvent::line)
                .contains("cancel-requested: issue closed", "cancelled: by w1");
        assertThat(queue.claim("w2", LEASE).orElseThrow().id()).isEqualTo(otherIssue);
    }

    @Test
    void recentListsNewestFirst() {
        long first = queue.enqueue(solve("o/a", 1, 1, null)).orElseThrow();
        long second = queue.enqueue(solve("o/b", 1, 1, null)).orElseThrow();

        assertThat(queue.recent(10)).extracting(JobView::id).containsExactly(second, first);
        assertThat(queue.recent(1)).extracting(JobView::id).containsExactly(second);
        assertThat(queue.find(999)).isEmpty();
    }
}
