package dev.patchwright.bot.jobs;

import dev.patchwright.worker.queue.JobQueue;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Hands back jobs whose worker stopped renewing its lease (a crashed or partitioned node). Quartz's
 * clustered store runs it on one node at a time across the cluster.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);

    @Inject
    JobQueue queue;

    @Scheduled(identity = "lease-reaper", every = "30s", delayed = "15s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reap() {
        int reaped = queue.reapExpiredLeases();
        if (reaped > 0) {
            LOG.infof("Handed back %d job(s) whose lease expired", reaped);
        }
    }
}
