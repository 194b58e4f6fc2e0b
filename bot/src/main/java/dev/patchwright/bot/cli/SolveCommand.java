package dev.patchwright.bot.cli;

import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.MemorySpendGuard;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.solve.SolveContext;

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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Mixin
    SearchOptions search;

    @Option(names = "--budget", paramLabel = "DOLLARS", description = "the most the solve may spend, such as 5.00 or $0.50; "
            + "every model call and test run is reserved at its worst case first, so it never spends more (needs a price)")
    String budget;

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        if (!Files.isRegularFile(issueFile)) {
            err.println("error: --issue-file " + issueFile + " is not a readable file");
            return 2;
        }
        String issue = Files.readString(issueFile, StandardCharsets.UTF_8);
        String title = issue.lines().filter(line -> line.startsWith("# ")).findFirst().map(l -> l.substring(2).strip())
                .orElse(issueFile.getFileName().toString());
        String body = issue.replaceFirst("(?m)^# .*\\R?", "").strip();

        URI url = SearchOptions.repository(repo);
        Model model;
        try {
            model = search.model();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
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
        Price modelPrice;
        try {
            modelPrice = search.price(model);
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
        return search.meter(guard, modelPrice);
    }

    private int solve(URI url, String title, String body, Model model, SpendMeter meter, PrintStream err)
            throws GitException, SandboxException, java.io.IOException, PublishException {
        String key = SearchOptions.repoKey(url);
        SolvePipeline pipeline = new SolvePipeline(new RepoMirror(search.home.resolve("mirrors")),
                BubblewrapSandbox.create(), model, search.settings(model));
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
