package dev.patchwright.worker.queue;

import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GroupCommitIT {

    private static final String PAYLOAD = "{\"action\": \"opened\", \"issue\": {\"number\": 7}}";

    @Test
    void concurrentDeliveriesAreEachStoredOnceAndEveryCallerHearsWhetherItsWasNew() throws Exception {
        DataSource dataSource = TestDatabase.migrated();
        DeliveryInbox inbox = new DeliveryInbox(dataSource);
        ExecutorService callers = Executors.newFixedThreadPool(64);
        try (GroupCommit intake = new GroupCommit(inbox, 2, 50)) {
            List<Future<Boolean>> answers = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                // Every delivery twice, as GitHub's redelivery would: exactly one of the two is new.
                String id = "d-" + (i / 2);
                answers.add(callers.submit(() -> intake.record(new NewDelivery(id, "issues", "opened", 1L, "o/r",
                        PAYLOAD))));
            }
            int stored = 0;
            for (Future<Boolean> answer : answers) {
                stored += answer.get() ? 1 : 0;
            }
            assertThat(stored).isEqualTo(200);
            assertThat(inbox.count()).isEqualTo(200);
            assertThat(inbox.find("d-199").orElseThrow().status()).isEqualTo("received");
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aPayloadPostgresqlRefusesFailsOnlyItsOwnDelivery() throws Exception {
        DeliveryInbox inbox = new DeliveryInbox(TestDatabase.migrated());
        assertThat(inbox.recordAll(List.of())).isEmpty();
        assertThatThrownBy(() -> inbox.recordAll(List.of(new NewDelivery("ok-1", "issues", null, null, null, PAYLOAD),
                new NewDelivery("bad-1", "issues", null, null, null, "{not json"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
        assertThat(inbox.count()).as("the group's transaction stored nothing").isZero();

        ExecutorService callers = Executors.newFixedThreadPool(8);
        try (GroupCommit intake = new GroupCommit(inbox, 1, 100)) {
            List<Future<Boolean>> good = new ArrayList<>();
            Future<Boolean> bad = null;
            for (int i = 0; i < 40; i++) {
                String id = "d-" + i;
                String payload = i == 20 ? "{not json" : PAYLOAD;
                Future<Boolean> answer = callers.submit(() -> intake.record(new NewDelivery(id, "issues", null, null,
                        null, payload)));
                if (i == 20) {
                    bad = answer;
                } else {
                    good.add(answer);
                }
            }
            for (Future<Boolean> answer : good) {
                assertThat(answer.get()).isTrue();
            }
            Future<Boolean> refused = bad;
            assertThatThrownBy(refused::get).hasCauseInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("d-20").hasMessageContaining("not valid JSON");
            assertThat(inbox.count()).isEqualTo(39);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aClosedIntakeRefusesToRecord() {
        GroupCommit intake = new GroupCommit(new DeliveryInbox(TestDatabase.migrated()), 1, 10);
        intake.close();
        assertThatThrownBy(() -> intake.record(new NewDelivery("d-1", "issues", null, null, null, PAYLOAD)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("shutting down");
    }

    @Test
    void rehearsalsRunBesideRealDeliveriesAndStoreNothing() throws Exception {
        DeliveryInbox inbox = new DeliveryInbox(TestDatabase.migrated());
        ExecutorService callers = Executors.newFixedThreadPool(32);
        try (GroupCommit intake = new GroupCommit(inbox, 2, 50)) {
            List<Future<Boolean>> real = new ArrayList<>();
            List<java.util.concurrent.CompletableFuture<Boolean>> rehearsed = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                String id = "d-" + i;
                if (i % 3 == 0) {
                    real.add(callers.submit(() -> intake.record(new NewDelivery(id, "issues", "opened", 1L, "o/r",
                            PAYLOAD))));
                } else {
                    // A rehearsal may even carry a real delivery's id: it never reaches the table.
                    rehearsed.add(intake.rehearse(new NewDelivery(i % 3 == 1 ? "d-" + (i - 1) : "r-" + i, "issues",
                            "labeled", 1L, "o/r", PAYLOAD)));
                }
            }
            for (Future<Boolean> answer : real) {
                assertThat(answer.get()).isTrue();
            }
            for (java.util.concurrent.CompletableFuture<Boolean> answer : rehearsed) {
                assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            }
            assertThat(inbox.count()).as("only the real deliveries are stored").isEqualTo(100);
            assertThat(inbox.find("r-2")).isEmpty();
            assertThat(inbox.find("d-0").orElseThrow().action()).isEqualTo("opened");
            // A rehearsal with a payload PostgreSQL refuses fails as a real one would, and stores nothing either.
            assertThatThrownBy(() -> intake.rehearse(new NewDelivery("r-bad", "issues", null, null, null, "{not json"))
                    .get(30, java.util.concurrent.TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalArgumentException.class).hasMessageContaining("not valid JSON");
            assertThat(inbox.count()).isEqualTo(100);
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aDeliveryNoHandlerTakesIsStoredAsIgnoredAndNeverComesDue() throws Exception {
        DeliveryInbox inbox = new DeliveryInbox(TestDatabase.migrated());
        try (GroupCommit intake = new GroupCommit(inbox, 1, 10)) {
            assertThat(intake.record(new NewDelivery("d-star", "star", "created", 1L, "o/r", PAYLOAD,
                    "no handler for star.created"))).isTrue();
            assertThat(intake.record(new NewDelivery("d-label", "issues", "labeled", 1L, "o/r", PAYLOAD))).isTrue();
        }
        StoredDelivery ignored = inbox.find("d-star").orElseThrow();
        assertThat(ignored.status()).isEqualTo("ignored");
        assertThat(ignored.outcome()).isEqualTo("no handler for star.created");
        assertThat(inbox.find("d-label").orElseThrow().status()).isEqualTo("received");
        assertThat(inbox.due(java.time.Duration.ofSeconds(15), 10)).containsExactly("d-label");
        assertThat(inbox.claim("d-star")).as("an ignored delivery is never claimed").isEmpty();
    }
}
