package dev.patchwright.bot.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.bot.github.BotIdentity;
import dev.patchwright.bot.github.GitHubPublisher;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.GitCredentials;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.ClaimedJob;
import dev.patchwright.worker.queue.JdbcJobRecorder;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.sandbox.Sandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.solve.RepoConfigFile;
import dev.patchwright.worker.solve.SolvePipeline;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
import dev.patchwright.worker.solve.SolveSettings;
import io.quarkiverse.githubapp.GitHubClientProvider;
import io.quarkiverse.githubapp.InstallationTokenProvider;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Runs jobs on this node: claims one from the queue, keeps its lease alive while it works, solves,
 * publishes, and records how it ended. Transient failures (GitHub, network, sandbox) go back to the
 * queue with a backoff; when the attempts run out, the issue is told why.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    @Inject
    PatchwrightConfig config;
    @Inject
    JobQueue queue;
    @Inject
    RepoMirror mirror;
    @Inject
    SolveSettings settings;
    @Inject
    WorkerComponents.ModelChoice modelChoice;
    @Inject
    GitHubClientProvider clients;
    @Inject
    InstallationTokenProvider tokens;
    @Inject
    DataSource dataSource;
    @Inject
    ObjectMapper json;
    @Inject
    BotIdentity bot;

    private final String workerId = "node-" + UUID.randomUUID().toString().substring(0, 8);
    private final Object signal = new Object();
    private final ScheduledExecutorService heartbeats = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "patchwright-heartbeat");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;
    private volatile Sandbox sandbox;
    private volatile String sandboxProblem;

    void start(@Observes StartupEvent event) {
        if (config.role() == PatchwrightConfig.Role.WEBHOOK) {
            LOG.info("Role 'webhook': this node records jobs but does not run them");
            return;
        }
        try {
            sandbox = BubblewrapSandbox.create();
        } catch (SandboxException e) {
            sandboxProblem = e.getMessage();
            LOG.errorf("This node will not run jobs: the sandbox is not usable: %s", e.getMessage());
            return;
        }
        running = true;
        for (int i = 0; i < config.worker().concurrency(); i++) {
            Thread thread = new Thread(this::loop, "patchwright-worker-" + i);
            thread.setDaemon(true);
            thread.start();
        }
        LOG.infof("Worker %s runs up to %d job(s) at once", workerId, config.worker().concurrency());
    }

    void stop(@Observes ShutdownEvent event) {
        running = false;
        wake();
        heartbeats.shutdownNow();
    }

    /** Why this node cannot run jobs, if it cannot. */
    public Optional<String> sandboxProblem() {
        return Optional.ofNullable(sandboxProblem);
    }

    /** Tells idle workers on this node that a job was just queued. */
    public void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void loop() {
        while (running) {
            try {
                Optional<ClaimedJob> job = queue.claim(workerId, config.worker().lease());
                if (job.isPresent()) {
                    run(job.get());
                } else {
                    synchronized (signal) {
                        signal.wait(config.worker().poll().toMillis());
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
        Duration lease = config.worker().lease();
        long every = Math.max(1000, lease.toMillis() / 3);
        AtomicBoolean leaseLost = new AtomicBoolean();
        ScheduledFuture<?> heartbeat = heartbeats.scheduleAtFixedRate(() -> {
            // An exception here would silently end the schedule, so none may escape.
            try {
                if (!queue.renew(job.id(), workerId, lease)) {
                    leaseLost.set(true);
                    LOG.warnf("Job %d: lease lost; another worker may take it over", job.id());
                }
            } catch (RuntimeException e) {
                LOG.warnf("Job %d: lease renewal failed (%s); will try again", job.id(), e.getMessage());
            }
        }, every, every, TimeUnit.MILLISECONDS);
        try {
            execute(job, leaseLost);
        } finally {
            heartbeat.cancel(false);
        }
    }

    private void execute(ClaimedJob job, AtomicBoolean leaseLost) {
        SolveJobPayload payload;
        RepoConfig repoConfig;
        try {
            payload = json.readValue(job.payloadJson(), SolveJobPayload.class);
            repoConfig = RepoConfig.parse(payload.configYaml(), RepoConfigFile.PATH);
        } catch (Exception e) {
            queue.fail(job.id(), workerId, "the job's stored payload is unreadable: " + e.getMessage());
            return;
        }
        LOG.infof("Job %d: solving %s#%d (attempt %d of %d)", job.id(), payload.repository(), payload.issueNumber(),
                job.attempt(), job.maxAttempts());
        GitHubPublisher publisher = new GitHubPublisher(clients, tokens, mirror, payload.installationId(),
                payload.triggeredBy(), bot);
        SolveRequest request = new SolveRequest(payload.repository(), URI.create(payload.cloneUrl()), null,
                payload.defaultBranch(), payload.issueNumber(), payload.issueTitle(), payload.issueBody(), repoConfig);
        BooleanSupplier stop = () -> leaseLost.get() || queue.isCancelled(job.id());
        try {
            if (modelChoice.model() == null) {
                publisher.reportFailure(request, SolveResult.notRun(SolveResult.Outcome.MODEL_FAILED, modelChoice.problem()));
                queue.fail(job.id(), workerId, modelChoice.problem());
                return;
            }
            request = request.withCredentials(new GitCredentials("x-access-token",
                    tokens.getInstallationToken(payload.installationId()).token().toCharArray()));
            SolvePipeline pipeline = new SolvePipeline(mirror, sandbox, modelChoice.model(), settings);
            SolveResult result = pipeline.solve(request, new JdbcJobRecorder(dataSource, job.id(), job.attempt()), stop);
            if (result.outcome() == SolveResult.Outcome.STOPPED || stop.getAsBoolean()
                    || !queue.renew(job.id(), workerId, config.worker().lease())) {
                stopped(job, request, publisher);
            } else if (result.solved()) {
                String url = publisher.publishSolution(request, result);
                queue.succeed(job.id(), workerId, "pull request opened", url);
                LOG.infof("Job %d: opened %s", job.id(), url);
            } else {
                publisher.reportFailure(request, result);
                queue.fail(job.id(), workerId, result.reason());
                LOG.infof("Job %d: no pull request: %s", job.id(), result.reason());
            }
        } catch (PublishException e) {
            if (e.retryable()) {
                transientFailure(job, request, publisher, e.getMessage());
            } else {
                tellIssue(job, request, publisher, e.getMessage());
                queue.fail(job.id(), workerId, e.getMessage());
            }
        } catch (Exception e) {
            LOG.warnf(e, "Job %d failed", job.id());
            transientFailure(job, request, publisher, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The job was cancelled (say so and close it) or another worker owns it now (leave it alone). */
    private void stopped(ClaimedJob job, SolveRequest request, GitHubPublisher publisher) {
        if (!queue.isCancelled(job.id())) {
            LOG.infof("Job %d: lease lost; leaving it to the worker that holds it now", job.id());
            return;
        }
        // The issue is told first, as on every other path: a finished job has said its last word.
        try {
            publisher.reportStopped(request, "Patchwright stopped working on this issue: it was closed or its "
                    + "trigger label was removed. Nothing was published.");
        } catch (PublishException | RuntimeException e) {
            LOG.warnf("Job %d: cancelled, but could not say so on the issue: %s", job.id(), e.getMessage());
        }
        queue.finishCancelled(job.id(), workerId);
    }

    private void transientFailure(ClaimedJob job, SolveRequest request, GitHubPublisher publisher, String reason) {
        if (job.attempt() < job.maxAttempts()) {
            Duration delay = Duration.ofMinutes(1L << Math.min(job.attempt() - 1, 5));
            queue.retryLater(job.id(), workerId, delay, reason);
            return;
        }
        tellIssue(job, request, publisher, "the work failed " + job.attempt() + " times; the last error: " + reason);
        queue.fail(job.id(), workerId, reason);
    }

    /** Says a final failure on the issue, best effort: the job's own record already has it. */
    private void tellIssue(ClaimedJob job, SolveRequest request, GitHubPublisher publisher, String reason) {
        try {
            publisher.reportFailure(request, SolveResult.notRun(SolveResult.Outcome.GAVE_UP, reason));
        } catch (PublishException | RuntimeException e) {
            LOG.warnf("Job %d: could not tell the issue why it failed: %s", job.id(), e.getMessage());
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
