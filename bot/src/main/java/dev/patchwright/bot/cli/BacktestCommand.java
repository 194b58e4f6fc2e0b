package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.patchwright.bot.EmbeddedDatabase;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.BacktestBudget;
import dev.patchwright.worker.budget.SpendGuard;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.FixMiner;
import dev.patchwright.worker.solve.FixReplay;
import dev.patchwright.worker.solve.JobRecorder;
import dev.patchwright.worker.solve.LinkedIssue;
import dev.patchwright.worker.solve.SolveContext;
import dev.patchwright.worker.solve.SolveSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;

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
 * chosen patch by the fix's hidden tests, {@code --cases-at-once} cases at a time. The issue is the one the commit
 * references when GitHub has it ({@link LinkedIssue}), else the commit message. Money goes through the bot's ledger,
 * in an embedded PostgreSQL under {@code --out} ({@link BacktestBudget}): the run's folder holds all of it, results
 * and spend, so a run resumed with the same {@code --out} counts what the stopped one spent. Results go to
 * {@code results.json} case by case; charts beside it at the end.
 */
@Command(name = "backtest", mixinStandardHelpOptions = true,
        description = "Replay a repository's past fixes: how often would Patchwright have fixed them, at what cost?")
final class BacktestCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Where the optional token for GitHub's API is read from; never logged. */
    static final String TOKEN_VARIABLE = "GITHUB_TOKEN";

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

    @Option(names = "--out", defaultValue = "patchwright-backtest",
            description = "where results.json, the charts and the run's ledger go (default ${DEFAULT-VALUE})")
    Path out;

    @Option(names = "--github-api-url", paramLabel = "URL",
            defaultValue = "${env:QUARKUS_GITHUB_APP_INSTANCE_ENDPOINT:-https://api.github.com}",
            description = "GitHub's REST API, where linked issues are read (default ${DEFAULT-VALUE}); a token, when"
                    + " needed, from $" + TOKEN_VARIABLE)
    URI githubApi;

    @Option(names = "--github-repo", paramLabel = "OWNER/NAME",
            description = "the GitHub repository that #123 in commit messages means (default: --repo's, when it is a URL)")
    String githubRepo;

    @Mixin
    SearchOptions search;

    /** One replayed case as {@code results.json} keeps it. */
    record CaseResult(String commit, String title, String issueSource, String outcome, String verdict, String cost,
                      long costMicros, long seconds, int rounds, int candidates, List<String> failToPass) {
        boolean resolved() {
            return "resolved".equals(outcome);
        }
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
            if (githubRepo != null && !githubRepo.matches("[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("--github-repo must be OWNER/NAME, got '" + githubRepo + "'");
            }
            if (githubApi.getScheme() == null || !githubApi.getScheme().matches("https?") || githubApi.getHost() == null) {
                throw new IllegalArgumentException("--github-api-url must be an http(s) URL, got '" + githubApi + "'");
            }
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
            LinkedIssue issues = new LinkedIssue(githubApi, githubRepo != null ? githubRepo : gitHubRepository(url),
                    System.getenv(TOKEN_VARIABLE));
            FixReplay replay = new FixReplay(mined, key, search.home.resolve("backtest-replays"), sandbox, model, settings);
            try (EmbeddedDatabase ledger = EmbeddedDatabase.start(search.home, out.toAbsolutePath().resolve("ledger"))) {
                BacktestBudget run = openBudget(ledger, key, total, perIssue, err);
                replayAll(cases, done, err, (fix, issue) -> replayOne(replay, fix, issue, run, price, done,
                        results, err, search), issues);
                List<CaseResult> ordered = cases.stream().map(c -> done.get(c.commit()))
                        .filter(java.util.Objects::nonNull).toList();
                PrintStream stdout = System.out;
                stdout.println(table(ordered));
                stdout.println(summary(ordered));
                stdout.printf(Locale.ROOT, "spent %s of the %s budget (the ledger in %s)%n", run.spent(), total,
                        out.resolve("ledger"));
                for (Path chart : BacktestCharts.write(ordered, perIssue, out)) {
                    err.println("[chart] " + chart);
                }
            }
            return 0;
        } finally {
            if (model instanceof AutoCloseable closeable) {
                closeable.close();
            }
        }
    }

    /**
     * The run's money in the ledger under {@code --out}, with the project's migrations: what a killed run still held
     * is given back, and what earlier runs spent is said (and counts against {@code --budget}).
     */
    private static BacktestBudget openBudget(EmbeddedDatabase ledger, String key, Money total, Money perIssue,
                                             PrintStream err) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(ledger.jdbcUrl());
        dataSource.setUser("postgres");
        dataSource.setPassword(ledger.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        BacktestBudget run = new BacktestBudget(dataSource, key, total, perIssue);
        int released = run.releaseLeftOver();
        if (released > 0) {
            err.println("[budget] gave back " + released + " holds a stopped run left open");
        }
        if (!run.spent().isZero()) {
            err.println("[budget] earlier runs spent " + run.spent() + " of the " + total + " budget");
        }
        return run;
    }

    /** Replays one case. */
    @FunctionalInterface
    private interface Replayer {
        void replay(FixMiner.FixCase fix, LinkedIssue.IssueText issue) throws Exception;
    }

    /** Replays the cases not yet in {@code done}, {@code --cases-at-once} at a time. */
    private void replayAll(List<FixMiner.FixCase> cases, Map<String, CaseResult> done, PrintStream err,
                           Replayer replayer, LinkedIssue issues) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, casesAtOnce));
        try {
            List<Future<?>> running = new ArrayList<>();
            for (FixMiner.FixCase fix : cases.stream().filter(c -> !done.containsKey(c.commit())).toList()) {
                running.add(pool.submit(() -> {
                    LinkedIssue.IssueText issue = issues.find(fix.message());
                    err.println("[issue] " + fix.commit().substring(0, 10) + ": " + issue.source());
                    replayer.replay(fix, issue);
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
    }

    /** Replays one case within its own budget and the run's, and writes every result so far. */
    private static void replayOne(FixReplay replay, FixMiner.FixCase fix, LinkedIssue.IssueText issue,
                                  BacktestBudget run, Price price, Map<String, CaseResult> done, Path results,
                                  PrintStream err, SearchOptions search) throws Exception {
        SpendGuard guard = run.forCase(fix.commit());
        long caseStart = System.nanoTime();
        FixReplay.Outcome outcome = replay.replay(fix, issue, SolveContext.of(JobRecorder.NONE)
                .withMeter(search.meter(guard, price)));
        Money spent = guard.status().jobSpent();
        run.finished(fix.commit(), outcome.resolved());
        CaseResult result = new CaseResult(fix.commit(), fix.title(), issue.source(),
                outcome.resolved() ? "resolved" : "unresolved", outcome.verdict(), spent.toString(), spent.micros(),
                Math.round((System.nanoTime() - caseStart) / 1e9), outcome.solve().rounds(),
                outcome.solve().candidates().size(), fix.failToPass());
        synchronized (done) {
            done.put(fix.commit(), result);
            JSON.writeValue(results.toFile(), new ArrayList<>(done.values()));
        }
        err.printf(Locale.ROOT, "[replay] %s %s: %s (%s, %d s)%n", fix.commit().substring(0, 10), result.outcome(),
                outcome.verdict(), result.cost(), result.seconds());
    }

    /** {@code owner/name} when {@code url} is a GitHub-style https clone URL, else null. */
    static String gitHubRepository(URI url) {
        if (url.getScheme() == null || !url.getScheme().startsWith("http") || url.getPath() == null) {
            return null;
        }
        String[] parts = url.getPath().replaceAll("^/+|/+$", "").replaceAll("\\.git$", "").split("/");
        return parts.length == 2 ? parts[0] + "/" + parts[1] : null;
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
        List<CaseResult> resolved = results.stream().filter(CaseResult::resolved).toList();
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
