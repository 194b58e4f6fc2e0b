package dev.patchwright.inference.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BudgetTest {

    @Test
    void reservesOnlyWhatIsLeftAndSettlesTheRealCost() {
        Budget budget = new Budget(Money.parse("1"));

        Budget.Reservation first = budget.reserve(Money.parse("0.6")).orElseThrow();
        assertThat(budget.reserve(Money.parse("0.5"))).as("0.6 held, 0.4 left").isEmpty();
        first.settle(Money.parse("0.1"));

        assertThat(budget.spent()).isEqualTo(Money.parse("0.1"));
        assertThat(budget.available()).isEqualTo(Money.parse("0.9"));
        budget.reserve(Money.parse("0.9")).orElseThrow().release();
        assertThat(budget.spent()).isEqualTo(Money.parse("0.1"));
        assertThat(budget.reserved()).isEqualTo(Money.ZERO);
        assertThatThrownBy(() -> first.settle(Money.ZERO)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void manyThreadsNeverSpendMoreThanTheLimit() throws Exception {
        Budget budget = new Budget(Money.parse("0.01"));
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Boolean>> calls = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            calls.add(pool.submit(() -> budget.reserve(Money.ofMicros(100)).map(r -> {
                r.settle(Money.ofMicros(100));
                return true;
            }).orElse(false)));
        }
        int made = 0;
        for (Future<Boolean> call : calls) {
            made += call.get() ? 1 : 0;
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(made).isEqualTo(100);
        assertThat(budget.spent()).isEqualTo(Money.parse("0.01"));
    }
}
