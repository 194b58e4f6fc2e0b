package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.Models;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.DeliveryInbox;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.solve.SolveSettings;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import javax.sql.DataSource;
import java.net.URI;

/** Builds the worker's plain-Java parts from the operator's configuration. */
public class WorkerComponents {

    @Produces
    @Singleton
    JobQueue jobQueue(DataSource dataSource) {
        return new JobQueue(dataSource);
    }

    @Produces
    @Singleton
    DeliveryInbox deliveryInbox(DataSource dataSource) {
        return new DeliveryInbox(dataSource);
    }

    @Produces
    @Singleton
    RepoMirror repoMirror(PatchwrightConfig config) {
        return new RepoMirror(config.home().resolve("mirrors"));
    }

    @Produces
    @Singleton
    SolveSettings solveSettings(PatchwrightConfig config, ModelChoice model) {
        PatchwrightConfig.Solve solve = config.solve();
        SolveSettings defaults = SolveSettings.defaults(config.workDir());
        long context = config.model().contextTokens();
        if (model.model() instanceof LocalModel local) {
            context = Math.min(context, local.contextTokens()); // a local model's own window is known exactly
        }
        return new SolveSettings(defaults.workRoot(), defaults.cacheRoot(), solve.candidates(), solve.maxCandidates(),
                config.model().maxTokens(), defaults.temperature(), solve.memoryMib() << 20,
                defaults.outputLimitBytes(), solve.setupNetwork(), solve.maxTestTimeout(), context);
    }

    /**
     * The model every job uses, made once: an OpenAI-compatible server, or with {@code local:/path} a model folder
     * loaded into this process. Without {@code patchwright.model.url}, or with a folder that cannot be loaded, jobs
     * fail with the reason.
     */
    @Produces
    @Singleton
    ModelChoice model(PatchwrightConfig config) {
        PatchwrightConfig.Model model = config.model();
        if (model.url().isEmpty()) {
            return new ModelChoice(null, "no model is configured: set PATCHWRIGHT_MODEL_URL (an OpenAI-compatible "
                    + "base URL such as https://api.openai.com/v1, or local:/path/to/model-folder for the built-in "
                    + "engine) and PATCHWRIGHT_MODEL_NAME");
        }
        String url = model.url().get();
        if (Models.isLocal(url)) {
            try {
                // A local model answers to its folder's name: the configured name defaults to a hosted model's.
                return new ModelChoice(Models.open(url, null, null, null), null);
            } catch (InferenceException | IllegalArgumentException e) {
                return new ModelChoice(null, "the local model in PATCHWRIGHT_MODEL_URL cannot be loaded: " + e.getMessage());
            }
        }
        Model client = new OpenAiCompatibleModel(URI.create(url), model.apiKey().orElse(null), model.name(),
                model.timeout());
        return new ModelChoice(client, null);
    }

    /** A local model holds the engine's threads and weights until the application stops. */
    void close(@Disposes ModelChoice choice) {
        if (choice.model() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                // Closing only stops threads; the application is stopping anyway.
            }
        }
    }

    /** The configured model, or why there is none. */
    public record ModelChoice(Model model, String problem) {
    }
}
