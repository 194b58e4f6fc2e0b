package dev.patchwright.bot.jobs;

import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.queue.JobQueue;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Hands back jobs whose worker stopped renewing its lease (a crashed or partitioned node), and releases the money
 * they held. Quartz's
 * clustered store runs it on one node at a time across the cluster.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);

    @Inject
    JobQueue queue;

    @Inject
    SpendLedger ledger;

    @Scheduled(identity = "lease-reaper", every = "${patchwright.worker.reap-every:30s}", delayed = "15s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
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
}
