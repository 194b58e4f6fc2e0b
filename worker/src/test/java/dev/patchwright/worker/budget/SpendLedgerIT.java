package dev.patchwright.worker.budget;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.queue.ClaimedJob;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.db.LeaseLostException;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpendLedgerIT {

    private static final Money WORST_CASE = Money.parse("0.50");
    private static final String PRICE = "input $2.00/M, cached $0.50/M, output $8.00/M";

    private DataSource dataSource;
    private JobQueue queue;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
    }

    private long job(String repository, int issue, long installation) {
        return queue.enqueue(new NewJob("solve", repository, installation, issue, null, "{}", 3)).orElseThrow();
    }

    private static Limits limits(String monthly, String perIssue, String installationMonthly) {
        return new Limits(Money.parse(monthly), Money.parse(perIssue), Duration.ofHours(1),
                Money.parse(installationMonthly));
    }

    @Test
    void fiftyJobsAtOnceNeverSpendPastTheMonthlyLimitAndTheLedgerAddsUp() throws Exception {
        // The limit pays for ten rounds at their worst case.
        Limits limits = limits("5.00", "100", "1000");
        List<SpendGuard> guards = new ArrayList<>();
        SpendLedger ledger = new SpendLedger(dataSource);
        for (int i = 1; i <= 50; i++) {
            guards.add(ledger.forJob(job("acme/busy", i, 1), "acme/busy", 1L, limits, null));
        }
        Outcome outcome = spendUntilRefused(guards);

        assertThat(outcome.rounds.get()).as("rounds paid").isGreaterThanOrEqualTo(10);
        assertThat(outcome.refusals).hasSize(50).allSatisfy(message -> assertThat(message)
                .startsWith("this repository's monthly budget of $5.00 has").contains("less than the $0.50"));
        assertTotalsMatchTheLedger();
        assertThat(sum("select coalesce(sum(amount_micros), 0) from spend_ledger")).isLessThanOrEqualTo(5_000_000);
        assertThat(sum("select coalesce(sum(reserved_micros), 0) from spend_totals")).as("nothing left held").isZero();
    }

    @Test
    void twoNodesWithTheirOwnConnectionsShareOneLimit() throws Exception {
        Limits limits = limits("100", "100", "4.00");
        // Two repositories of one installation, each job on one of two "nodes" (separate data sources).
        SpendLedger first = new SpendLedger(TestDatabase.sameDatabase(dataSource));
        SpendLedger second = new SpendLedger(TestDatabase.sameDatabase(dataSource));
        List<SpendGuard> guards = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            String repository = i % 2 == 0 ? "acme/one" : "acme/two";
            guards.add((i % 3 == 0 ? first : second).forJob(job(repository, i, 7), repository, 7L, limits, null));
        }
        Outcome outcome = spendUntilRefused(guards);

        assertThat(outcome.rounds.get()).isGreaterThanOrEqualTo(8);
        assertThat(outcome.refusals).allSatisfy(message ->
                assertThat(message).startsWith("this installation's monthly budget of $4.00"));
        assertTotalsMatchTheLedger();
        assertThat(sum("select coalesce(sum(amount_micros), 0) from spend_ledger")).isLessThanOrEqualTo(4_000_000);
    }

    @Test
    void theIssueLimitRefusesWithItsNumbersAndHoldsNothing() throws Exception {
        SpendLedger ledger = new SpendLedger(dataSource);
        SpendGuard guard = ledger.forJob(job("acme/calc", 1, 1), "acme/calc", 1L, limits("50", "0.80", "100"), null);
        guard.reserve(SpendKind.MODEL, WORST_CASE).settle(charge("0.45"));

        assertThatThrownBy(() -> guard.reserve(SpendKind.MODEL, WORST_CASE))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessage("this issue's budget of $0.80 has $0.35 left ($0.45 spent or held), less than the $0.50 "
                        + "the next step may cost");
        BudgetStatus status = guard.status();
        assertThat(status.jobSpent()).isEqualTo(Money.parse("0.45"));
        assertThat(status.jobHeld()).isEqualTo(Money.ZERO);
        assertThat(status.repositorySpent()).isEqualTo(Money.parse("0.45"));
        assertThat(status.available()).isEqualTo(Money.parse("0.35"));
        SpendGuard.Hold small = guard.reserve(SpendKind.SANDBOX, Money.parse("0.30"));
        assertThat(guard.status().available()).isEqualTo(Money.parse("0.05"));
        small.release();
        assertThatThrownBy(small::release).isInstanceOf(IllegalStateException.class);
        assertTotalsMatchTheLedger();
    }

    @Test
    void theLedgerIsAppendOnly() throws Exception {
        SpendLedger ledger = new SpendLedger(dataSource);
        ledger.forJob(job("acme/calc", 1, 1), "acme/calc", 1L, limits("50", "5", "100"), null)
                .reserve(SpendKind.MODEL, WORST_CASE).settle(charge("0.25"));
        for (String sql : List.of("update spend_ledger set amount_micros = 0", "delete from spend_ledger",
                "truncate spend_ledger")) {
            assertThatThrownBy(() -> execute(sql)).as(sql).isInstanceOf(SQLException.class)
                    .hasMessageContaining("spend_ledger is append-only");
        }
        assertThat(sum("select sum(amount_micros) from spend_ledger")).isEqualTo(250_000);
    }

    @Test
    void aCrashedJobsReservationIsReleasedByTheRecoveryAndItsWorkerCanSpendNoMore() throws Exception {
        SpendLedger ledger = new SpendLedger(dataSource);
        long id = job("acme/calc", 1, 1);
        ClaimedJob claimed = queue.claim("node-a", Duration.ofMillis(50)).orElseThrow();
        SpendGuard guard = ledger.forJob(claimed.id(), "acme/calc", 1L, limits("50", "5", "100"), "node-a");
        guard.reserve(SpendKind.MODEL, WORST_CASE).settle(charge("0.20"));
        SpendGuard.Hold inFlight = guard.reserve(SpendKind.MODEL, WORST_CASE); // the node dies here

        Thread.sleep(100);
        assertThat(queue.reapExpiredLeases()).isEqualTo(1);
        assertThat(ledger.releaseStopped()).isEqualTo(1);
        assertThat(guard.status().jobHeld()).isEqualTo(Money.ZERO);
        assertThat(guard.status().jobSpent()).isEqualTo(Money.parse("0.20"));
        assertThatThrownBy(() -> guard.reserve(SpendKind.MODEL, WORST_CASE)).isInstanceOf(LeaseLostException.class);

        // The dead node's call came back after all: what it cost is counted, once.
        inFlight.settle(charge("0.10"));
        assertThat(guard.status().jobSpent()).isEqualTo(Money.parse("0.30"));
        assertThat(queue.claim("node-b", Duration.ofMinutes(1))).get().extracting(ClaimedJob::id).isEqualTo(id);
        assertThat(ledger.releaseEarlierAttempts(id)).isZero();
        assertTotalsMatchTheLedger();
    }

    // --- helpers -------------------------------------------------------------------------------

    private record Outcome(AtomicInteger rounds, List<String> refusals) {
    }

    /** Every guard spends round after round at once, each round's real cost at most its worst case. */
    private static Outcome spendUntilRefused(List<SpendGuard> guards) throws Exception {
        AtomicInteger rounds = new AtomicInteger();
        Map<Integer, String> refusals = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(guards.size());
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int i = 0; i < guards.size(); i++) {
                int index = i;
                running.add(pool.submit(() -> {
                    Random random = new Random(index);
                    start.await();
                    while (true) {
                        SpendGuard.Hold hold;
                        try {
                            hold = guards.get(index).reserve(SpendKind.MODEL, WORST_CASE);
                        } catch (BudgetExceededException e) {
                            refusals.put(index, e.getMessage());
                            return null;
                        }
                        Thread.sleep(random.nextInt(3));
                        hold.settle(charge(Money.ofMicros(300_000 + random.nextInt(200_001)).toDollars().toPlainString()));
                        rounds.incrementAndGet();
                    }
                }));
            }
            start.countDown();
            for (Future<?> future : running) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return new Outcome(rounds, new ArrayList<>(refusals.values()));
    }

    private static Charge charge(String dollars) {
        return new Charge(SpendKind.MODEL, "gpt-4.1", new Usage(100_000, 20_000, 1_000), Duration.ZERO, PRICE,
                Money.parse(dollars));
    }

    private void assertTotalsMatchTheLedger() throws SQLException {
        assertThat(rows("select t.key, t.spent_micros, coalesce(sum(l.amount_micros), 0) from spend_totals t"
                + " left join spend_ledger l on t.scope = 'job' and l.job_id::text = t.key"
                + " where t.scope = 'job' group by t.key, t.spent_micros"))
                .isNotEmpty().allSatisfy(row -> assertThat(row[1]).as("job %s", row[0]).isEqualTo(row[2]));
        assertThat(rows("select t.key, t.spent_micros, coalesce(sum(l.amount_micros), 0) from spend_totals t"
                + " left join spend_ledger l on l.repository || '@' || l.month = t.key"
                + " where t.scope = 'repository-month' group by t.key, t.spent_micros"))
                .isNotEmpty().allSatisfy(row -> assertThat(row[1]).as("repository %s", row[0]).isEqualTo(row[2]));
        assertThat(rows("select t.key, t.spent_micros, coalesce(sum(l.amount_micros), 0) from spend_totals t"
                + " left join spend_ledger l on l.installation_id || '@' || l.month = t.key"
                + " where t.scope = 'installation-month' group by t.key, t.spent_micros"))
                .isNotEmpty().allSatisfy(row -> assertThat(row[1]).as("installation %s", row[0]).isEqualTo(row[2]));
        assertThat(sum("select count(*) from spend_reservations r where status = 'settled' and not exists"
                + " (select 1 from spend_ledger l where l.reservation_id = r.id)")).isZero();
    }

    private long sum(String sql) throws SQLException {
        return (Long) rows(sql).get(0)[0];
    }

    private List<Object[]> rows(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            List<Object[]> result = new ArrayList<>();
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                Object[] row = new Object[columns];
                for (int c = 0; c < columns; c++) {
                    Object value = rows.getObject(c + 1);
                    row[c] = value instanceof Number n && !(value instanceof Long) ? n.longValue() : value;
                }
                result.add(row);
            }
            return result;
        }
    }

    private void execute(String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
