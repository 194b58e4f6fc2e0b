package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.Usage;
import dev.patchwright.inference.money.Money;
import dev.patchwright.inference.money.Price;
import dev.patchwright.worker.budget.Charge;
import dev.patchwright.worker.budget.MemorySpendGuard;
import dev.patchwright.worker.budget.SpendKind;
import dev.patchwright.worker.budget.SpendMeter;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The solve within a budget, on real repositories with the real sandbox: what it quotes, spends and refuses. */
class SolveBudgetIT {

    private static final Price PRICE = Price.parse("input=2.00,cached-input=0.50,output=8.00");
    private static final Money CPU_HOUR = Money.parse("0.06");
    private static final String WRONG = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n>>>>>>> REPLACE\n";
    private static final String RIGHT = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";
    private static final Map<String, String> REPO = Map.of("app.py", "x = 1\n", "test_app.py", """
            import unittest, app
            class AppTest(unittest.TestCase):
                def test_x(self):
                    self.assertEqual(app.x, 2)
            """, ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\nrounds: 5\ntest-timeout: 60s\n");

    private final BubblewrapSandbox sandbox = SolveFixture.sandbox();

    @TempDir
    Path temp;

    @Test
    void aBudgetThatCannotPayForOneCandidateStopsBeforeTheModelIsCalledAndSaysWhy() throws Exception {
        ScriptedModel model = new ScriptedModel(RIGHT);
        MemorySpendGuard guard = new MemorySpendGuard(Money.parse("0.02"));
        List<String> said = new ArrayList<>();

        SolveResult result = pipeline(model).solve(SolveFixture.request(SolveFixture.repository(temp, REPO)),
                SolveContext.of(JobRecorder.NONE).withMeter(meter(guard)).withProgress(said::add));

        assertThat(model.calls).isZero();
        assertThat(result.outcome()).isEqualTo(Outcome.BUDGET_EXHAUSTED);
        assertThat(result.reason()).startsWith("the remaining budget cannot pay for one candidate: at its worst one costs $0.0")
                .contains("is left").contains("for this issue");
        assertThat(said).singleElement().asString().startsWith("**Quote:** 5 candidates × ")
                .contains("prompt tokens at input $2.00/M, cached $0.50/M, output $8.00/M");
        assertThat(guard.charges()).as("the setup-less baseline test run was paid for")
                .extracting(Charge::kind).containsOnly(SpendKind.SANDBOX);
        assertThat(result.spend().spent()).isEqualTo(guard.status().jobSpent().toString());
    }

    @Test
    void modelCallsAndTestRunsAreChargedAndTheBudgetIsNeverPassed() throws Exception {
        ScriptedModel model = new ScriptedModel(WRONG, WRONG, WRONG, WRONG, WRONG);
        model.usage = new Usage(3_000, 1_000, 8_000); // each call close to its output limit
        Money limit = Money.parse("0.20");
        MemorySpendGuard guard = new MemorySpendGuard(limit);

        SolveResult result = pipeline(model).solve(SolveFixture.request(SolveFixture.repository(temp, REPO)),
                SolveContext.of(JobRecorder.NONE).withMeter(meter(guard)));

        assertThat(result.outcome()).isEqualTo(Outcome.BUDGET_EXHAUSTED);
        assertThat(result.reason()).startsWith("the budget cannot pay for the next step: the budget of $0.20 has");
        assertThat(model.calls).isBetween(1, 4);
        Money spent = guard.charges().stream().map(Charge::amount).reduce(Money.ZERO, Money::plus);
        assertThat(spent).isEqualTo(guard.status().jobSpent());
        assertThat(spent.exceeds(limit)).isFalse();
        Money oneCall = PRICE.cost(model.usage);
        assertThat(guard.charges()).filteredOn(c -> c.kind() == SpendKind.MODEL).hasSize(model.calls)
                .allSatisfy(c -> assertThat(c.amount()).isEqualTo(oneCall));
        assertThat(guard.charges()).filteredOn(c -> c.kind() == SpendKind.SANDBOX).isNotEmpty()
                .allSatisfy(c -> assertThat(c.price()).isEqualTo("$0.06/CPU-hour"));
        assertThat(SolveReport.failureText(SolveFixture.request(temp.resolve("repo")), result))
                .contains("Spent: **" + spent + "** of this issue's $0.20 budget");
    }

    @Test
    void aRetryDoesNotPayAgainForCandidatesAnEarlierAttemptRecorded() throws Exception {
        ScriptedModel model = new ScriptedModel(RIGHT);
        CandidateRecord earlier = new CandidateRecord(1, "rejected", "tests failed: test_x", List.of("test_x"),
                "diff --git a/app.py b/app.py\n-x = 1\n+x = 3\n", "scripted", 100, 10, "AssertionError: 3 != 2", 5, WRONG);
        List<CandidateRecord> recorded = new ArrayList<>();

        SolveResult result = pipeline(model).solve(SolveFixture.request(SolveFixture.repository(temp, REPO)),
                SolveContext.of(new Earlier(List.of(earlier), recorded)).withMeter(meter(MemorySpendGuard.unlimited())));

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(model.calls).isEqualTo(1);
        assertThat(model.prompts.get(0)).as("told why the recorded candidate failed").contains("AssertionError: 3 != 2");
        assertThat(recorded).extracting(CandidateRecord::ordinal).containsExactly(2);
        assertThat(result.candidates()).extracting(CandidateRecord::ordinal).containsExactly(1, 2);
    }

    @Test
    void aCandidateThatPassedOnAnEarlierAttemptIsRebuiltWithoutCallingTheModel() throws Exception {
        ScriptedModel model = new ScriptedModel();
        CandidateRecord passed = new CandidateRecord(1, "passed", "`python3 -m unittest` passed", List.of(),
                "diff", "scripted", 100, 10, "OK", 5, RIGHT);
        Path repo = SolveFixture.repository(temp, REPO);
        RepoMirror mirror = new RepoMirror(temp.resolve("mirrors"));

        SolveResult result = new SolvePipeline(mirror, sandbox, model, SolveSettings.defaults(SolveFixture.work(temp)))
                .solve(SolveFixture.request(repo), SolveContext.of(new Earlier(List.of(passed), new ArrayList<>())));

        assertThat(model.calls).isZero();
        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.winner()).isEqualTo(passed);
        assertThat(mirror.diff("local/app", result.baseCommit(), result.patchCommit())).contains("+x = 2");
    }

    @Test
    void noCandidateStartsAfterThePerIssueTimeLimit() throws Exception {
        ScriptedModel model = new ScriptedModel(RIGHT);
        SolveResult result = pipeline(model).solve(SolveFixture.request(SolveFixture.repository(temp, REPO)),
                SolveContext.of(JobRecorder.NONE).withMeter(meter(MemorySpendGuard.unlimited()))
                        .withDeadline(Instant.now().minusSeconds(1)));

        assertThat(result.outcome()).isEqualTo(Outcome.BUDGET_EXHAUSTED);
        assertThat(result.reason()).isEqualTo("the per-issue time limit was reached before round 1");
        assertThat(model.calls).isZero();
    }

    private SolvePipeline pipeline(ScriptedModel model) throws Exception {
        return new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model,
                SolveSettings.defaults(SolveFixture.work(temp)));
    }

    private static SpendMeter meter(MemorySpendGuard guard) {
        return new SpendMeter(guard, PRICE, CPU_HOUR, Duration.ofMinutes(10));
    }

    /** A recorder whose job had an earlier attempt. */
    private record Earlier(List<CandidateRecord> earlier, List<CandidateRecord> recorded) implements JobRecorder {
        @Override
        public void event(String kind, String message) {
        }

        @Override
        public void candidate(CandidateRecord candidate) {
            recorded.add(candidate);
        }

        @Override
        public List<CandidateRecord> earlierCandidates() {
            return earlier;
        }
    }
}
