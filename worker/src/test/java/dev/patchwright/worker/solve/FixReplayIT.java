package dev.patchwright.worker.solve;

import dev.patchwright.worker.git.RepoMirror;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replaying a mined past fix with the real sandbox: the model never sees the fix's test, and its patch is judged by
 * it. A model that answers with the real fix resolves the case; one that answers nothing, or weakens the tests (in a
 * repository that lets candidates change tests and accepts passing tests alone), does not.
 */
class FixReplayIT {

    @TempDir
    Path temp;

    private RepoMirror mined;
    private FixMiner.FixCase fix;

    @BeforeEach
    void mineOneFix() throws Exception {
        Path repo = temp.resolve("calc");
        Files.createDirectories(repo);
        try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
            write(repo, ".github/patchwright.yml", "test: python3 -m unittest -v\nallow-test-changes: true\n"
                    + "accept: tests-pass\ncandidates: 1\nrounds: 1\n");
            write(repo, "calc.py", "def add(a, b):\n    return a - b\n");
            write(repo, "test_calc.py", "import unittest, calc\nclass CalcTest(unittest.TestCase):\n"
                    + "    def test_zero(self):\n        self.assertEqual(calc.add(0, 0), 0)\n");
            commit(git, "Calculator");
            write(repo, "calc.py", "def add(a, b):\n    return a + b\n");
            write(repo, "test_add.py", "import unittest, calc\nclass AddTest(unittest.TestCase):\n"
                    + "    def test_add(self):\n        self.assertEqual(calc.add(2, 3), 5)\n");
            commit(git, "add() subtracts\n\nadd(2, 3) gives -1 instead of 5.");
        }
        mined = new RepoMirror(temp.resolve("mined-mirrors"));
        FixMiner miner = new FixMiner(mined, SolveFixture.sandbox(), SolveSettings.defaults(SolveFixture.work(temp)),
                temp.resolve("mined"));
        List<FixMiner.Mined> cases = miner.mine("local/calc", repo.toUri(), null, null, 5, line -> { });
        assertThat(cases).singleElement().satisfies(m -> assertThat(m.fix()).isNotNull());
        fix = cases.get(0).fix();
    }

    private FixReplay.Outcome replay(ScriptedModel model) throws Exception {
        return new FixReplay(mined, "local/calc", temp.resolve("replay-mirrors"), SolveFixture.sandbox(), model,
                SolveSettings.defaults(SolveFixture.work(temp))).replay(fix, SolveContext.of(JobRecorder.NONE));
    }

    @Test
    void theRealFixResolvesTheCaseAndTheModelNeverSawTheHiddenTest() throws Exception {
        ScriptedModel model = new ScriptedModel("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n"
                + "    return a + b\n>>>>>>> REPLACE\n");
        FixReplay.Outcome outcome = replay(model);

        assertThat(outcome.resolved()).as(outcome.verdict()).isTrue();
        assertThat(outcome.verdict()).contains("test_add.AddTest.test_add");
        String prompt = model.requests.get(0).messages().get(1).content();
        assertThat(prompt).contains("<issue>\n# add() subtracts", "add(2, 3) gives -1 instead of 5.")
                .doesNotContain("test_add.py", "AddTest");
    }

    @Test
    void aPatchThatChangesNothingUsefulDoesNotResolveIt() throws Exception {
        FixReplay.Outcome outcome = replay(new ScriptedModel("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n"
                + "    return b - a\n>>>>>>> REPLACE\n"));

        assertThat(outcome.resolved()).isFalse();
        assertThat(outcome.verdict()).startsWith("the fix's tests still fail with the patch: test_add.AddTest.test_add");
    }

    @Test
    void weakeningTheTestsDoesNotResolveItThoughTheSearchAcceptedThePatch() throws Exception {
        FixReplay.Outcome outcome = replay(new ScriptedModel("calc.py\n<<<<<<< SEARCH\n    return a - b\n=======\n"
                + "    return 0\n>>>>>>> REPLACE\ntest_calc.py\n<<<<<<< SEARCH\n"
                + "        self.assertEqual(calc.add(0, 0), 0)\n=======\n        pass\n>>>>>>> REPLACE\n"));

        assertThat(outcome.solve().outcome()).isEqualTo(SolveResult.Outcome.SOLVED);
        assertThat(outcome.resolved()).isFalse();
        assertThat(outcome.verdict()).contains("test_add.AddTest.test_add");
    }

    private static void write(Path repo, String path, String text) throws Exception {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private static void commit(Git git, String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.commit().setMessage(message).setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com")
                .setSign(false).call();
    }
}
