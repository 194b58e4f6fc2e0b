package dev.patchwright.bot.cli;

import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.SpendGuard;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.solve.SolveSettings;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The options every command that runs the search shares ({@code solve}, {@code eval backtest}): the model and its
 * price ({@link ModelOptions}), the window, candidates and rounds, and where mirrors and work directories go.
 */
final class SearchOptions extends ModelOptions {

    @Option(names = "--context-tokens", defaultValue = "${env:PATCHWRIGHT_MODEL_CONTEXT_TOKENS:-128000}",
            description = "the model's context window; a larger repository is cut to fit (env PATCHWRIGHT_MODEL_CONTEXT_TOKENS, default ${DEFAULT-VALUE})")
    long contextTokens;

    @Option(names = "--candidates", description = "candidates sampled per round when the repository's configuration names none (default 4)")
    Integer candidates;

    @Option(names = "--rounds", description = "rounds at most when the repository's configuration names none (default 3)")
    Integer rounds;

    @Option(names = "--sandboxes", description = "candidates verified at once, each in its own sandbox (default 2)")
    Integer sandboxes;

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
     * The model the options name, each call limited to ten minutes.
     *
     * @throws IllegalArgumentException with the sentence to print, when none is named or it cannot be opened
     */
    Model model() {
        return model(Duration.ofMinutes(10));
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
