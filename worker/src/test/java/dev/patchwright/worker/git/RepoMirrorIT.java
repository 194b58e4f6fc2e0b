package dev.patchwright.worker.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepoMirrorIT {

    private static final String KEY = "octo/widgets";
    private static final PersonIdent BOT = new PersonIdent("patchwright", "bot@example.org");

    @TempDir
    Path tmp;

    private Upstream upstream;
    private RepoMirror mirror;
    private ObjectId first;

    @BeforeEach
    void setUp() throws Exception {
        upstream = new Upstream(tmp.resolve("up"), "main");
        upstream.write("README.md", "# Widgets\n\nline 2\nline 3\n")
                .write("src/Widget.java", "class Widget {}\n")
                .write("src/Old.java", "class Old {}\n")
                .executable("bin/build.sh", "#!/bin/sh\necho build\n")
                .link("docs/readme", "../README.md")
                .link("passwd", "/etc/passwd")
                .link("src/escape", "../../x");
        first = upstream.commitAndPush("first");
        mirror = new RepoMirror(tmp.resolve("mirrors"));
    }

    @Test
    void fetchesTheDefaultBranchAndANamedBranch() throws Exception {
        upstream.checkoutNew("feature").write("feature.txt", "new\n");
        ObjectId feature = upstream.commitAndPush("feature");

        assertThat(mirror.fetch(KEY, upstream.uri(), null, null)).isEqualTo(first);
        assertThat(mirror.defaultBranch(KEY)).isEqualTo("main");
        assertThat(mirror.fetch(KEY, upstream.uri(), null, "feature")).isEqualTo(feature);
        assertThat(new RepoMirror(tmp.resolve("mirrors")).defaultBranch(KEY)).isEqualTo("main");
        assertThat(mirror.defaultBranch("octo/never-fetched")).isNull();
    }

    @Test
    void findsADefaultBranchThatIsNeitherMainNorMaster() throws Exception {
        upstream.checkoutNew("trunk").write("trunk.txt", "t\n");
        ObjectId trunk = upstream.commitAndPush("on trunk");
        RefUpdate head = upstream.bareRepo().updateRef("HEAD");
        head.link("refs/heads/trunk");

        assertThat(mirror.fetch(KEY, upstream.uri(), null, null)).isEqualTo(trunk);
        assertThat(mirror.defaultBranch(KEY)).isEqualTo("trunk");
    }

    @Test
    void refetchSeesNewCommitsAndDeletedBranches() throws Exception {
        upstream.checkoutNew("gone").write("g.txt", "g\n");
        upstream.commitAndPush("to delete");
        mirror.fetch(KEY, upstream.uri(), null, "gone");
        upstream.checkout("main").write("README.md", "# Widgets v2\n");
        ObjectId second = upstream.commitAndPush("second");
        RefUpdate delete = upstream.bareRepo().updateRef("refs/heads/gone");
        delete.setForceUpdate(true);
        delete.delete();

        assertThat(mirror.fetch(KEY, upstream.uri(), null, null)).isEqualTo(second);
        assertThatThrownBy(() -> mirror.fetch(KEY, upstream.uri(), null, "gone"))
                .isInstanceOf(GitException.class)
                .hasMessageContaining(KEY).hasMessageContaining("'gone' does not exist");
    }

    @Test
    void materializeWritesFilesAndSkipsWhatIsUnsafe() throws Exception {
        upstream.gitlink("lib/sub");
        ObjectId commit = upstream.commitAndPush("with submodule");
        mirror.fetch(KEY, upstream.uri(), null, null);
        Path out = tmp.resolve("tree");

        List<String> skipped = mirror.materialize(KEY, commit, out);

        assertThat(skipped).containsExactly(
                "submodule not included: lib/sub",
                "link escapes the tree: passwd -> /etc/passwd",
                "link escapes the tree: src/escape -> ../../x");
        assertThat(Files.readString(out.resolve("README.md"))).startsWith("# Widgets");
        assertThat(Files.getPosixFilePermissions(out.resolve("bin/build.sh"))).contains(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(out.resolve("src/Widget.java")))
                .doesNotContain(PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.readSymbolicLink(out.resolve("docs/readme"))).isEqualTo(Path.of("../README.md"));
        assertThat(Files.readString(out.resolve("docs/readme"))).startsWith("# Widgets");
        assertThat(out.resolve("passwd")).doesNotExist();
        assertThat(Files.exists(out.resolve("src/escape"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(out.resolve("lib/sub")).doesNotExist();

        assertThatThrownBy(() -> mirror.materialize(KEY, commit, out))
                .isInstanceOf(GitException.class).hasMessageContaining("is not empty");
    }

    @Test
    void commitReplacesExactlyTheChangedPathsAndDiffShowsThem() throws Exception {
        mirror.fetch(KEY, upstream.uri(), null, null);
        Path wt = tmp.resolve("wt");
        mirror.materialize(KEY, first, wt);
        Files.writeString(wt.resolve("README.md"), "# Widgets\n\nline 2 changed\nline 3\n");
        Files.delete(wt.resolve("src/Old.java"));
        Files.createDirectories(wt.resolve("tools"));
        Files.writeString(wt.resolve("tools/run.sh"), "#!/bin/sh\nrun\n");
        Files.setPosixFilePermissions(wt.resolve("tools/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(wt.resolve("src/Widget.java"), "class Widget { int edited; }\n"); // not listed

        ObjectId commit = mirror.commit(KEY, first, wt,
                List.of("README.md", "src/Old.java", "tools/run.sh", "bin/build.sh"), "Fix #1", BOT);
        String diff = mirror.diff(KEY, first, commit);

        assertThat(diff.lines().filter(l -> l.startsWith("diff --git")).toList()).containsExactly(
                "diff --git a/README.md b/README.md",
                "diff --git a/src/Old.java b/src/Old.java",
                "diff --git a/tools/run.sh b/tools/run.sh");
        assertThat(diff).contains("-line 2\n+line 2 changed\n", "deleted file mode 100644\n", "-class Old {}\n",
                "new file mode 100755\n", "+run\n");
        try (Repository repo = new FileRepositoryBuilder().setGitDir(mirror.directory(KEY).toFile()).build();
             org.eclipse.jgit.revwalk.RevWalk walk = new org.eclipse.jgit.revwalk.RevWalk(repo)) {
            var parsed = walk.parseCommit(commit);
            assertThat(parsed.getParents()).extracting(ObjectId::copy).containsExactly(first);
            assertThat(parsed.getFullMessage()).isEqualTo("Fix #1");
            assertThat(parsed.getAuthorIdent().getEmailAddress()).isEqualTo("bot@example.org");
        }
    }

    @Test
    void pushCreatesTheBranchAndOnlyForceRewritesIt() throws Exception {
        mirror.fetch(KEY, upstream.uri(), null, null);
        Path wt = tmp.resolve("wt");
        mirror.materialize(KEY, first, wt);
        Files.writeString(wt.resolve("README.md"), "one\n");
        ObjectId one = mirror.commit(KEY, first, wt, List.of("README.md"), "one", BOT);
        Files.writeString(wt.resolve("README.md"), "two\n");
        ObjectId two = mirror.commit(KEY, first, wt, List.of("README.md"), "two", BOT);
        GitCredentials creds = new GitCredentials("x-access-token", "unused-over-file".toCharArray());

        mirror.push(KEY, upstream.uri(), one, "patchwright/issue-1", creds, false);
        assertThat(upstream.branchTip("patchwright/issue-1")).isEqualTo(one);

        assertThatThrownBy(() -> mirror.push(KEY, upstream.uri(), two, "patchwright/issue-1", creds, false))
                .isInstanceOf(GitException.class)
                .hasMessageContaining(KEY).hasMessageContaining("refs/heads/patchwright/issue-1")
                .hasMessageContaining("REJECTED_NONFASTFORWARD");
        assertThat(upstream.branchTip("patchwright/issue-1")).isEqualTo(one);

        mirror.push(KEY, upstream.uri(), two, "patchwright/issue-1", creds, true);
        assertThat(upstream.branchTip("patchwright/issue-1")).isEqualTo(two);
    }

    @Test
    void hooksPlantedInTheMirrorNeverRun() throws Exception {
        mirror.fetch(KEY, upstream.uri(), null, null);
        Path marker = tmp.resolve("hook-ran");
        Path hooks = mirror.directory(KEY).resolve("hooks");
        Files.createDirectories(hooks);
        for (String name : List.of("post-commit", "pre-commit", "pre-push")) {
            Path hook = hooks.resolve(name);
            Files.writeString(hook, "#!/bin/sh\necho " + name + " >> '" + marker + "'\n");
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        // The planted hook does work when something runs it, so its silence below means something.
        Process probe = new ProcessBuilder(hooks.resolve("pre-push").toString()).start();
        assertThat(probe.waitFor()).isZero();
        assertThat(marker).exists();
        Files.delete(marker);

        Path wt = tmp.resolve("wt");
        mirror.materialize(KEY, first, wt);
        Files.writeString(wt.resolve("README.md"), "hooked?\n");
        ObjectId commit = mirror.commit(KEY, first, wt, List.of("README.md"), "no hooks", BOT);
        mirror.push(KEY, upstream.uri(), commit, "nohooks", null, false);

        assertThat(upstream.branchTip("nohooks")).isEqualTo(commit);
        assertThat(marker).doesNotExist();
        try (Repository repo = new FileRepositoryBuilder().setGitDir(mirror.directory(KEY).toFile()).build()) {
            Path hooksPath = Path.of(repo.getConfig().getString("core", null, "hooksPath"));
            assertThat(hooksPath).startsWith(mirror.directory(KEY)).isEmptyDirectory();
        }
    }

    @Test
    void noFileOfTheMirrorHoldsThePassword() throws Exception {
        String secret = "ghs_s3cretInstallationToken0123";
        char[] password = secret.toCharArray();
        GitCredentials creds = new GitCredentials("x-access-token", password);

        mirror.fetch(KEY, upstream.uri(), creds, null);
        mirror.push(KEY, upstream.uri(), first, "copy", creds, false);

        assertThat(creds.toString()).doesNotContain(secret).contains("x-access-token");
        assertThat(new String(password)).isEqualTo(secret);
        List<Path> files;
        try (Stream<Path> walk = Files.walk(mirror.directory(KEY))) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1))
                    .as("content of %s", file).doesNotContain(secret).doesNotContain(upstream.uri().getPath());
        }
    }

    @Test
    void badInputGivesAGitExceptionNamingTheRepository() throws IOException {
        URI missing = tmp.resolve("no-such-repo.git").toUri();
        GitCredentials creds = new GitCredentials("x-access-token", "hunter2-token".toCharArray());
        assertThatThrownBy(() -> mirror.fetch(KEY, missing, creds, null))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("fetch").hasMessageContaining(KEY).hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> mirror.fetch(KEY, URI.create("https://user:hunter2@example.org/x.git"), null, null))
                .isInstanceOf(GitException.class)
                .hasMessageContaining("password").hasMessageNotContaining("hunter2");
        for (String key : List.of("../x", "a/b/c", "a/..", "", ".", "a b", "a/.", "/abs")) {
            assertThatThrownBy(() -> mirror.fetch(key, upstream.uri(), null, null))
                    .as("key %s", key).isInstanceOf(GitException.class).hasMessageContaining("fetch");
        }
        assertThatThrownBy(() -> mirror.fetch(KEY, upstream.uri(), null, "bad..branch"))
                .isInstanceOf(GitException.class).hasMessageContaining("not a valid branch name");
        assertThatThrownBy(() -> mirror.materialize(KEY, ObjectId.zeroId(), tmp.resolve("t")))
                .isInstanceOf(GitException.class).hasMessageContaining("never fetched");
        // A first fetch that failed leaves no half-made mirror, and no key reached outside the root.
        assertThat(mirror.directory(KEY)).doesNotExist();
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void commitRefusesPathsOutsideTheTree() throws Exception {
        mirror.fetch(KEY, upstream.uri(), null, null);
        Path wt = tmp.resolve("wt");
        mirror.materialize(KEY, first, wt);
        for (String bad : List.of("../outside", ".git/config", "/etc/passwd", "a//b")) {
            assertThatThrownBy(() -> mirror.commit(KEY, first, wt, List.of(bad), "m", BOT))
                    .as(bad).isInstanceOf(GitException.class).hasMessageContaining("unsafe");
        }
    }

}
