package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.queue.JobQueue;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Hands back jobs whose worker stopped renewing its lease (a crashed or partitioned node), and releases the money
 * they held, every {@code patchwright.worker.reap-every} on every node.
 *
 * <p>Each node runs it on a timer of its own rather than as a Quartz job of the cluster: the statement hands each
 * expired job back once whichever nodes run it (it locks the rows it changes and skips those another holds), while a
 * node that dies holding Quartz's trigger stalls a clustered job until Quartz notices the death (15 s and more), just
 * when a take-over is due.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);
    /** The first look, after start-up has settled. */
    private static final long FIRST_AFTER_MILLIS = 15_000;

    @Inject
    JobQueue queue;

    @Inject
    SpendLedger ledger;

    @Inject
    PatchwrightConfig config;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-lease-reaper");
        thread.setDaemon(true);
        return thread;
    });

    void start(@Observes StartupEvent event) {
        long every = Math.max(1, config.worker().reapEvery().toMillis());
        timer.scheduleWithFixedDelay(() -> {
            try {
                reap();
            } catch (RuntimeException e) { // an exception would end the schedule
                LOG.warnf("The lease reaper failed (%s); it tries again in %d ms", e.getMessage(), every);
            }
        }, Math.min(every, FIRST_AFTER_MILLIS), every, TimeUnit.MILLISECONDS);
    }

    void reap() {
        int reaped = queue.reapExpiredLeases();
        if (reaped > 0) {
            LOG.infof("Handed back %d job(s) whose lease expired", reaped);
        }
        // The recovery of a crashed or cancelled job: what it held for a step in flight is given back.
        int released = ledger.releaseStopped();
        if (released > 0) {
            LOG.infof("Released %d reservation(s) of jobs that stopped running", released);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        timer.shutdownNow();
    }
}
