package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.bot.github.GitHubHost;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.run.JobModel;
import dev.patchwright.worker.run.JobRunner;
import dev.patchwright.worker.run.RunnerSettings;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.SolveSettings;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts the worker's {@link JobRunner} on nodes whose role runs jobs, once the sandbox has proved usable. The job
 * loop itself lives in {@code worker}; this bean only wires it to the configuration and to GitHub.
 */
@ApplicationScoped
public class WorkerNode {

    private static final Logger LOG = Logger.getLogger(WorkerNode.class);

    @Inject
    PatchwrightConfig config;
    @Inject
    DataSource dataSource;
    @Inject
    JobQueue queue;
    @Inject
    SpendLedger ledger;
    @Inject
    BudgetLimits limits;
    @Inject
    RepoMirror mirror;
    @Inject
    SolveSettings settings;
    @Inject
    JobModel model;
    @Inject
    GitHubHost host;

    private volatile JobRunner runner;
    private volatile String sandboxProblem;

    void start(@Observes StartupEvent event) {
        if (config.role() == PatchwrightConfig.Role.WEBHOOK) {
            LOG.info("Role 'webhook': this node records jobs but does not run them");
            return;
        }
        BubblewrapSandbox sandbox;
        try {
            sandbox = BubblewrapSandbox.create();
        } catch (SandboxException e) {
            sandboxProblem = e.getMessage();
            LOG.errorf("This node will not run jobs: the sandbox is not usable: %s", e.getMessage());
            return;
        }
        if (!model.usable()) {
            LOG.warnf("Jobs will fail until the model is fixed: %s", model.problem());
        }
        PatchwrightConfig.Worker worker = config.worker();
        RunnerSettings runnerSettings = new RunnerSettings("node-" + UUID.randomUUID().toString().substring(0, 8),
                worker.concurrency(), worker.lease(), worker.poll(),
                WorkerComponents.dollars(config.budget().sandboxCpuHour(), "PATCHWRIGHT_BUDGET_SANDBOX_CPU_HOUR"),
                config.model().timeout());
        runner = new JobRunner(new JobRunner.Parts(dataSource, queue, ledger, limits, mirror, sandbox, settings, model,
                host, runnerSettings));
        runner.start();
    }

    /** How long a shutdown (SIGTERM) waits for jobs to reach the end of a step; within Kubernetes' default 30 s. */
    static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(20);

    void stop(@Observes ShutdownEvent event) {
        if (runner != null) {
            int handedBack = runner.shutdown(SHUTDOWN_GRACE);
            if (handedBack > 0) {
                LOG.infof("Handed %d job(s) back to the queue for another node", handedBack);
            }
        }
    }

    /** Why this node cannot run jobs, if it cannot. */
    public Optional<String> sandboxProblem() {
        return Optional.ofNullable(sandboxProblem);
    }

    /** Tells idle workers on this node that a job was just queued. */
    public void wake() {
        if (runner != null) {
            runner.wake();
        }
    }
}
