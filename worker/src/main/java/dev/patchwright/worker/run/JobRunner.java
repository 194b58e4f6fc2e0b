package dev.patchwright.worker.run;

import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.ClaimedJob;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.solve.SolveSettings;
import dev.patchwright.worker.solve.WorkSweep;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs jobs on this node: each worker thread claims one from the queue, keeps its lease alive while it works
 * (a heartbeat every third of the lease), and hands it to {@link JobExecution}, which solves, pays, publishes
 * and records how it ended. Idle threads wait for {@link #wake()} or the poll interval.
 */
public final class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    /**
     * Everything a runner works with.
     *
     * @param dataSource the database of the queue and the ledger
     * @param queue      the job queue
     * @param ledger     where money is held and settled
     * @param limits     where each job's limits come from
     * @param mirror     the git mirrors
     * @param sandbox    where repository code runs
     * @param solve      the operator's solve settings
     * @param model      the model and its price, or why there is none
     * @param host       where repositories live and results go
     * @param runner     how this node runs jobs
     */
    public record Parts(DataSource dataSource, JobQueue queue, SpendLedger ledger, BudgetLimits limits,
                        RepoMirror mirror, Sandbox sandbox, SolveSettings solve, JobModel model, CodeHost host,
                        RunnerSettings runner) {
    }

    private final Parts parts;
    private final Object signal = new Object();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    // Apart from the heartbeats: removing a large tree must not delay a lease renewal.
    private final ScheduledExecutorService sweeps = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-sweep");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Thread> threads = new ArrayList<>();
    /** Worker threads the watchdog replaced: should one come back from its hung step, it ends. */
    private final Set<Thread> retired = ConcurrentHashMap.newKeySet();
    private volatile boolean running;

    public JobRunner(Parts parts) {
        this.parts = parts;
    }

    /**
     * Starts the worker threads, after removing what a crashed worker left in the work directory (one
     * worker process per work directory); job directories older than a day and idle caches are swept
     * every hour after that.
     */
    public synchronized void start() {
        WorkSweep sweep = new WorkSweep(parts.solve());
        sweep.sweep(Duration.ZERO);
        sweeps.scheduleWithFixedDelay(() -> {
            try {
                sweep.sweep(Duration.ofDays(1));
            } catch (RuntimeException e) {
                LOG.warnf("the sweep of old job directories and caches failed (%s); will try again", e.getMessage());
            }
        }, 1, 1, TimeUnit.HOURS);
        running = true;
        for (int i = 0; i < parts.runner().concurrency(); i++) {
            Thread thread = new Thread(this::loop, "patchwright-worker-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        LOG.infof("Worker %s runs up to %d job(s) at once", parts.runner().workerId(), parts.runner().concurrency());
    }

    /** Stops claiming; a job in progress stops at its next step, its lease left to expire. */
    public synchronized void stop() {
        running = false;
        wake();
        heartbeats.shutdownNow();
        sweeps.shutdownNow();
    }

    /** Tells idle workers on this node that a job was just queued. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void loop() {
        String workerId = parts.runner().workerId();
        while (running && !retired.contains(Thread.currentThread())) {
            try {
                Optional<ClaimedJob> job = parts.queue().claim(workerId, parts.runner().lease());
                if (job.isPresent()) {
                    run(job.get());
                } else {
                    synchronized (signal) {
                        signal.wait(parts.runner().poll().toMillis());
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.errorf(e, "Worker loop error; continuing");
                sleepQuietly();
            }
        }
    }

    private void run(ClaimedJob job) {
        Duration lease = parts.runner().lease();
        String workerId = parts.runner().workerId();
        long every = Math.max(1000, lease.toMillis() / 3);
        AtomicBoolean leaseLost = new AtomicBoolean();
        AtomicReference<Instant> deadline = new AtomicReference<>();
        Thread worker = Thread.currentThread();
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> {
            // An exception here would silently end the schedule, so none may escape.
            try {
                if (leaseLost.get()) {
                    return;
                }
                Instant limit = deadline.get();
                if (limit != null && Instant.now().isAfter(limit.plus(watchdogGrace()))) {
                    stopHungJob(job, worker, leaseLost, limit);
                } else if (!parts.queue().renew(job.id(), workerId, lease)) {
                    leaseLost.set(true);
                    LOG.warnf("Job %d: lease lost; another worker may take it over", job.id());
                }
            } catch (RuntimeException e) {
                LOG.warnf("Job %d: lease renewal failed (%s); will try again", job.id(), e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        try {
            new JobExecution(parts, job, leaseLost, deadline).run();
        } finally {
            heartbeat.cancel(false);
        }
    }

    /**
     * Past the job's time limit, every step should have ended: a sandboxed command by its own limit, a model call
     * by its own. The longest of those, and a lease more, is the grace the watchdog gives before it calls a job hung.
     */
    private Duration watchdogGrace() {
        Duration test = parts.solve().maxTestTimeout();
        Duration call = parts.runner().modelCallLimit();
        return (test.compareTo(call) > 0 ? test : call).plus(parts.runner().lease());
    }

    /**
     * The watchdog: a job whose step hangs outside every other limit (a blocking file operation, a call that
     * ignores its timeout) is failed with the reason, its lease no longer renewed, and its thread interrupted;
     * a new worker thread takes its place, since an uninterruptible one may never come back.
     */
    private void stopHungJob(ClaimedJob job, Thread worker, AtomicBoolean leaseLost, Instant limit) {
        leaseLost.set(true); // its own steps stop at their next check, and nothing renews the lease again
        String reason = "the job was still running " + watchdogGrace().toSeconds() + " s after its time limit ("
                + limit + ") and was stopped by the watchdog: a step hung outside every sandbox and model time limit";
        LOG.errorf("Job %d: %s", job.id(), reason);
        parts.queue().fail(job.id(), parts.runner().workerId(), reason);
        synchronized (this) {
            retired.add(worker);
            if (running) {
                Thread replacement = new Thread(this::loop, worker.getName() + "-r");
                replacement.setDaemon(true);
                replacement.start();
                threads.add(replacement);
            }
        }
        worker.interrupt();
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
