package dev.patchwright.worker.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.money.Money;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendGuard;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.queue.ClaimedJob;
import dev.patchwright.worker.queue.JdbcJobRecorder;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.solve.Publisher;
import dev.patchwright.worker.solve.RepoConfigFile;
import dev.patchwright.worker.solve.SolveContext;
import dev.patchwright.worker.solve.SolvePipeline;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * One claimed job, one attempt: read its payload, work out its limits, solve within them (or, when an earlier
 * attempt already finished the solve, only publish it again), publish, and record how it ended. Transient failures
 * (the host, the network, the sandbox) go back to the queue with a backoff; when the attempts run out, or the
 * failure is final, the issue is told why.
 */
final class JobExecution {

    private static final Logger LOG = Logger.getLogger(JobExecution.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobRunner.Parts parts;
    private final ClaimedJob job;
    private final AtomicBoolean leaseLost;
    private final AtomicReference<Instant> deadline;
    private final JobQueue queue;
    private final String workerId;

    /** @param deadline set here once the job's time limit is known, for the runner's watchdog */
    JobExecution(JobRunner.Parts parts, ClaimedJob job, AtomicBoolean leaseLost, AtomicReference<Instant> deadline) {
        this.parts = parts;
        this.job = job;
        this.leaseLost = leaseLost;
        this.deadline = deadline;
        this.queue = parts.queue();
        this.workerId = parts.runner().workerId();
    }

    void run() {
        SolveJobPayload payload;
        RepoConfig repoConfig;
        try {
            payload = JSON.readValue(job.payloadJson(), SolveJobPayload.class);
            repoConfig = RepoConfig.parse(payload.configYaml(), RepoConfigFile.PATH);
        } catch (Exception e) {
            queue.fail(job.id(), workerId, "the job's stored payload is unreadable: " + e.getMessage());
            return;
        }
        LOG.infof("Job %d: solving %s#%d (attempt %d of %d)", job.id(), payload.repository(), payload.issueNumber(),
                job.attempt(), job.maxAttempts());
        Publisher publisher = parts.host().publisher(payload);
        // A revision starts from the head of the bot's pull request, whoever committed there last.
        String base = payload.revision() != null ? SolveRequest.branchFor(payload.issueNumber()) : payload.defaultBranch();
        SolveRequest request = new SolveRequest(payload.repository(), URI.create(payload.cloneUrl()), null, base,
                payload.issueNumber(), payload.issueTitle(), payload.issueBody(), repoConfig, payload.revision());
        try {
            if (!parts.model().usable()) {
                publisher.reportFailure(request, SolveResult.notRun(SolveResult.Outcome.MODEL_FAILED,
                        parts.model().problem()));
                queue.fail(job.id(), workerId, parts.model().problem());
                return;
            }
            request = request.withCredentials(parts.host().credentials(payload));
            SolveResult result = solveOrResume(request, payload, repoConfig, publisher);
            finish(request, publisher, result);
        } catch (PublishException e) {
            if (e.retryable()) {
                transientFailure(request, publisher, e.getMessage());
            } else {
                tellIssue(request, publisher, e.getMessage());
                queue.fail(job.id(), workerId, e.getMessage());
            }
        } catch (Exception e) {
            LOG.warnf(e, "Job %d failed", job.id());
            transientFailure(request, publisher, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /** The solve, or the result an earlier attempt finished and could not publish, with its commit rebuilt. */
    private SolveResult solveOrResume(SolveRequest request, SolveJobPayload payload, RepoConfig repoConfig,
                                      Publisher publisher) throws Exception {
        // Holds an earlier attempt left behind (its node died mid-step) would block this one's spending.
        parts.ledger().releaseEarlierAttempts(job.id());
        JdbcJobRecorder recorder = new JdbcJobRecorder(parts.dataSource(), job.id(), job.attempt());
        SolvePipeline pipeline = new SolvePipeline(parts.mirror(), parts.sandbox(), parts.model().model(), parts.solve());
        Optional<SolveResult> stored = recorder.storedResult();
        if (stored.isPresent()) {
            recorder.event("resume", "an earlier attempt finished the solve (" + stored.get().outcome()
                    + "); only publishing it again, nothing is paid twice");
            return pipeline.rebuild(request, stored.get());
        }
        Limits limits = parts.limits().effective(payload.repository(), payload.installationId(), repoConfig.budget());
        if (payload.budget() != null) {
            // Asked for with the trigger: it replaces the per-issue limit, never above the operator's maximum.
            limits = new Limits(limits.repositoryMonthly(),
                    Money.parse(payload.budget()).min(parts.limits().maximums().perIssue()), limits.perIssueTime(),
                    limits.installationMonthly());
        }
        if (payload.revision() != null) {
            // One budget for the issue: what its earlier runs spent (the solve, earlier revisions) counts.
            Money before = parts.ledger().issueSpentBefore(payload.repository(), payload.issueNumber(), job.id());
            Money left = limits.perIssue().minus(before);
            if (left.isNegative() || left.isZero()) {
                return SolveResult.notRun(SolveResult.Outcome.BUDGET_EXHAUSTED, "this issue's budget of "
                        + limits.perIssue() + " is spent: its earlier runs spent " + before + ", so nothing was tried;"
                        + " `/patchwright fix budget=$N` starts anew with a budget of its own");
            }
            limits = new Limits(limits.repositoryMonthly(), left, limits.perIssueTime(), limits.installationMonthly());
        }
        SpendGuard guard = parts.ledger().forJob(job.id(), payload.repository(), payload.installationId(), limits,
                workerId);
        SpendMeter meter = new SpendMeter(guard, parts.model().price(), parts.runner().sandboxCpuHour(),
                parts.runner().modelCallLimit());
        Instant started = job.startedAt() != null ? job.startedAt() : Instant.now();
        deadline.set(started.plus(limits.perIssueTime()));
        SolveRequest forProgress = request;
        SolveContext context = SolveContext.of(recorder).withMeter(meter).withStop(stop())
                .withDeadline(started.plus(limits.perIssueTime()))
                .withProgress(markdown -> publisher.reportProgress(forProgress, markdown));
        return pipeline.solve(request, context);
    }

    private void finish(SolveRequest request, Publisher publisher, SolveResult result) throws PublishException {
        if (result.outcome() == SolveResult.Outcome.STOPPED || stop().getAsBoolean()
                || !queue.renew(job.id(), workerId, parts.runner().lease())) {
            stopped(request, publisher);
        } else if (result.solved()) {
            String url = publisher.publishSolution(request, result);
            queue.succeed(job.id(), workerId, request.revision() != null ? "revision pushed" : "pull request opened",
                    url);
            LOG.infof("Job %d: opened %s", job.id(), url);
        } else {
            publisher.reportFailure(request, result);
            queue.fail(job.id(), workerId, result.reason());
            LOG.infof("Job %d: no pull request: %s", job.id(), result.reason());
        }
    }

    private BooleanSupplier stop() {
        return () -> leaseLost.get() || queue.isCancelled(job.id());
    }

    /** The job was cancelled (say so and close it) or another worker owns it now (leave it alone). */
    private void stopped(SolveRequest request, Publisher publisher) {
        if (!queue.isCancelled(job.id())) {
            LOG.infof("Job %d: lease lost; leaving it to the worker that holds it now", job.id());
            return;
        }
        // The issue is told first, as on every other path: a finished job has said its last word.
        try {
            String why = queue.find(job.id()).map(view -> view.reason()).orElse(null);
            publisher.reportStopped(request, "Patchwright stopped working on this issue: "
                    + (why == null || why.isBlank() ? "it was cancelled" : why) + ". Nothing was published.");
        } catch (PublishException | RuntimeException e) {
            LOG.warnf("Job %d: cancelled, but could not say so on the issue: %s", job.id(), e.getMessage());
        }
        queue.finishCancelled(job.id(), workerId);
    }

    private void transientFailure(SolveRequest request, Publisher publisher, String reason) {
        if (job.attempt() < job.maxAttempts()) {
            Duration delay = Duration.ofMinutes(1L << Math.min(job.attempt() - 1, 5));
            queue.retryLater(job.id(), workerId, delay, reason);
            return;
        }
        tellIssue(request, publisher, "the work failed " + job.attempt() + " times; the last error: " + reason);
        queue.fail(job.id(), workerId, reason);
    }

    /** Says a final failure on the issue, best effort: the job's own record already has it. */
    private void tellIssue(SolveRequest request, Publisher publisher, String reason) {
        try {
            publisher.reportFailure(request, SolveResult.notRun(SolveResult.Outcome.GAVE_UP, reason));
        } catch (PublishException | RuntimeException e) {
            LOG.warnf("Job %d: could not tell the issue why it failed: %s", job.id(), e.getMessage());
        }
    }
}
