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

    @Test
    void theSamePatchTwiceIsNotRunAgainAndEditsThatDoNotApplyAreRejected() throws Exception {
        String wrong = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n>>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(wrong, wrong,
                "app.py\n<<<<<<< SEARCH\ny = 1\n=======\ny = 2\n>>>>>>> REPLACE\n");
        SolveResult result = solve(Map.of("app.py", "x = 1\n", "test_app.py", """
                        import unittest, app
                        class AppTest(unittest.TestCase):
                            def test_x(self):
                                self.assertEqual(app.x, 2)
                        """, ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 3\n"), model);

        assertThat(result.outcome()).isEqualTo(Outcome.NO_PASSING_CANDIDATE);
        assertThat(result.candidates()).extracting(CandidateRecord::reason).satisfiesExactly(
                first -> assertThat(first).contains("tests failed").contains("test_x"),
                second -> assertThat(second).isEqualTo("the same patch as candidate 1, not run again"),
                third -> assertThat(third).contains("the edits did not apply").contains("app.py"));
        assertThat(result.baseline().passed()).isFalse();
        assertThat(model.calls).isEqualTo(3);
        assertThat(model.prompts.get(2)).as("the model is told why the earlier candidates failed")
                .contains("That answer did not work");
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
        ScriptedModel model = new ScriptedModel("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n>>>>>>> REPLACE\n");
        Path repo = repository(Map.of("app.py", "x = 1\n", ".github/patchwright.yml", "test: exit 1\ncandidates: 4\n"));
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
