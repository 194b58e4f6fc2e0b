package dev.patchwright.worker.budget;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A backtest's money in the real ledger: each case within its own limit, all within the run's, and a run that is
 * stopped and started again counts what the first one spent (and gives back what it held when it was killed).
 */
class BacktestBudgetIT {

    private DataSource dataSource;

    @BeforeEach
    void database() {
        dataSource = TestDatabase.migrated();
    }

    private static Charge charge(String dollars) {
        return new Charge(SpendKind.MODEL, "m", Usage.ZERO, Duration.ZERO, "test", Money.parse(dollars));
    }

    @Test
    void eachCaseHoldsItsOwnLimitAndAllOfThemTheRunsAcrossARestart() throws Exception {
        BacktestBudget first = new BacktestBudget(dataSource, "o/r", Money.parse("1.00"), Money.parse("0.60"));
        SpendGuard a = first.forCase("aaaa");
        a.reserve(SpendKind.MODEL, Money.parse("0.50")).settle(charge("0.50"));
        assertThatThrownBy(() -> a.reserve(SpendKind.MODEL, Money.parse("0.20")))
                .isInstanceOf(BudgetExceededException.class).hasMessageStartingWith("this issue's budget of $0.60");
        SpendGuard.Hold killed = first.forCase("bbbb").reserve(SpendKind.MODEL, Money.parse("0.30"));
        assertThat(killed.amount()).isEqualTo(Money.parse("0.30"));
        assertThat(first.held()).isEqualTo(Money.parse("0.30"));

        // The process died with that hold open: a new run over the same database, with the same --budget.
        BacktestBudget resumed = new BacktestBudget(dataSource, "o/r", Money.parse("1.00"), Money.parse("0.60"));
        assertThat(resumed.releaseLeftOver()).isEqualTo(1);
        assertThat(resumed.spent()).as("the first run's spend counts").isEqualTo(Money.parse("0.50"));
        assertThat(resumed.held()).isEqualTo(Money.ZERO);
        SpendGuard b = resumed.forCase("bbbb");
        b.reserve(SpendKind.MODEL, Money.parse("0.40")).settle(charge("0.40"));
        assertThatThrownBy(() -> resumed.forCase("cccc").reserve(SpendKind.MODEL, Money.parse("0.20")))
                .isInstanceOf(BudgetExceededException.class)
                .hasMessageStartingWith("the whole run's budget of $1.00 has $0.10 left ($0.90 spent or held)");
        assertThat(resumed.spent()).isEqualTo(Money.parse("0.90"));
        assertThat(resumed.forCase("aaaa").status().jobSpent()).as("a case keeps its job across runs")
                .isEqualTo(Money.parse("0.50"));
        assertThat(new SpendReport(dataSource).repositories()).contains("o/r");
    }
}
