package dev.patchwright.bot.cli;

import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.Models;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.money.PriceTable;
import dev.patchwright.worker.budget.SpendGuard;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.solve.SolveSettings;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options every command that runs the search shares ({@code solve}, {@code eval backtest}): the model and its
 * price, the window, candidates and rounds, and where mirrors and work directories go.
 */
final class SearchOptions {

    @Option(names = "--model-url", defaultValue = "${env:PATCHWRIGHT_MODEL_URL}", description = "OpenAI-compatible base URL, or local:/path/to/model-folder for the built-in CPU engine (env PATCHWRIGHT_MODEL_URL)")
    String modelUrl;

    @Option(names = "--model", defaultValue = "${env:PATCHWRIGHT_MODEL_NAME:-gpt-4.1}", description = "model name (env PATCHWRIGHT_MODEL_NAME, default ${DEFAULT-VALUE})")
    String modelName;

    @Option(names = "--context-tokens", defaultValue = "${env:PATCHWRIGHT_MODEL_CONTEXT_TOKENS:-128000}",
            description = "the model's context window; a larger repository is cut to fit (env PATCHWRIGHT_MODEL_CONTEXT_TOKENS, default ${DEFAULT-VALUE})")
    long contextTokens;

    @Option(names = "--candidates", description = "candidates sampled per round when the repository's configuration names none (default 4)")
    Integer candidates;

    @Option(names = "--rounds", description = "rounds at most when the repository's configuration names none (default 3)")
    Integer rounds;

    @Option(names = "--sandboxes", description = "candidates verified at once, each in its own sandbox (default 2)")
    Integer sandboxes;

    @Option(names = "--prices", defaultValue = "${env:PATCHWRIGHT_PRICES:-${env:PATCHWRIGHT_HOME:-${sys:user.home}/.patchwright}/prices.yaml}",
            description = "price table, YAML or JSON: 'MODEL: {input: 2.00, cached-input: 0.50, output: 8.00}' in dollars per million tokens (env PATCHWRIGHT_PRICES, default ${DEFAULT-VALUE})")
    Path prices;

    @Option(names = "--price", paramLabel = "input=D,output=D", defaultValue = "${env:PATCHWRIGHT_MODEL_PRICE}",
            description = "the model's price instead of its row in --prices: dollars per million tokens, keys input, cached-input, output, gpu-hour (env PATCHWRIGHT_MODEL_PRICE)")
    String price;

    @Option(names = "--sandbox-cpu-hour", paramLabel = "DOLLARS", defaultValue = "${env:PATCHWRIGHT_BUDGET_SANDBOX_CPU_HOUR:-0.05}",
            description = "the price of one CPU-hour of sandboxed commands (env PATCHWRIGHT_BUDGET_SANDBOX_CPU_HOUR, default ${DEFAULT-VALUE})")
    String sandboxCpuHour;

    @Option(names = "--home", defaultValue = "${env:PATCHWRIGHT_HOME:-${sys:user.home}/.patchwright}", description = "git mirrors (default ${DEFAULT-VALUE})")
    Path home;

    @Option(names = "--work-dir", defaultValue = "${env:PATCHWRIGHT_WORK_DIR:-/var/tmp/patchwright}", description = "worktrees and dependency caches, reachable by the sandbox user (default ${DEFAULT-VALUE})")
    Path workDir;

    /** A local repository's folder as a file URI, anything else as the URL it is. */
    static URI repository(String repo) {
        Path local = Path.of(repo);
        return Files.isDirectory(local) ? local.toAbsolutePath().normalize().toUri() : URI.create(repo);
    }

    /** {@code owner/name} for a clone URL or folder, as the mirrors and caches name it. */
    static String repoKey(URI url) {
        String path = url.getPath() == null ? "repo" : url.getPath().replaceAll("/+$", "").replaceAll("\\.git$", "");
        String[] parts = path.split("/");
        String name = parts.length > 0 ? parts[parts.length - 1] : "repo";
        String owner = parts.length > 1 && !parts[parts.length - 2].isBlank() ? parts[parts.length - 2] : "local";
        return (owner + "/" + name).replaceAll("[^A-Za-z0-9._/-]", "_");
    }

    /**
     * The model the options name.
     *
     * @throws IllegalArgumentException with the sentence to print, when none is named or it cannot be opened
     */
    Model model() {
        if (modelUrl == null || modelUrl.isBlank()) {
            throw new IllegalArgumentException("no model: pass --model-url or set PATCHWRIGHT_MODEL_URL (an "
                    + "OpenAI-compatible base URL or local:/path/to/model-folder)");
        }
        String apiKey = System.getenv("PATCHWRIGHT_MODEL_API_KEY");
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        try {
            // A local folder answers to its own name; --model names a model on a server.
            return Models.open(modelUrl, Models.isLocal(modelUrl) ? null : modelName, apiKey, Duration.ofMinutes(10));
        } catch (InferenceException | IllegalArgumentException e) {
            throw new IllegalArgumentException("--model-url: " + e.getMessage(), e);
        }
    }

    /**
     * The model's price.
     *
     * @throws IllegalArgumentException when it has none, or the price table or --price cannot be read
     */
    Price price(Model model) throws IOException {
        return PriceTable.resolve(price, prices, model.name(), "pass --price input=DOLLARS,output=DOLLARS");
    }

    /** A meter over {@code guard} at the model's price (which must be known) and the sandbox's. */
    SpendMeter meter(SpendGuard guard, Price modelPrice) {
        try {
            return new SpendMeter(guard, modelPrice, Money.parse(sandboxCpuHour), Duration.ofMinutes(10));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sandbox-cpu-hour: " + e.getMessage(), e);
        }
    }

    /** The operator's search settings with what the options change. */
    SolveSettings settings(Model model) {
        SolveSettings defaults = SolveSettings.defaults(workDir);
        return (candidates == null ? defaults : defaults.withDefaultCandidates(candidates))
                .withRounds(rounds == null ? defaults.defaultRounds() : rounds,
                        sandboxes == null ? defaults.sandboxes() : sandboxes)
                .withContextTokens(model instanceof LocalModel local ? Math.min(contextTokens, local.contextTokens())
                        : contextTokens);
    }
}
