package dev.patchwright.worker.solve;

import dev.patchwright.inference.model.InferenceException;
import dev.patchwright.inference.model.Model;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The solve pipeline on real repositories with the real sandbox; the model is a script of answers
 * (a {@link Model} like any other backend). The paths the end-to-end test does not walk.
 */
class SolvePipelineIT {

    @TempDir
    Path temp;

    private final BubblewrapSandbox sandbox = SolveFixture.sandbox();

    @Test
    void aFailingSetupStopsBeforeAnyModelCall() throws Exception {
        ScriptedModel model = new ScriptedModel();
        SolveResult result = solve(Map.of("app.py", "x = 1\n",
                ".github/patchwright.yml", "setup: echo fetching; exit 7\ntest: python3 -c 'pass'\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.SETUP_FAILED);
        assertThat(result.reason()).contains("exit 7").contains("exit code 7");
        assertThat(model.calls).isZero();
    }

    @Test
    void aMissingConfigurationSaysWhatToWrite() throws Exception {
        SolveResult result = solve(Map.of("app.py", "x = 1\n"), new ScriptedModel());
        assertThat(result.outcome()).isEqualTo(Outcome.CONFIG_INVALID);
        assertThat(result.reason()).contains(".github/patchwright.yml").contains("test:");
    }

    private static final String APP_TEST = """
            import unittest, app
            class AppTest(unittest.TestCase):
                def test_x(self):
                    self.assertEqual(app.x, 2)
            """;
    /** A suite that passes and covers nothing (Python 3.12 fails a run of no tests at all). */
    private static final String TRIVIAL_TEST = "import unittest\nclass T(unittest.TestCase):\n"
            + "    def test_imports(self):\n        import app\n";
    private static final String WRONG = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n>>>>>>> REPLACE\n";
    private static final String RIGHT = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";

    @Test
    void theSamePatchTwiceIsAVoteNotARunAndEditsThatDoNotApplyAreRejected() throws Exception {
        ScriptedModel model = new ScriptedModel(WRONG, WRONG,
                "app.py\n<<<<<<< SEARCH\ny = 1\n=======\ny = 2\n>>>>>>> REPLACE\n");
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", APP_TEST,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 3\nrounds: 1\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.NO_PASSING_CANDIDATE);
        assertThat(result.candidates()).extracting(CandidateRecord::reason).satisfiesExactly(
                first -> assertThat(first).isEqualTo("no test shows the issue fixed: it adds no test, and none of the "
                        + "tests that failed on the base commit passes now (test_app.AppTest.test_x)"),
                second -> assertThat(second).startsWith("the same patch as candidate 1: counted as a vote"),
                third -> assertThat(third).contains("the edits did not apply").contains("app.py"));
        assertThat(result.candidates().get(0).evidence().votes()).isEqualTo(2);
        assertThat(result.baseline().passed()).isFalse();
        assertThat(model.calls).as("a server that ignores n is asked once per sample").isEqualTo(3);
        assertThat(model.requests.get(0).n()).isEqualTo(3);
        assertThat(model.requests).extracting(r -> r.messages()).as("one prompt for the whole round").containsOnly(
                model.requests.get(0).messages());
    }

    @Test
    void aWrongFirstRoundIsRepairedInTheSecondWhichSeesTheFailureAndTheSamePrefix() throws Exception {
        ScriptedModel model = new ScriptedModel(WRONG, RIGHT);
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", APP_TEST,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\nrounds: 3\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.winner().ordinal()).isEqualTo(2);
        assertThat(result.winner().round()).isEqualTo(2);
        assertThat(result.winner().reason()).contains("test_x fails on the base commit and passes with the patch");
        assertThat(result.phases()).extracting(SolveResult.Phase::name)
                .containsExactly("fetch", "baseline", "pack", "round 1", "round 2");
        var first = model.requests.get(0).messages();
        var second = model.requests.get(1).messages();
        assertThat(second.subList(0, first.size())).as("the long prefix is byte-identical across rounds")
                .isEqualTo(first);
        String tail = second.get(second.size() - 1).content();
        assertThat(tail).contains("## Candidate 1", "-x = 1", "+x = 3", "AssertionError", "no test shows the issue fixed")
                .doesNotContain("\u001B[");
    }

    @Test
    void twoIdenticalRightPatchesOutvoteADifferentOne() throws Exception {
        String other = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 1 + 1\n>>>>>>> REPLACE\n";
        String agreed = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2  # two, as documented\n>>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(other, agreed, agreed);
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", APP_TEST,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 3\nrounds: 1\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.winner().ordinal()).isEqualTo(2);
        assertThat(result.winner().evidence().votes()).isEqualTo(2);
        assertThat(result.candidates().get(0).status()).as("the outvoted patch was accepted too").isEqualTo("passed");
        assertThat(SolveReport.pullRequestBody(SolveFixture.request(temp), result))
                .contains("Runner-up patches", "Candidate 1 (1 vote)", "round 1, candidate 2 (2 votes)");
    }

    @Test
    void aRightPatchWhoseOwnTestFailsOnTheBaseBeatsOneWithoutATestWhenTheSuiteNeverCoveredTheBug() throws Exception {
        // The existing test passes on the base commit: it does not cover the bug, so passing it proves nothing.
        String covered = """
                import unittest, app
                class AppTest(unittest.TestCase):
                    def test_y(self):
                        self.assertEqual(app.y, 5)
                """;
        String withTest = RIGHT + "\ntest_x.py\n<<<<<<< SEARCH\n=======\nimport unittest, app\n"
                + "class XTest(unittest.TestCase):\n    def test_x_is_two(self):\n        self.assertEqual(app.x, 2)\n"
                + ">>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(RIGHT, withTest);
        SolveResult result = solve(Map.of("app.py", "x = 1\ny = 5\n", "test_app.py", covered,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 2\nrounds: 1\n"), model);

        assertThat(result.baseline().passed()).isTrue();
        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.candidates().get(0).status()).isEqualTo("rejected");
        assertThat(result.candidates().get(0).reason()).startsWith("no test shows the issue fixed: it adds no test");
        assertThat(result.winner().ordinal()).isEqualTo(2);
        assertThat(result.winner().evidence().reproduction()).containsExactly("test_x.XTest.test_x_is_two");
        assertThat(result.winner().reason())
                .startsWith("its test test_x.XTest.test_x_is_two fails on the base code and passes with the patch");
    }

    @Test
    void eachCandidatesReproductionTestVotesOnTheOthersAndTheFixThatPassesMoreOfThemWins() throws Exception {
        String low = "app.py\n<<<<<<< SEARCH\n    return v\n=======\n    return max(0, v)\n>>>>>>> REPLACE\n"
                + "test_low.py\n<<<<<<< SEARCH\n=======\nimport unittest, app\nclass LowTest(unittest.TestCase):\n"
                + "    def test_low(self):\n        self.assertEqual(app.clamp(-1), 0)\n>>>>>>> REPLACE\n";
        String both = "app.py\n<<<<<<< SEARCH\n    return v\n=======\n    return min(10, max(0, v))\n"
                + ">>>>>>> REPLACE\ntest_high.py\n<<<<<<< SEARCH\n=======\nimport unittest, app\n"
                + "class HighTest(unittest.TestCase):\n    def test_high(self):\n        self.assertEqual(app.clamp(11), 10)\n"
                + ">>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(low, both);
        List<String> events = new ArrayList<>();
        SolveResult result = pipeline(model).solve(request(repository(Map.of(
                "app.py", "def clamp(v):\n    return v\n", "test_app.py", TRIVIAL_TEST,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 2\nrounds: 1\n"))),
                new JobRecorder() {
                    @Override
                    public void event(String kind, String message) {
                        events.add(kind + ": " + message);
                    }

                    @Override
                    public void candidate(CandidateRecord candidate) {
                    }
                });

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.candidates()).extracting(CandidateRecord::status).containsExactly("passed", "passed");
        assertThat(result.winner().ordinal()).as("it also passes candidate 1's test; candidate 1 fails its").isEqualTo(2);
        assertThat(result.winner().evidence().votes()).isEqualTo(2);
        assertThat(result.candidates().get(0).evidence().votes()).isEqualTo(1);
        assertThat(events).contains("vote: candidate 2 passes the reproduction tests of 1 other candidate");
    }

    @Test
    void aPatchWhoseTestAlsoPassesOnTheBaseIsNotVerified() throws Exception {
        String vacuous = RIGHT + "\ntest_more.py\n<<<<<<< SEARCH\n=======\nimport unittest\n"
                + "class MoreTest(unittest.TestCase):\n    def test_true(self):\n        self.assertTrue(True)\n"
                + ">>>>>>> REPLACE\n";
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", TRIVIAL_TEST,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\nrounds: 1\n"),
                new ScriptedModel(vacuous));

        assertThat(result.outcome()).isEqualTo(Outcome.NO_PASSING_CANDIDATE);
        assertThat(result.candidates().get(0).reason())
                .startsWith("no test shows the issue fixed: its test passes on the base code too");
    }

    @Test
    void aBaseCommitWhoseTestsCannotRunStopsBeforeAnyModelCall() throws Exception {
        ScriptedModel model = new ScriptedModel(RIGHT);
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", "import app, missing_module\n",
                ".github/patchwright.yml", "test: python3 -m unittest\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.BASELINE_BROKEN);
        assertThat(result.reason()).contains("could not build or run the tests")
                .contains("unittest could not import a test module").contains("No model was called");
        assertThat(model.calls).isZero();
        assertThat(result.candidates()).isEmpty();
    }

    @Test
    void withoutATestCommandTheBuildIsDetectedAndSaid() throws Exception {
        ScriptedModel model = new ScriptedModel(RIGHT);
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", APP_TEST,
                "pytest.ini", "[pytest]\n"), model);

        assertThat(result.detected()).contains("detected a pytest build", "python3 -m pytest -q",
                ".github/patchwright.yml");
        assertThat(result.testCommand()).isEqualTo("python3 -m pytest -q");
        assertThat(result.setup().command()).as("nothing to install: no requirements file").isEqualTo("true");
        assertThat(result.baseline().command()).isEqualTo("python3 -m pytest -q");
    }

    @Test
    void aModelThatKeepsFailingEndsTheSolveWithItsError() throws Exception {
        ScriptedModel model = new ScriptedModel();
        model.failWith = new InferenceException("model server answered 503: overloaded", true, 503, null);
        SolveResult result = solve(Map.of("app.py", "x = 1\n",
                ".github/patchwright.yml", "test: python3 -c 'pass'\ncandidates: 2\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.MODEL_FAILED);
        assertThat(result.reason()).contains("overloaded");
        assertThat(result.candidates()).allSatisfy(c -> assertThat(c.status()).isEqualTo("error"));
    }

    @Test
    void aStopRequestEndsTheSolveBeforeTheNextCandidate() throws Exception {
        ScriptedModel model = new ScriptedModel(WRONG);
        Path repo = repository(Map.of("app.py", "x = 1\n", ".github/patchwright.yml", "test: exit 1\ncandidates: 1\n"));
        List<CandidateRecord> recorded = new ArrayList<>();
        SolveResult result = pipeline(model).solve(request(repo), new JobRecorder() {
            @Override
            public void event(String kind, String message) {
            }

            @Override
            public void candidate(CandidateRecord candidate) {
                recorded.add(candidate);
            }
        }, () -> !recorded.isEmpty());

        assertThat(result.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(recorded).hasSize(1);
        assertThat(model.calls).isEqualTo(1);
    }

    @Test
    void aRepositoryLargerThanTheModelsWindowIsCutToFitKeepingTheFileTheIssueNames() throws Exception {
        Map<String, String> files = new java.util.HashMap<>(Map.of("app.py", "x = 1\n", "test_app.py", """
                import unittest, app
                class AppTest(unittest.TestCase):
                    def test_x(self):
                        self.assertEqual(app.x, 2)
                """, ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\n"));
        for (int i = 0; i < 60; i++) {
            StringBuilder body = new StringBuilder();
            for (int f = 0; f < 40; f++) {
                body.append("def report_").append(i).append('_').append(f).append("(rows):\n    return sum(rows) * ")
                        .append(f).append("\n\n");
            }
            files.put("reports/report_" + i + ".py", body.toString());
        }
        // Over the window, the model is first asked which files to open (localisation), then for the candidate.
        ScriptedModel model = new ScriptedModel("app.py\ntest_app.py\n",
                "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        long context = 40_000;
        SolveSettings settings = SolveSettings.defaults(work()).withContextTokens(context);

        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model, settings)
                .solve(new SolveRequest("local/app", repository(files).toUri(), null, null, 0, "x in app.py should be 2",
                        "Make x 2.", null), JobRecorder.NONE);

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(model.prompts.get(0)).contains("Which files must be opened", "reports/report_7.py", "x in app.py should be 2");
        String prompt = model.prompts.get(1);
        assertThat(prompt).contains("<file path=\"app.py\">\nx = 1\n</file>", "<file path=\"test_app.py\">", "<file_map");
        long tokens = dev.patchwright.inference.tokenizer.Tokenizers.load("o200k_base").count(prompt);
        assertThat(tokens).as("the whole prompt fits the window with room for the answer")
                .isLessThan(context - settings.maxOutputTokens());
    }

    @Test
    void aWindowWithNoRoomForTheRepositoryEndsWithAReason() throws Exception {
        ScriptedModel model = new ScriptedModel();
        SolveSettings settings = SolveSettings.defaults(work()).withContextTokens(20_000);
        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model, settings)
                .solve(request(repository(Map.of("app.py", "x = 1\n", ".github/patchwright.yml",
                        "test: python3 -c 'pass'\n"))), JobRecorder.NONE);

        assertThat(result.outcome()).isEqualTo(Outcome.MODEL_FAILED);
        assertThat(result.reason()).contains("context window (20000 tokens)");
        assertThat(model.calls).isZero();
    }

    @Test
    void aCandidateThatEmptiesAnExistingTestIsNotAcceptedThoughTheTestsPass() throws Exception {
        String test = """
                import unittest, app
                class AppTest(unittest.TestCase):
                    def test_x(self):
                        self.assertEqual(app.x, 2)
                """;
        String weaken = "test_app.py\n<<<<<<< SEARCH\n        self.assertEqual(app.x, 2)\n=======\n        pass\n"
                + ">>>>>>> REPLACE\n";
        String fix = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n";
        Map<String, String> files = Map.of("app.py", "x = 1\n", "test_app.py", test,
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 2\n");

        SolveResult result = solve(files, new ScriptedModel(weaken, fix));

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(result.candidates().get(0).status()).isEqualTo("rejected");
        assertThat(result.candidates().get(0).reason()).startsWith("it changes test_app.py, which only a person may change");
        assertThat(result.winner().ordinal()).isEqualTo(2);
    }

    private SolveResult solve(Map<String, String> files, ScriptedModel model) throws Exception {
        return pipeline(model).solve(request(repository(files)), JobRecorder.NONE);
    }

    private SolvePipeline pipeline(Model model) throws Exception {
        return new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model, SolveSettings.defaults(work()));
    }

    private Path work() throws Exception {
        return SolveFixture.work(temp);
    }

    private static SolveRequest request(Path repo) {
        return SolveFixture.request(repo);
    }

    private Path repository(Map<String, String> files) throws Exception {
        return SolveFixture.repository(temp, files);
    }
}
