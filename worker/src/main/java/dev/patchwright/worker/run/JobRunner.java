package dev.patchwright.worker.run;

import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.db.LeaseLostException;
import dev.patchwright.worker.queue.ClaimedJob;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.queue.JobWakeups;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.solve.SolveSettings;
import dev.patchwright.worker.solve.WorkSweep;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs jobs on this node: each worker thread claims one from the queue, keeps its lease alive while it works
 * (a heartbeat every third of the lease), and hands it to {@link JobExecution}, which solves, pays, publishes
 * and records how it ended. Idle threads wait for {@link #wake()}, which the database's notices call
 * ({@link JobWakeups}) whenever any node changes what can be claimed; only while the listening connection is down
 * do they poll at the configured interval. While listening they still look again when the next delayed job falls
 * due, and at least every {@link #LISTENING_IDLE_CAP} as a safety net.
 */
public final class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);
    /** The longest an idle worker waits while notices arrive. */
    static final Duration LISTENING_IDLE_CAP = Duration.ofMinutes(1);

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
    /** The jobs in progress, each with the flag that stops it at its next step. */
    private final Map<Long, AtomicBoolean> active = new ConcurrentHashMap<>();
    private final AtomicInteger handedBackCount = new AtomicInteger();
    private volatile boolean shuttingDown;
    private volatile boolean running;
    /** Counts wake-ups, so one that comes between a failed claim and the wait is not lost. */
    private long wakeups;
    private JobWakeups listener;

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
        // Reconnecting waits three poll intervals: meanwhile the workers poll, so nothing waits longer than one.
        listener = new JobWakeups(parts.dataSource(), this::wake, parts.runner().poll().multipliedBy(3));
        listener.start();
        for (int i = 0; i < parts.runner().concurrency(); i++) {
            Thread thread = new Thread(this::loop, "patchwright-worker-" + i);
            thread.setDaemon(true);
            thread.start();
            threads.add(thread);
        }
        LOG.infof("Worker %s runs up to %d job(s) at once", parts.runner().workerId(), parts.runner().concurrency());
    }

    /**
     * Stops at once: no more claims, and a job in progress stops at its next step, its lease left to expire (what
     * a node that dies looks like to the others). For a shutdown, {@link #shutdown(Duration)} hands jobs back.
     */
    public synchronized void stop() {
        running = false;
        wake();
        heartbeats.shutdownNow();
        sweeps.shutdownNow();
        if (listener != null) {
            listener.close();
        }
    }

    /**
     * A graceful stop (SIGTERM): no more claims; each job in progress stops at its next step and goes back to the
     * queue at once, without using up an attempt, keeping what it recorded (its paid candidates) for whoever takes
     * it next. A job whose step is not over within {@code grace} is handed back all the same.
     *
     * @return how many jobs were handed back
     */
    public int shutdown(Duration grace) {
        synchronized (this) {
            running = false;
            wake();
        }
        shuttingDown = true;
        active.values().forEach(flag -> flag.set(true));
        long deadline = System.nanoTime() + grace.toNanos();
        for (Thread thread : threads) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left > 0) {
                try {
                    thread.join(left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int handedBack = handedBackCount.get();
        for (Long jobId : active.keySet()) { // still in a step after the grace period
            if (handBack(jobId)) {
                handedBack++;
            }
        }
        stop();
        return handedBack;
    }

    private boolean handBack(long jobId) {
        try {
            parts.queue().handBack(jobId, parts.runner().workerId(), "this node is shutting down");
            LOG.infof("Job %d: handed back to the queue, this node is shutting down", jobId);
            return true;
        } catch (LeaseLostException e) {
            return false; // it ended, or is another node's already
        } catch (RuntimeException e) {
            LOG.warnf("Job %d: could not hand it back (%s); its lease will expire", jobId, e.getMessage());
            return false;
        }
    }

    /** Whether this node is woken by the database's notices now, rather than polling. */
    public boolean listening() {
        return listener != null && listener.listening();
    }

    /** Tells idle workers on this node that a job was just queued. */
    public void wake() {
        synchronized (signal) {
            wakeups++;
            signal.notifyAll();
        }
    }

    private void loop() {
        String workerId = parts.runner().workerId();
        while (running && !retired.contains(Thread.currentThread())) {
            try {
                long seen;
                synchronized (signal) {
                    seen = wakeups;
                }
                Optional<ClaimedJob> job = parts.queue().claim(workerId, parts.runner().lease());
                if (job.isPresent()) {
                    run(job.get());
                } else {
                    long idle = idleMillis();
                    synchronized (signal) {
                        if (wakeups == seen && running) {
                            signal.wait(idle);
                        }
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
        AtomicBoolean leaseLost = new AtomicBoolean(); // also set to stop the job for a shutdown
        AtomicReference<Instant> deadline = new AtomicReference<>();
        Thread worker = Thread.currentThread();
        active.put(job.id(), leaseLost);
        if (shuttingDown) {
            leaseLost.set(true); // claimed while the shutdown began: stop at the first step
        }
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
            if (shuttingDown && active.remove(job.id()) != null && handBack(job.id())) {
                handedBackCount.incrementAndGet();
            }
            active.remove(job.id());
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

    /** How long an idle worker waits for a wake-up before it looks again. */
    private long idleMillis() {
        long poll = Math.max(1, parts.runner().poll().toMillis());
        if (!listening()) {
            return poll;
        }
        long cap = Math.max(poll, LISTENING_IDLE_CAP.toMillis());
        return parts.queue().untilNextDue().map(due -> Math.min(due.toMillis(), cap)).orElse(cap);
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
