package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryInboxIT {

    private static final String PAYLOAD = "{\"action\": \"labeled\", \"issue\": {\"number\": 7}}";

    private DataSource dataSource;
    private DeliveryInbox inbox;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        inbox = new DeliveryInbox(dataSource);
    }

    @Test
    void recordsADeliveryOnceAndIgnoresItsRedelivery() {
        assertThat(inbox.record("d-1", "issues", "labeled", 42L, "octo/repo", PAYLOAD)).isTrue();
        assertThat(inbox.record("d-1", "issues", "unlabeled", 43L, "other/repo", "{\"changed\": true}")).isFalse();

        assertThat(inbox.count()).isEqualTo(1);
        StoredDelivery stored = inbox.find("d-1").orElseThrow();
        assertThat(stored).isEqualTo(new StoredDelivery("d-1", "issues", "labeled", 42L, "octo/repo",
                "{\"issue\": {\"number\": 7}, \"action\": \"labeled\"}", "received", 0, null));
    }

    @Test
    void refusesAPayloadThatIsNotJsonAndStoresNothing() {
        assertThatThrownBy(() -> inbox.record("d-bad", "issues", null, null, null, "{not json"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("d-bad")
                .hasMessageContaining("not valid JSON");
        assertThat(inbox.count()).isZero();
    }

    @Test
    void onlyOneClaimWinsAndHandledEndsTheDelivery() {
        inbox.record("d-2", "issues", "labeled", 42L, "octo/repo", PAYLOAD);

        StoredDelivery claimed = inbox.claim("d-2").orElseThrow();
        assertThat(claimed.status()).isEqualTo("processing");
        assertThat(claimed.attempts()).isEqualTo(1);
        assertThat(inbox.claim("d-2")).isEmpty();
        assertThat(inbox.claim("no-such-delivery")).isEmpty();

        inbox.handled("d-2", "job 1 queued");

        StoredDelivery handled = inbox.find("d-2").orElseThrow();
        assertThat(handled.status()).isEqualTo("handled");
        assertThat(handled.outcome()).isEqualTo("job 1 queued");
        assertThat(inbox.claim("d-2")).isEmpty();
        assertThat(inbox.due(Duration.ZERO, 10)).isEmpty();
        assertThatThrownBy(() -> inbox.failed("d-2", "late"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already ended as handled");
        assertThatThrownBy(() -> inbox.handled("d-404", "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d-404");
    }

    @Test
    void ignoredAndFailedAreRecordedWithTheirReasons() {
        inbox.record("d-3", "ping", null, null, null, "{}");
        inbox.record("d-4", "issues", "labeled", 1L, "o/r", "{}");

        inbox.ignored("d-3", "ping needs no work");
        inbox.claim("d-4").orElseThrow();
        inbox.failed("d-4", "payload has no issue");

        assertThat(inbox.find("d-3").orElseThrow()).extracting(StoredDelivery::status, StoredDelivery::outcome)
                .containsExactly("ignored", "ping needs no work");
        assertThat(inbox.find("d-4").orElseThrow()).extracting(StoredDelivery::status, StoredDelivery::outcome)
                .containsExactly("failed", "payload has no issue");
    }

    @Test
    void retryLaterWaitsForItsDelayThenFailsAfterFiveAttempts() throws InterruptedException {
        inbox.record("d-5", "issues", "labeled", 1L, "o/r", "{}");
        inbox.claim("d-5").orElseThrow();

        inbox.retryLater("d-5", Duration.ofHours(1), "GitHub answered 502");

        assertThat(inbox.find("d-5").orElseThrow()).extracting(StoredDelivery::status, StoredDelivery::outcome)
                .containsExactly("received", "GitHub answered 502");
        assertThat(inbox.due(Duration.ofHours(1), 10)).isEmpty();
        assertThat(inbox.claim("d-5")).isEmpty();

        inbox.retryLater("d-5", Duration.ofMillis(50), "GitHub answered 502 again");
        Thread.sleep(120);
        assertThat(inbox.due(Duration.ofHours(1), 10)).containsExactly("d-5");

        for (int attempt = 2; attempt <= DeliveryInbox.MAX_ATTEMPTS; attempt++) {
            StoredDelivery claimed = inbox.claim("d-5").orElseThrow();
            assertThat(claimed.attempts()).isEqualTo(attempt);
            inbox.retryLater("d-5", Duration.ZERO, "attempt " + attempt + " failed");
        }

        StoredDelivery last = inbox.find("d-5").orElseThrow();
        assertThat(last.status()).isEqualTo("failed");
        assertThat(last.attempts()).isEqualTo(DeliveryInbox.MAX_ATTEMPTS);
        assertThat(last.outcome()).isEqualTo("attempt 5 failed");
        assertThat(inbox.claim("d-5")).isEmpty();
        assertThat(inbox.due(Duration.ZERO, 10)).isEmpty();
    }

    @Test
    void dueListsReceivedAndStaleProcessingDeliveriesButNotFreshClaims() throws SQLException {
        inbox.record("d-received", "issues", "labeled", 1L, "o/r", "{}");
        inbox.record("d-fresh", "issues", "labeled", 1L, "o/r", "{}");
        inbox.record("d-crashed", "issues", "labeled", 1L, "o/r", "{}");
        inbox.claim("d-fresh").orElseThrow();
        inbox.claim("d-crashed").orElseThrow();
        claimedAgo("d-crashed", Duration.ofMinutes(10));

        assertThat(inbox.due(Duration.ofMinutes(5), 10)).containsExactlyInAnyOrder("d-received", "d-crashed");
        assertThat(inbox.due(Duration.ofMinutes(5), 1)).hasSize(1);

        // A plain claim takes received deliveries only; taking over a stale one says how stale.
        assertThat(inbox.claim("d-crashed")).isEmpty();
        assertThat(inbox.claim("d-fresh", Duration.ofMinutes(5))).isEmpty();
        StoredDelivery takenOver = inbox.claim("d-crashed", Duration.ofMinutes(5)).orElseThrow();
        assertThat(takenOver.attempts()).isEqualTo(2);
        assertThat(inbox.claim("d-crashed", Duration.ofMinutes(5))).isEmpty();
        assertThat(inbox.due(Duration.ofMinutes(5), 10)).containsExactly("d-received");
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> inbox.record(" ", "issues", null, null, null, "{}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deliveryId");
        assertThatThrownBy(() -> inbox.due(Duration.ofSeconds(-1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("staleProcessing");
        assertThatThrownBy(() -> inbox.due(Duration.ZERO, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("limit");
    }

    /** Moves a delivery's claim into the past, as if its handler's node had died back then. */
    private void claimedAgo(String deliveryId, Duration ago) throws SQLException {
        try (Connection connection = dataSource.getConnection(); PreparedStatement update = connection.prepareStatement(
                "update webhook_deliveries set claimed_at = now() - ? * interval '1 second' where delivery_id = ?")) {
            update.setLong(1, ago.toSeconds());
            update.setString(2, deliveryId);
            assertThat(update.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aReplayedFailedDeliveryIsDueAgainWithAllItsAttemptsAndOnlyAFailedOneReplays() {
        inbox.record("d-r", "issues", "labeled", 1L, "o/r", PAYLOAD);
        for (int i = 0; i < DeliveryInbox.MAX_ATTEMPTS; i++) {
            inbox.claim("d-r").orElseThrow();
            inbox.retryLater("d-r", Duration.ZERO, "GitHub answered 502");
        }
        assertThat(inbox.find("d-r").orElseThrow().status()).isEqualTo("failed");
        assertThat(inbox.due(Duration.ofMinutes(5), 10)).isEmpty();

        inbox.replay("d-r", "console");

        StoredDelivery replayed = inbox.find("d-r").orElseThrow();
        assertThat(replayed.status()).isEqualTo("received");
        assertThat(replayed.attempts()).isZero();
        assertThat(replayed.outcome()).isEqualTo("replayed by console after: GitHub answered 502");
        assertThat(inbox.due(Duration.ofMinutes(5), 10)).containsExactly("d-r");
        assertThat(inbox.claim("d-r")).isPresent();
        assertThatThrownBy(() -> inbox.replay("d-r", "console")).isInstanceOf(IllegalStateException.class)
                .hasMessage("webhook delivery d-r is processing, not failed: only a failed delivery can be replayed");
        inbox.handled("d-r", "job 3 queued");
        assertThatThrownBy(() -> inbox.replay("d-r", "console")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is handled, not failed");
        assertThat(inbox.find("d-r").orElseThrow().outcome()).isEqualTo("job 3 queued");
        assertThatThrownBy(() -> inbox.replay("d-none", "console")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("no webhook delivery with id d-none");
    }

    @Test
    void theLogListsTheNewestFirstAndCountsEveryStatus() {
        inbox.record("d-a-old", "ping", null, null, null, "{}");
        inbox.record("d-b-new", "issues", "labeled", 1L, "o/r", PAYLOAD);
        inbox.ignored("d-a-old", "ping needs no work");
        DeliveryLog log = new DeliveryLog(dataSource);

        assertThat(log.recent(10)).extracting(DeliveryLog.Entry::deliveryId).containsExactly("d-b-new", "d-a-old");
        DeliveryLog.Entry old = log.recent(10).get(1);
        assertThat(old.status()).isEqualTo("ignored");
        assertThat(old.outcome()).isEqualTo("ping needs no work");
        assertThat(old.handledAt()).isAfterOrEqualTo(old.receivedAt());
        assertThat(log.recent(1)).hasSize(1);
        assertThat(log.countsByStatus(Duration.ofDays(1))).containsExactly(java.util.Map.entry("received", 1L),
                java.util.Map.entry("processing", 0L), java.util.Map.entry("handled", 0L),
                java.util.Map.entry("ignored", 1L), java.util.Map.entry("failed", 0L));
    }
}
