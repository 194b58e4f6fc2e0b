package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.queue.DeliveryInbox;
import dev.patchwright.worker.queue.JobQueue;
import dev.patchwright.worker.solve.SolveSettings;
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
    SolveSettings solveSettings(PatchwrightConfig config) {
        PatchwrightConfig.Solve solve = config.solve();
        SolveSettings defaults = SolveSettings.defaults(config.workDir());
        return new SolveSettings(defaults.workRoot(), defaults.cacheRoot(), solve.candidates(), solve.maxCandidates(),
                config.model().maxTokens(), defaults.temperature(), solve.memoryMib() << 20,
                defaults.outputLimitBytes(), solve.setupNetwork(), solve.maxTestTimeout());
    }

    /** The model every job uses; without {@code patchwright.model.url} jobs fail with a clear reason. */
    @Produces
    @Singleton
    ModelChoice model(PatchwrightConfig config) {
        PatchwrightConfig.Model model = config.model();
        if (model.url().isEmpty()) {
            return new ModelChoice(null, "no model is configured: set PATCHWRIGHT_MODEL_URL (an OpenAI-compatible "
                    + "base URL such as https://api.openai.com/v1) and PATCHWRIGHT_MODEL_NAME");
        }
        Model client = new OpenAiCompatibleModel(URI.create(model.url().get()), model.apiKey().orElse(null),
                model.name(), model.timeout());
        return new ModelChoice(client, null);
    }

    /** The configured model, or why there is none. */
    public record ModelChoice(Model model, String problem) {
    }
}
