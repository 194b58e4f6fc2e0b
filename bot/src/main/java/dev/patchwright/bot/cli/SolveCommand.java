package dev.patchwright.bot.cli;

import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.inference.money.PriceTable;
import dev.patchwright.worker.budget.MemorySpendGuard;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.solve.SolveContext;

import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.Models;
import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.SandboxException;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.JobRecorder;
import dev.patchwright.worker.solve.CandidateRecord;
import dev.patchwright.worker.solve.SolvePipeline;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
import dev.patchwright.worker.solve.SolveSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code patchwright solve}: the bot's pipeline on one issue, without GitHub. */
@Command(name = "solve", mixinStandardHelpOptions = true,
        description = "Solve one issue in a local repository or clone URL; writes patch.diff and report.md.")
final class SolveCommand implements Callable<Integer> {

    @Option(names = "--repo", required = true, description = "a local git repository (its committed HEAD) or a clone URL")
    String repo;

    @Option(names = "--issue-file", required = true, description = "Markdown: the first '# ' line is the title, the rest the body")
    Path issueFile;

    @Option(names = "--branch", description = "branch to start from (default: the repository's default branch)")
    String branch;

    @Option(names = "--out", defaultValue = "patchwright-out", description = "where patch.diff and report.md go (default: ${DEFAULT-VALUE})")
    Path out;

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

    @Option(names = "--budget", paramLabel = "DOLLARS", description = "the most the solve may spend, such as 5.00 or $0.50; "
            + "every model call and test run is reserved at its worst case first, so it never spends more (needs a price)")
    String budget;

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

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        if (modelUrl == null || modelUrl.isBlank()) {
            err.println("error: no model: pass --model-url or set PATCHWRIGHT_MODEL_URL (an OpenAI-compatible base URL or local:/path/to/model-folder)");
            return 2;
        }
        if (!Files.isRegularFile(issueFile)) {
            err.println("error: --issue-file " + issueFile + " is not a readable file");
            return 2;
        }
        String issue = Files.readString(issueFile, StandardCharsets.UTF_8);
        String title = issue.lines().filter(line -> line.startsWith("# ")).findFirst().map(l -> l.substring(2).strip())
                .orElse(issueFile.getFileName().toString());
        String body = issue.replaceFirst("(?m)^# .*\\R?", "").strip();

        Path local = Path.of(repo);
        URI url = Files.isDirectory(local) ? local.toAbsolutePath().normalize().toUri() : URI.create(repo);
        String apiKey = System.getenv("PATCHWRIGHT_MODEL_API_KEY");
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey;
        Model model;
        try {
            // A local folder answers to its own name; --model names a model on a server.
            model = Models.open(modelUrl, Models.isLocal(modelUrl) ? null : modelName, apiKey, Duration.ofMinutes(10));
        } catch (InferenceException | IllegalArgumentException e) {
            err.println("error: --model-url: " + e.getMessage());
            return 2;
        }
        SpendMeter meter;
        try {
            meter = meter(model);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            if (model instanceof AutoCloseable closeable) {
                closeable.close();
            }
            return 2;
        }
        try {
            return solve(url, title, body, model, meter, err);
        } catch (GitException | SandboxException | java.io.IOException | PublishException e) {
            err.println("error: " + e.getMessage());
            return 3;
        } finally {
            if (model instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /**
     * With --budget, a meter that never spends past it (a price is then required); without, one that prices what it
     * can and limits nothing, or counts tokens only when the model has no price.
     */
    private SpendMeter meter(Model model) throws java.io.IOException {
        Money cpuHour;
        try {
            cpuHour = Money.parse(sandboxCpuHour);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--sandbox-cpu-hour: " + e.getMessage());
        }
        Price modelPrice;
        try {
            modelPrice = PriceTable.resolve(price, prices, model.name(), "pass --price input=DOLLARS,output=DOLLARS");
        } catch (IllegalArgumentException e) {
            if (budget != null) {
                throw new IllegalArgumentException("--budget needs the model's price: " + e.getMessage());
            }
            return SpendMeter.free();
        }
        MemorySpendGuard guard;
        try {
            guard = budget == null ? MemorySpendGuard.unlimited() : new MemorySpendGuard(Money.parse(budget));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--budget: " + e.getMessage());
        }
        return new SpendMeter(guard, modelPrice, cpuHour, Duration.ofMinutes(10));
    }

    private int solve(URI url, String title, String body, Model model, SpendMeter meter, PrintStream err)
            throws GitException, SandboxException, java.io.IOException, PublishException {
        String key = repoKey(url);
        SolveSettings defaults = SolveSettings.defaults(workDir);
        SolveSettings settings = (candidates == null ? defaults : defaults.withDefaultCandidates(candidates))
                .withRounds(rounds == null ? defaults.defaultRounds() : rounds,
                        sandboxes == null ? defaults.sandboxes() : sandboxes)
                .withContextTokens(model instanceof LocalModel local ? Math.min(contextTokens, local.contextTokens())
                        : contextTokens);
        SolvePipeline pipeline = new SolvePipeline(new RepoMirror(home.resolve("mirrors")), BubblewrapSandbox.create(),
                model, settings);
        SolveRequest request = new SolveRequest(key, url, null, branch, 0, title, body, null);
        SolveResult result = pipeline.solve(request, SolveContext.of(new ConsoleRecorder(err)).withMeter(meter));
        LocalReport report = new LocalReport(out);
        if (result.spend().known()) {
            err.println("spent: " + result.spend().spent() + (budget == null ? "" : " of the "
                    + Money.parse(budget) + " budget"));
        }
        if (result.solved()) {
            report.publishSolution(request, result);
            err.println("solved: " + out.resolve("patch.diff") + " and " + out.resolve("report.md"));
            return 0;
        }
        report.reportFailure(request, result);
        err.println("not solved: " + result.reason() + "; see " + out.resolve("report.md"));
        return 1;
    }

    private static String repoKey(URI url) {
        String path = url.getPath() == null ? "repo" : url.getPath().replaceAll("/+$", "").replaceAll("\\.git$", "");
        String[] parts = path.split("/");
        String name = parts.length > 0 ? parts[parts.length - 1] : "repo";
        String owner = parts.length > 1 && !parts[parts.length - 2].isBlank() ? parts[parts.length - 2] : "local";
        return (owner + "/" + name).replaceAll("[^A-Za-z0-9._/-]", "_");
    }

    /** Prints the job's progress as it happens. */
    private record ConsoleRecorder(PrintStream out) implements JobRecorder {
        @Override
        public void event(String kind, String message) {
            out.println("[" + kind + "] " + message);
        }

        @Override
        public void candidate(CandidateRecord candidate) {
            out.println("[candidate " + candidate.ordinal() + "] " + candidate.status() + ": " + candidate.reason());
        }
    }
}
