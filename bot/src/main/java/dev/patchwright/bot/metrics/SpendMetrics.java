package dev.patchwright.bot.metrics;

import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.config.RepoBudget;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Money per repository on {@code /q/metrics}, read from the ledger's totals (the same on every node):
 * {@code patchwright_spend_month_dollars}, {@code patchwright_spend_held_dollars} and
 * {@code patchwright_budget_month_limit_dollars}, each labelled {@code repository}, refreshed every 15 s.
 */
@ApplicationScoped
public class SpendMetrics {

    private static final Logger LOG = Logger.getLogger(SpendMetrics.class);

    @Inject
    MeterRegistry registry;
    @Inject
    SpendLedger ledger;
    @Inject
    BudgetLimits limits;

    private final Map<String, double[]> values = new ConcurrentHashMap<>();
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-spend-metrics");
        thread.setDaemon(true);
        return thread;
    });

    void start(@Observes StartupEvent event) {
        refresher.scheduleWithFixedDelay(this::refresh, 0, 15, TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        refresher.shutdownNow();
    }

    /** Reads this month's totals and limits; a failure leaves the last values and is tried again. */
    void refresh() {
        try {
            for (Map.Entry<String, SpendLedger.MonthSpend> entry : ledger.repositoriesThisMonth().entrySet()) {
                String repository = entry.getKey();
                double[] slot = values.computeIfAbsent(repository, this::register);
                slot[0] = dollars(entry.getValue().spent());
                slot[1] = dollars(entry.getValue().held());
                slot[2] = dollars(limits.effective(repository, null, RepoBudget.NONE).repositoryMonthly());
            }
        } catch (RuntimeException e) {
            LOG.warnf("Could not refresh the spend metrics: %s", e.getMessage());
        }
    }

    private double[] register(String repository) {
        double[] slot = new double[3];
        Gauge.builder("patchwright.spend.month", slot, s -> s[0]).baseUnit("dollars").tag("repository", repository)
                .description("Money spent this calendar month (UTC)").register(registry);
        Gauge.builder("patchwright.spend.held", slot, s -> s[1]).baseUnit("dollars").tag("repository", repository)
                .description("Money held for steps in flight").register(registry);
        Gauge.builder("patchwright.budget.month.limit", slot, s -> s[2]).baseUnit("dollars")
                .tag("repository", repository).description("The repository's monthly budget").register(registry);
        return slot;
    }

    private static double dollars(Money money) {
        return money.toDollars().doubleValue(); // display only: the ledger keeps exact micro-dollars
    }
}
