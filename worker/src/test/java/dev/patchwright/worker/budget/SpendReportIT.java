package dev.patchwright.worker.budget;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.NewJob;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SpendReportIT {

    private static final String PRICE = "input $2.00/M, cached $0.50/M, output $8.00/M";

    private DataSource dataSource;
    private SpendLedger ledger;
    private JobQueue queue;

    @BeforeEach
    void freshDatabase() {
        dataSource = TestDatabase.migrated();
        ledger = new SpendLedger(dataSource);
        queue = new JobQueue(dataSource, Duration.ZERO, Duration.ZERO);
    }

    private long spend(String repository, int issue, String... dollars) throws BudgetExceededException {
        long job = queue.enqueue(new NewJob("solve", repository, 1L, issue, null, "{}", 3)).orElseThrow();
        SpendGuard guard = ledger.forJob(job, repository, 1L, new Limits(Money.parse("100"), Money.parse("100"),
                Duration.ofHours(1), Money.parse("1000")), null);
        for (String amount : dollars) {
            guard.reserve(SpendKind.MODEL, Money.parse("1.00")).settle(new Charge(SpendKind.MODEL, "gpt-test",
                    new Usage(1000, 200, 50), Duration.ZERO, PRICE, Money.parse(amount)));
        }
        guard.reserve(SpendKind.SANDBOX, Money.parse("0.10")).settle(new Charge(SpendKind.SANDBOX, null, Usage.ZERO,
                Duration.ofMillis(1500), "$0.04/CPU-hour", Money.parse("0.01")));
        return job;
    }

    @Test
    void addsUpEachRepositorysDaysAndListsAJobsEntries() throws Exception {
        long calc = spend("acme/calc", 1, "0.25", "0.50");
        spend("zeta/web", 1, "2.00");
        long old = spend("acme/calc", 2, "1.00");
        // The ledger refuses updates, so an older day is made by moving the clock of the rows it is built from.
        sql("alter table spend_ledger disable trigger spend_ledger_append_only");
        sql("update spend_ledger set at = at - interval '3 days' where job_id = " + old);
        sql("update spend_ledger set at = at - interval '40 days' where job_id = " + old + " and kind = 'sandbox'");
        sql("alter table spend_ledger enable trigger spend_ledger_append_only");
        SpendReport report = new SpendReport(dataSource);
        LocalDate today = LocalDate.now(ZoneOffset.UTC);

        assertThat(report.daily(30)).containsExactly(
                new SpendReport.DaySpend("acme/calc", today.minusDays(3), Money.parse("1.00")),
                new SpendReport.DaySpend("acme/calc", today, Money.parse("0.76")),
                new SpendReport.DaySpend("zeta/web", today, Money.parse("2.01")));
        assertThat(report.daily(3)).extracting(SpendReport.DaySpend::day).containsOnly(today);
        assertThat(report.today()).isEqualTo(Map.of("acme/calc", Money.parse("0.76"), "zeta/web", Money.parse("2.01")));

        assertThat(report.entries(calc)).hasSize(3).first().satisfies(entry -> {
            assertThat(entry.kind()).isEqualTo("model");
            assertThat(entry.model()).isEqualTo("gpt-test");
            assertThat(entry.promptTokens()).isEqualTo(1000);
            assertThat(entry.cachedPromptTokens()).isEqualTo(200);
            assertThat(entry.completionTokens()).isEqualTo(50);
            assertThat(entry.price()).isEqualTo(PRICE);
            assertThat(entry.amount()).isEqualTo(Money.parse("0.25"));
        });
        assertThat(report.entries(calc).get(2).computeMillis()).isEqualTo(1500);
        assertThat(report.entries(999)).isEmpty();
        sql("insert into repositories (full_name) values ('quiet/one')");
        assertThat(report.repositories()).containsExactly("acme/calc", "quiet/one", "zeta/web");
    }

    private void sql(String statement) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement s = connection.createStatement()) {
            s.execute(statement);
        }
    }
}
