package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.BudgetStatus;
import dev.patchwright.worker.budget.MemorySpendGuard;
import dev.patchwright.worker.budget.NestedSpendGuard;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.FixMiner;
import dev.patchwright.worker.solve.FixReplay;
import dev.patchwright.worker.solve.JobRecorder;
import dev.patchwright.worker.solve.SolveContext;
import dev.patchwright.worker.solve.SolveSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code patchwright eval backtest}: replays a repository's own past fixes. Mines the history for commits that fixed
 * a bug with a test, replays each on its parent with the normal search within a per-issue budget, and judges the
 * chosen patch by the fix's hidden tests, {@code --cases-at-once} cases at a time. Results go to {@code results.json}
 * case by case, so a stopped run resumes where it stopped.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Replay a repository's past fixes: how often would Patchwright have fixed them, at what cost?")
final class BacktestCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    @Option(names = "--repo", required = true, description = "a local git repository or a clone URL")
    String repo;

    @Option(names = "--branch", description = "the branch whose history is mined (default: the default branch)")
    String branch;

    @Option(names = "--since", description = "mine commits from this date on (YYYY-MM-DD, UTC)")
    LocalDate since;

    @Option(names = "--limit", defaultValue = "20", description = "past fixes to replay at most (default ${DEFAULT-VALUE})")
    int limit;

    @Option(names = "--budget-per-issue", paramLabel = "DOLLARS", defaultValue = "2.00",
            description = "the most one replay may spend (default ${DEFAULT-VALUE})")
    String budgetPerIssue;

    @Option(names = "--budget", paramLabel = "DOLLARS", defaultValue = "50", description = "the most the whole run may spend (default ${DEFAULT-VALUE})")
    String budget;

    @Option(names = "--cases-at-once", defaultValue = "2",
            description = "past fixes replayed at once, each with its own sandboxes (default ${DEFAULT-VALUE})")
    int casesAtOnce;

    @Option(names = "--out", defaultValue = "patchwright-backtest", description = "where results.json goes (default ${DEFAULT-VALUE})")
    Path out;

    @Mixin
    SearchOptions search;

    /** One replayed case as {@code results.json} keeps it. */
    record CaseResult(String commit, String title, String outcome, String verdict, String cost, long costMicros,
                      long seconds, int rounds, int candidates, List<String> failToPass) {
    }

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        Model model;
        Price price;
        Money total;
        Money perIssue;
        try {
            model = search.model();
            price = search.price(model);
            total = Money.parse(budget);
            perIssue = Money.parse(budgetPerIssue);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        try {
            URI url = SearchOptions.repository(repo);
            String key = SearchOptions.repoKey(url);
            SolveSettings settings = search.settings(model);
            BubblewrapSandbox sandbox = BubblewrapSandbox.create();
            RepoMirror mined = new RepoMirror(search.home.resolve("backtest-mirrors"));
            FixMiner miner = new FixMiner(mined, sandbox, settings, search.home.resolve("backtest-cases"));
            Instant from = since == null ? null : since.atStartOfDay(ZoneOffset.UTC).toInstant();
            long started = System.nanoTime();
            List<FixMiner.Mined> history = miner.mine(key, url, branch, from, limit, line -> err.println("[mine] " + line));
            List<FixMiner.FixCase> cases = history.stream().filter(m -> m.fix() != null).map(FixMiner.Mined::fix).toList();
            err.printf(Locale.ROOT, "[mine] %d past fixes to replay, %d commits skipped, in %.0f s%n", cases.size(),
                    history.size() - cases.size(), (System.nanoTime() - started) / 1e9);

            Files.createDirectories(out);
            Path results = out.resolve("results.json");
            Map<String, CaseResult> done = new LinkedHashMap<>();
            if (Files.isRegularFile(results)) {
                for (CaseResult kept : JSON.readValue(results.toFile(), CaseResult[].class)) {
                    done.put(kept.commit(), kept);
                }
                err.println("[resume] " + done.size() + " cases already replayed in " + results);
            }
            MemorySpendGuard run = new MemorySpendGuard(total);
            FixReplay replay = new FixReplay(mined, key, search.home.resolve("backtest-replays"), sandbox, model, settings);
            ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, casesAtOnce));
            try {
                List<FixMiner.FixCase> pending = cases.stream().filter(c -> !done.containsKey(c.commit())).toList();
                List<Future<?>> running = new ArrayList<>();
                for (FixMiner.FixCase fix : pending) {
                    running.add(pool.submit(() -> {
                        replayOne(replay, fix, run, perIssue, price, done, results, err, search);
                        return null;
                    }));
                }
                for (Future<?> future : running) {
                    try {
                        future.get();
                    } catch (ExecutionException e) {
                        throw e.getCause() instanceof Exception cause ? cause : e;
                    }
                }
            } finally {
                pool.shutdownNow();
            }
            List<CaseResult> ordered = cases.stream().map(c -> done.get(c.commit())).filter(java.util.Objects::nonNull)
                    .toList();
            PrintStream stdout = System.out;
            stdout.println(table(ordered));
            stdout.println(summary(ordered));
            return 0;
        } finally {
            if (model instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /** Replays one case within its own budget and the run's, and writes every result so far. */
    private static void replayOne(FixReplay replay, FixMiner.FixCase fix, MemorySpendGuard run, Money perIssue,
                                  Price price, Map<String, CaseResult> done, Path results, PrintStream err,
                                  SearchOptions search) throws Exception {
        NestedSpendGuard guard = new NestedSpendGuard(run, perIssue);
        long caseStart = System.nanoTime();
        FixReplay.Outcome outcome = replay.replay(fix, SolveContext.of(JobRecorder.NONE)
                .withMeter(search.meter(guard, price)));
        BudgetStatus spent = guard.status();
        CaseResult result = new CaseResult(fix.commit(), fix.title(), outcome.resolved() ? "resolved" : "unresolved",
                outcome.verdict(), spent.jobSpent().toString(), spent.jobSpent().micros(),
                Math.round((System.nanoTime() - caseStart) / 1e9), outcome.solve().rounds(),
                outcome.solve().candidates().size(), fix.failToPass());
        synchronized (done) {
            done.put(fix.commit(), result);
            JSON.writeValue(results.toFile(), new ArrayList<>(done.values()));
        }
        err.printf(Locale.ROOT, "[replay] %s %s: %s (%s, %d s)%n", fix.commit().substring(0, 10), result.outcome(),
                outcome.verdict(), result.cost(), result.seconds());
    }
    /** The results as a Markdown table. */
    static String table(List<CaseResult> results) {
        StringBuilder md = new StringBuilder("| commit | fix | outcome | cost | time | rounds |\n|---|---|---|---|---|---|\n");
        for (CaseResult r : results) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %d s | %d |%n", r.commit().substring(0, 10),
                    r.title().replace("|", "\\|"), r.outcome(), r.cost(), r.seconds(), r.rounds()));
        }
        return md.toString();
    }

    /** "resolved 14 of 40 past fixes (35%), median $0.80 and 6 minutes per resolved issue". */
    static String summary(List<CaseResult> results) {
        List<CaseResult> resolved = results.stream().filter(r -> r.outcome().equals("resolved")).toList();
        String line = String.format(Locale.ROOT, "resolved %d of %d past fixes (%.0f%%)", resolved.size(), results.size(),
                results.isEmpty() ? 0.0 : 100.0 * resolved.size() / results.size());
        if (resolved.isEmpty()) {
            return line;
        }
        long cost = median(resolved.stream().mapToLong(CaseResult::costMicros).sorted().toArray());
        long seconds = median(resolved.stream().mapToLong(CaseResult::seconds).sorted().toArray());
        return line + String.format(Locale.ROOT, ", median %s and %s per resolved issue", Money.ofMicros(cost),
                seconds < 120 ? seconds + " s" : Math.round(seconds / 60.0) + " minutes");
    }

    private static long median(long[] sorted) {
        return sorted[sorted.length / 2];
    }
}
