package dev.patchwright.worker.solve;

import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.git.TreeLimits;
import dev.patchwright.worker.sandbox.BubblewrapSandbox;
import dev.patchwright.worker.solve.SolveResult.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.TreeWalk;

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

    @Test
    void entriesThatCannotBeWrittenOutAreNamedBeforeTheModelIsPaidAndTheCommitKeepsThem() throws Exception {
        Path repo = SolveFixture.repository(temp, Map.of("app.py", "x = 1\n",
                "test_app.py", "import unittest, app\nclass AppTest(unittest.TestCase):\n"
                        + "    def test_x(self):\n        self.assertEqual(app.x, 2)\n",
                ".github/patchwright.yml", "test: python3 -m unittest\ncandidates: 1\n"));
        ObjectId planted = plantAtRoot(repo, ".GIT", "config", "[core]\n\tfsmonitor = touch /tmp/pwned\n");
        ScriptedModel model = new ScriptedModel("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        List<String> events = new ArrayList<>();
        JobRecorder recorder = new JobRecorder() {
            @Override
            public void event(String kind, String message) {
                events.add(kind + ": " + message + (model.calls > 0 ? " (after a model call)" : ""));
            }

            @Override
            public void candidate(CandidateRecord candidate) {
            }
        };
        RepoMirror mirror = new RepoMirror(temp.resolve("mirrors"));

        SolveResult result = new SolvePipeline(mirror, sandbox, model, SolveSettings.defaults(SolveFixture.work(temp)))
                .solve(SolveFixture.request(repo), recorder);

        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SOLVED);
        assertThat(model.calls).isEqualTo(1);
        assertThat(events).anySatisfy(e -> assertThat(e).startsWith("tree: 1 entries of the base tree are not written")
                .contains(".GIT/config").doesNotContain("after a model call"));
        try (Repository mirrored = new FileRepositoryBuilder().setGitDir(mirror.directory("local/app").toFile()).build();
             RevWalk walk = new RevWalk(mirrored)) {
            RevCommit patch = walk.parseCommit(result.patchCommit());
            try (TreeWalk kept = TreeWalk.forPath(mirrored, ".GIT/config", patch.getTree());
                 TreeWalk changed = TreeWalk.forPath(mirrored, "app.py", patch.getTree())) {
                assertThat(kept.getObjectId(0)).as("the base tree's entry, untouched").isEqualTo(planted);
                assertThat(new String(mirrored.open(changed.getObjectId(0)).getBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("x = 2\n");
            }
        }
        assertThat(Path.of("/tmp/pwned")).doesNotExist();
    }

    /**
     * Adds a commit on main whose root tree also holds {@code dir/file}, a directory name that git's
     * own tools refuse to create (so it is written with the object API). Returns the file's blob.
     */
    private static ObjectId plantAtRoot(Path repo, String dir, String file, String content) throws Exception {
        try (Repository r = new FileRepositoryBuilder().setGitDir(repo.resolve(".git").toFile()).build();
             ObjectInserter inserter = r.newObjectInserter();
             RevWalk walk = new RevWalk(r)) {
            RevCommit head = walk.parseCommit(r.resolve("refs/heads/main"));
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, content.getBytes(StandardCharsets.UTF_8));
            TreeFormatter inner = new TreeFormatter();
            inner.append(file, FileMode.REGULAR_FILE, blob);
            ObjectId innerId = inserter.insert(inner);
            // ".GIT" sorts before every other entry of these trees ('.' and upper case come first).
            TreeFormatter root = new TreeFormatter();
            root.append(dir, FileMode.TREE, innerId);
            for (CanonicalTreeParser p = new CanonicalTreeParser(null, walk.getObjectReader(), head.getTree());
                 !p.eof(); p.next()) {
                root.append(p.getEntryPathBuffer(), 0, p.getEntryPathLength(), p.getEntryFileMode(),
                        p.getEntryObjectId());
            }
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(inserter.insert(root));
            commit.setParentId(head);
            commit.setAuthor(head.getAuthorIdent());
            commit.setCommitter(head.getCommitterIdent());
            commit.setMessage("plant " + dir + "/" + file + "\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = r.updateRef("refs/heads/main");
            update.setNewObjectId(id);
            update.setForceUpdate(true);
            assertThat(update.update()).isIn(RefUpdate.Result.FORCED, RefUpdate.Result.FAST_FORWARD);
            return blob;
        }
    }

    @Test
    void aGitBombIsRefusedFromItsObjectHeadersBeforeAnythingIsWrittenOrPaidFor() throws Exception {
        // Three entries of one zero blob: a few kilobytes in the mirror, three times the blob on disk.
        String zeros = "\0".repeat(3_000_000);
        Path repo = SolveFixture.repository(temp, Map.of("a.bin", zeros, "b.bin", zeros, "c.bin", zeros,
                ".github/patchwright.yml", "test: python3 -c 'pass'\n"));
        ScriptedModel model = new ScriptedModel();
        List<String> events = new ArrayList<>();
        SolveSettings settings = SolveSettings.defaults(SolveFixture.work(temp));
        RepoMirror mirror = new RepoMirror(temp.resolve("mirrors"), new TreeLimits(4_000_000, 8_000_000, 100));

        SolveResult result = new SolvePipeline(mirror, sandbox, model, settings)
                .solve(SolveFixture.request(repo), events(events));

        assertThat(result.outcome()).isEqualTo(Outcome.OVER_DISK_LIMIT);
        assertThat(result.reason()).isEqualTo("the repository is too large to write out: the tree's files come to "
                + "more than 8000000 bytes (the limit) by c.bin (blob " + blobOf(repo, "c.bin") + ", 3000000 bytes)");
        assertThat(events).contains("tree: " + result.reason());
        assertThat(model.calls).isZero();
        assertThat(diskUse(temp.resolve("mirrors"))).as("the bomb is small packed").isLessThan(200_000);
        assertThat(diskUse(settings.workRoot())).as("nothing of it was written out").isZero();

        SolveResult perFile = new SolvePipeline(new RepoMirror(temp.resolve("mirrors"),
                new TreeLimits(1_000_000, 8_000_000, 100)), sandbox, model, settings)
                .solve(SolveFixture.request(repo), JobRecorder.NONE);
        assertThat(perFile.reason()).contains("a.bin (blob ").endsWith(") is 3000000 bytes, over the limit of "
                + "1000000 bytes per file");
        SolveResult files = new SolvePipeline(new RepoMirror(temp.resolve("mirrors"),
                new TreeLimits(4_000_000, 1_000_000_000, 2)), sandbox, model, settings)
                .solve(SolveFixture.request(repo), JobRecorder.NONE);
        assertThat(files.reason()).endsWith("the tree holds more than 2 files, the limit (counting stopped at b.bin)");
    }

    private static JobRecorder events(List<String> events) {
        return new JobRecorder() {
            @Override
            public void event(String kind, String message) {
                events.add(kind + ": " + message);
            }

            @Override
            public void candidate(CandidateRecord candidate) {
            }
        };
    }

    private static String blobOf(Path repo, String path) throws Exception {
        try (Repository r = new FileRepositoryBuilder().setGitDir(repo.resolve(".git").toFile()).build();
             RevWalk walk = new RevWalk(r);
             TreeWalk entry = TreeWalk.forPath(r, path, walk.parseCommit(r.resolve("refs/heads/main")).getTree())) {
            return entry.getObjectId(0).name();
        }
    }

    /** The apparent size of the regular files under a directory, in bytes. */
    static long diskUse(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            long total = 0;
            for (Path file : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    total += ((Number) Files.getAttribute(file, "unix:size", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                            .longValue();
                }
            }
            return total;
        }
    }

    @Test
    void aSparseFileFromSetupStaysSparseInEveryCopy() throws Exception {
        // Each test run prints what the 8 GB file takes on disk in its copy of the tree.
        ScriptedModel model = new ScriptedModel("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model,
                SolveSettings.defaults(SolveFixture.work(temp))).solve(SolveFixture.request(SolveFixture.repository(temp,
                Map.of("app.py", "x = 1\n", "test_app.py", "import unittest, app\nclass AppTest(unittest.TestCase):\n"
                                + "    def test_x(self):\n        self.assertEqual(app.x, 2)\n",
                        ".github/patchwright.yml", "setup: truncate -s 8G big.img\n"
                                + "test: stat -c 'apparent %s' big.img && du -B1 big.img && python3 -m unittest\n"
                                + "candidates: 1\n"))), JobRecorder.NONE);

        assertThat(result.outcome()).as(result.reason()).isEqualTo(Outcome.SOLVED);
        for (String output : List.of(result.baseline().outputTail(), result.candidates().get(0).testOutputTail())) {
            assertThat(output).contains("apparent 8589934592");
            java.util.regex.Matcher used = java.util.regex.Pattern.compile("(?m)^(\\d+)\\s+big\\.img$").matcher(output);
            assertThat(used.find()).as(output).isTrue();
            assertThat(Long.parseLong(used.group(1))).as("bytes the copy takes on disk").isLessThan(1 << 20);
        }
    }

    @Test
    void aTestCommandOrSetupThatFillsTheDiskIsKilledAtItsCap() throws Exception {
        // 1 MiB every 0.1 s, 200 times: checked every second, the command is stopped long before the end.
        String fill = "for i in $(seq 1 200); do head -c 1048576 /dev/zero > %s$i.bin; echo wrote $i; sleep 0.1; done";
        ScriptedModel model = new ScriptedModel("app.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n>>>>>>> REPLACE\n");
        SolveSettings settings = SolveSettings.defaults(SolveFixture.work(temp)).withDiskLimits(16L << 20, 16L << 20);
        // The tests fill the disk once the patch is in: the base commit's run ends (failing) on its own.
        Path repo = SolveFixture.repository(temp, Map.of("app.py", "x = 1\n", ".github/patchwright.yml",
                "test: python3 -c 'import app, sys; sys.exit(0 if app.x == 2 else 1)' && { " + fill.formatted("fill")
                        + "; }; exit 1\ncandidates: 1\nrounds: 1\n"));

        SolveResult result = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, model, settings)
                .solve(SolveFixture.request(repo), JobRecorder.NONE);

        String reason = "killed: the job's worktrees took more than 16 MiB of disk (the limit)";
        assertThat(result.outcome()).isEqualTo(Outcome.NO_PASSING_CANDIDATE);
        assertThat(result.baseline().description()).startsWith("exit code 1");
        assertThat(result.candidates().get(0).reason()).startsWith("with the patch, ").contains(reason);
        assertThat(lastWritten(result.candidates().get(0).testOutputTail())).as("MiB written before the kill")
                .isBetween(16, 80);

        // On the base commit itself, such a run is a broken environment: no model is paid.
        ScriptedModel unpaid = new ScriptedModel();
        SolveResult broken = new SolvePipeline(new RepoMirror(temp.resolve("mirrors3")), sandbox, unpaid, settings)
                .solve(SolveFixture.request(SolveFixture.repository(temp.resolve("third"), Map.of("app.py", "x = 1\n",
                        ".github/patchwright.yml", "test: " + fill.formatted("fill") + "\n"))), JobRecorder.NONE);
        assertThat(broken.outcome()).isEqualTo(Outcome.BASELINE_BROKEN);
        assertThat(broken.reason()).contains(reason);
        assertThat(unpaid.calls).isZero();

        SolveResult setup = new SolvePipeline(new RepoMirror(temp.resolve("mirrors2")), sandbox, new ScriptedModel(),
                settings).solve(SolveFixture.request(SolveFixture.repository(temp.resolve("second"), Map.of("app.py",
                "x = 1\n", ".github/patchwright.yml", "setup: " + fill.formatted("$HOME/dep") + "\ntest: python3 -c pass\n"))),
                JobRecorder.NONE);
        assertThat(setup.outcome()).isEqualTo(Outcome.SETUP_FAILED);
        assertThat(setup.reason()).endsWith("failed (killed: the repository's dependency cache took more than 16 MiB "
                + "of disk (the limit))");
        assertThat(lastWritten(setup.setup().outputTail())).isBetween(16, 80);
    }

    private static int lastWritten(String output) {
        java.util.regex.Matcher wrote = java.util.regex.Pattern.compile("wrote (\\d+)").matcher(output);
        int last = 0;
        while (wrote.find()) {
            last = Integer.parseInt(wrote.group(1));
        }
        return last;
    }

    @Test
    void setupCannotReachTheHostsLoopbackUnlessTheOperatorGivesItTheNetwork() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try (java.net.Socket client = server.accept()) {
                        client.getOutputStream().write("postgres here\n".getBytes(StandardCharsets.UTF_8));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            String config = "setup: python3 -c \"import socket; s = socket.create_connection(('127.0.0.1', "
                    + server.getLocalPort() + "), 5); print('reached:', s.recv(64))\"\ntest: python3 -c pass\n"
                    + "setup-network: true\ncandidates: 1\n";
            Path repo = SolveFixture.repository(temp, Map.of("app.py", "x = 1\n", ".github/patchwright.yml", config));
            SolveSettings given = SolveSettings.defaults(SolveFixture.work(temp));
            SolveSettings serverDefaults = new SolveSettings(given.workRoot(), given.cacheRoot(), 1, 1, 8192, 0.7,
                    4L << 30, 256 * 1024, false, java.time.Duration.ofMinutes(5));
            List<String> events = new ArrayList<>();

            SolveResult refused = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox, new ScriptedModel(),
                    serverDefaults).solve(SolveFixture.request(repo), events(events));

            assertThat(refused.outcome()).isEqualTo(Outcome.SETUP_FAILED);
            assertThat(refused.setup().outputTail()).contains("ConnectionRefusedError").doesNotContain("reached:");
            assertThat(events).contains("setup: runs without network: this worker does not give setup: the network "
                    + "(PATCHWRIGHT_SOLVE_SETUP_NETWORK)");

            // What the operator turns on with the setting: the host's own namespace, loopback included.
            SolveResult shared = new SolvePipeline(new RepoMirror(temp.resolve("mirrors")), sandbox,
                    new ScriptedModel(), given).solve(SolveFixture.request(repo), JobRecorder.NONE);
            assertThat(shared.setup().outputTail()).contains("reached: b'postgres here");
        }
    }
}
