package dev.patchwright.worker.solve;

import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The solve pipeline against repositories and model answers written to attack the host side, with
 * the real sandbox: what each attempt leaves behind is what an operator would find.
 */
class HostileRepositoryIT {

    @TempDir
    Path temp;

    private final BubblewrapSandbox sandbox = SolveFixture.sandbox();

    @Test
    void aCandidateCannotPlantFilesInTheDependencyCacheThatSetupFilled() throws Exception {
        String poison = "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nimport os\n"
                + "open(os.path.expanduser('~/.m2/settings.xml'), 'w').write('<mirror>evil</mirror>')\nx = 2\n"
                + ">>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(poison);
        SolveSettings settings = SolveSettings.defaults(SolveFixture.work(temp));

        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model, settings)
                .solve(SolveFixture.request(SolveFixture.repository(temp, Map.of("app.py", "x = 1\n",
                        "test_app.py", "import unittest, app\nclass AppTest(unittest.TestCase):\n"
                                + "    def test_x(self):\n        self.assertEqual(app.x, 2)\n",
                        ".github/patchwright.yml", "setup: mkdir -p ~/.m2 && echo jar > ~/.m2/artifact.jar\n"
                                + "test: python3 -m unittest\ncandidates: 1\n"))), JobRecorder.NONE);

        Path cache = settings.cacheRoot().resolve("repos").resolve("local~app");
        assertThat(result.outcome()).isEqualTo(Outcome.NO_PASSING_CANDIDATE);
        assertThat(result.candidates().get(0).testOutputTail()).contains("Read-only file system");
        assertThat(cache.resolve(".m2/artifact.jar")).as("setup still fills the cache").hasContent("jar");
        assertThat(cache.resolve(".m2/settings.xml")).doesNotExist();
    }

    @Test
    void aSecretPrintedByAFailingTestOrEchoedFromAnAnswerNeverReachesTheModel() throws Exception {
        // The repository holds the key only in pieces, which the packer cannot recognise; the test
        // joins them at run time and prints the key when it fails.
        String test = """
                import unittest, app
                KEY = "sk-" + "proj-" + "Zq8Xv2Lm4Np6Rt0Yw3Bc5Df7Gh9Jk1" * 2
                TOKEN = "ghp" + "_" + "R8mT2kQ9vX4bN7cL1pZ6wY3sJ5dF0hG8aE2u"
                class AppTest(unittest.TestCase):
                    def test_x(self):
                        print("calling the API with", KEY, "and", TOKEN)
                        self.assertEqual(app.x, 2)
                """;
        String key = "sk-" + "proj-" + "Zq8Xv2Lm4Np6Rt0Yw3Bc5Df7Gh9Jk1".repeat(2);
        String token = "ghp" + "_" + "R8mT2kQ9vX4bN7cL1pZ6wY3sJ5dF0hG8aE2u";
        String leaky = "Try this, with the key " + token + ":\napp.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 3\n"
                + ">>>>>>> REPLACE\n";
        ScriptedModel model = new ScriptedModel(leaky, "app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");

        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model,
                SolveSettings.defaults(SolveFixture.work(temp))).solve(SolveFixture.request(SolveFixture.repository(temp,
                Map.of("app.py", "x = 1\n", "test_app.py", test,
                        ".github/patchwright.yml", "test: python3 -m unittest -v\ncandidates: 1\n"))), JobRecorder.NONE);

        assertThat(result.outcome()).isEqualTo(Outcome.SOLVED);
        assertThat(model.requests).hasSize(2);
        String second = model.requests.get(1).messages().stream().map(m -> m.content())
                .collect(java.util.stream.Collectors.joining("\n"));
        assertThat(second).as("the second prompt carries the failure, redacted")
                .contains("calling the API with [REDACTED openai-api-key] and [REDACTED github-token]");
        for (var request : model.requests) {
            for (var message : request.messages()) {
                assertThat(message.content()).doesNotContain(key, token);
            }
        }
        assertThat(result.candidates().get(0).testOutputTail()).doesNotContain(key, token);
    }
}
