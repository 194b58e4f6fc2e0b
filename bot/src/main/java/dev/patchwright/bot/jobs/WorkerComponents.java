package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.Models;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.git.TreeLimits;
import dev.patchwright.worker.queue.DeliveryInbox;
import dev.patchwright.worker.queue.GroupCommit;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.solve.SolveSettings;
import dev.patchwright.worker.budget.BudgetLimits;
import dev.patchwright.worker.budget.Limits;
import dev.patchwright.worker.budget.SpendLedger;
import dev.patchwright.worker.run.JobModel;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.PriceTable;
import java.io.IOException;
import java.nio.file.Path;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.net.URI;

/** Builds the worker's plain-Java parts from the operator's configuration. */
public class WorkerComponents {

    @Produces
    @Singleton
    JobQueue jobQueue(DataSource dataSource, PatchwrightConfig config) {
        return new JobQueue(dataSource, config.worker().reapBackoff(), JobQueue.DEFAULT_REAP_BACKOFF_CAP);
    }

    @Produces
    @Singleton
    DeliveryInbox deliveryInbox(DataSource dataSource) {
        return new DeliveryInbox(dataSource);
    }

    /** Two transactions in flight, up to 500 deliveries each: a burst of deliveries costs a few disk flushes. */
    @Produces
    @Singleton
    GroupCommit groupCommit(DeliveryInbox inbox) {
        return new GroupCommit(inbox, 2, 500);
    }

    void closeGroupCommit(@Disposes GroupCommit intake) {
        intake.close();
    }

    @Produces
    @Singleton
    RepoMirror repoMirror(PatchwrightConfig config) {
        PatchwrightConfig.Solve solve = config.solve();
        return new RepoMirror(config.home().resolve("mirrors"),
                new TreeLimits(solve.maxFileMb() * 1_000_000, solve.maxTreeMb() * 1_000_000, solve.maxTreeFiles()));
    }

    @Produces
    @Singleton
    SpendLedger spendLedger(DataSource dataSource) {
        return new SpendLedger(dataSource);
    }

    /** The operator's limits from configuration; a malformed amount stops the application with its setting named. */
    @Produces
    @Singleton
    BudgetLimits budgetLimits(DataSource dataSource, PatchwrightConfig config) {
        PatchwrightConfig.Budget budget = config.budget();
        Limits defaults = new Limits(dollars(budget.repositoryMonthly(), "PATCHWRIGHT_BUDGET_REPOSITORY_MONTHLY"),
                dollars(budget.perIssue(), "PATCHWRIGHT_BUDGET_PER_ISSUE"), budget.perIssueTime(),
                dollars(budget.installationMonthly(), "PATCHWRIGHT_BUDGET_INSTALLATION_MONTHLY"));
        Limits maximums = new Limits(dollars(budget.maxRepositoryMonthly(), "PATCHWRIGHT_BUDGET_MAX_REPOSITORY_MONTHLY"),
                dollars(budget.maxPerIssue(), "PATCHWRIGHT_BUDGET_MAX_PER_ISSUE"), budget.maxPerIssueTime(),
                defaults.installationMonthly());
        return new BudgetLimits(dataSource, defaults, maximums);
    }

    /** Dollars from a setting, or a start-up error that names the setting. */
    static Money dollars(String text, String setting) {
        try {
            return Money.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(setting + ": " + e.getMessage(), e);
        }
    }

    @Produces
    @Singleton
    SolveSettings solveSettings(PatchwrightConfig config, JobModel model) {
        PatchwrightConfig.Solve solve = config.solve();
        SolveSettings defaults = SolveSettings.defaults(config.workDir());
        long context = config.model().contextTokens();
        if (model.model() instanceof LocalModel local) {
            context = Math.min(context, local.contextTokens()); // a local model's own window is known exactly
        }
        return new SolveSettings(defaults.workRoot(), defaults.cacheRoot(), solve.candidates(), solve.maxCandidates(),
                config.model().maxTokens(), defaults.temperature(), solve.memoryMib() << 20,
                defaults.outputLimitBytes(), solve.setupNetwork(), solve.maxTestTimeout(), context)
                .withRounds(solve.rounds(), solve.sandboxes())
                .withDiskLimits(solve.jobDiskMib() << 20, solve.cacheDiskMib() << 20).withCacheIdle(solve.cacheIdle());
    }

    /**
     * The model every job uses, made once, with its price: an OpenAI-compatible server, or with {@code local:/path}
     * a model folder loaded into this process. Without {@code patchwright.model.url}, with a folder that cannot be
     * loaded, or without a price for the model, jobs fail with the reason.
     */
    @Produces
    @Singleton
    JobModel model(PatchwrightConfig config) {
        PatchwrightConfig.Model settings = config.model();
        if (settings.url().isEmpty()) {
            return JobModel.unusable("no model is configured: set PATCHWRIGHT_MODEL_URL (an OpenAI-compatible "
                    + "base URL such as https://api.openai.com/v1, or local:/path/to/model-folder for the built-in "
                    + "engine) and PATCHWRIGHT_MODEL_NAME");
        }
        String url = settings.url().get();
        Model model;
        if (Models.isLocal(url)) {
            try {
                // A local model answers to its folder's name: the configured name defaults to a hosted model's.
                model = Models.open(url, null, null, null);
            } catch (InferenceException | IllegalArgumentException e) {
                return JobModel.unusable("the local model in PATCHWRIGHT_MODEL_URL cannot be loaded: " + e.getMessage());
            }
        } else {
            model = new OpenAiCompatibleModel(URI.create(url), settings.apiKey().orElse(null), settings.name(),
                    settings.timeout());
        }
        Path prices = config.prices().orElse(config.home().resolve("prices.yaml"));
        try {
            return JobModel.of(model, PriceTable.resolve(settings.price().orElse(null), prices, model.name(),
                    "set PATCHWRIGHT_MODEL_PRICE=input=DOLLARS,output=DOLLARS"));
        } catch (IOException | IllegalArgumentException e) {
            // Without a price no budget can hold: the model stays loaded only to be closed.
            return new JobModel(model, null, "Patchwright does not spend on a model it cannot price: " + e.getMessage());
        }
    }

    /** A local model holds the engine's threads and weights until the application stops. */
    void close(@Disposes JobModel choice) {
        if (choice.model() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing only stops threads; the application is stopping anyway.
            }
        }
    }
}
