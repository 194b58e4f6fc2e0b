package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packing real git repositories: a worktree, and a bare mirror read at a commit without a checkout. */
class GitSourcesTest {

    @TempDir
    Path tmp;

    private Path work;
    private Git git;

    @BeforeEach
    void setUp() throws Exception {
        work = tmp.resolve("work");
        git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call();
    }

    private void write(String path, String content) throws IOException {
        Path file = work.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private RevCommit commit(String message) throws Exception {
        git.add().addFilepattern(".").call();
        git.add().addFilepattern(".").setUpdate(true).call();
        return git.commit().setMessage(message).setAuthor("dev", "dev@example.com")
                .setCommitter("dev", "dev@example.com").setSign(false).call();
    }

    private static String pack(PackOptions options, PackSource source) throws IOException {
        StringWriter out = new StringWriter();
        new ContextPacker(options).pack(source, out);
        return out.toString();
    }

    private String packWorktree() throws IOException {
        try (PackSource source = PackSource.worktree(work)) {
            return pack(PackOptions.defaults(ContextPackerTest.O200K), source);
        }
    }

    private void sampleRepository() throws IOException {
        write(".gitignore", "*.log\n");
        write("README.md", "# Sample\n");
        write("src/main/java/a/App.java", "package a;\n\nclass App {\n    int run() { return 1; }\n}\n");
        write("src/main/java/a/Util.java", "package a;\n\nfinal class Util {}\n");
        write("src/lib.rs", "pub fn add(a: i32, b: i32) -> i32 { a + b }\n");
        write("src-gen/notes.txt", "a directory that sorts between src and src/\n");
        write("docs/.gitignore", "drafts/\n");
        write("docs/guide.md", "Read me.\n");
        write("package-lock.json", "{\"lockfileVersion\": 3}\n");
        write("vendor/lib/dep.go", "package dep\n");
    }

    @Test
    void theMirrorAtACommitPacksTheSameAsItsWorktree() throws Exception {
        sampleRepository();
        Files.createSymbolicLink(work.resolve("passwd"), Path.of("/etc/passwd"));
        RevCommit commit = commit("sample");
        write("debug.log", "not committed, ignored\n");
        write("docs/drafts/wip.md", "not committed, ignored\n");
        Path mirror = tmp.resolve("mirror.git");
        try (Git bare = Git.cloneRepository().setURI(work.toUri().toString()).setDirectory(mirror.toFile())
                .setBare(true).call()) {
            String fromWorktree = packWorktree();
            String fromMirror;
            StringWriter out = new StringWriter();
            PackStats stats;
            try (PackSource source = PackSource.mirror(bare.getRepository(), commit)) {
                stats = new ContextPacker(PackOptions.defaults(ContextPackerTest.O200K)).pack(source, out);
                fromMirror = out.toString();
            }

            assertThat(fromMirror).isEqualTo(fromWorktree);
            assertThat(stats.files()).extracting(PackStats.PackedFile::path).containsExactly(".gitignore",
                    "README.md", "docs/.gitignore", "docs/guide.md", "src-gen/notes.txt", "src/lib.rs",
                    "src/main/java/a/App.java", "src/main/java/a/Util.java");
            assertThat(stats.skipped()).containsOnlyKeys("package-lock.json", "passwd", "vendor/");
            assertThat(stats.skipped().get("passwd").detail()).isEqualTo("symbolic link, not followed");
            assertThat(fromMirror).doesNotContain("root:");
            assertThat(stats.skipped().get("package-lock.json").reason()).isEqualTo(Skip.Reason.LOCK_FILE);
            assertThat(stats.skipped().get("vendor/").reason()).isEqualTo(Skip.Reason.VENDORED);
            assertThat(stats.source()).contains(commit.name());
        }
    }

    @Test
    void honoursInfoExcludeInTheWorktreeAndTheMirror() throws Exception {
        write("keep.txt", "kept\n");
        write("scratch/notes.txt", "private notes\n");
        RevCommit commit = commit("with scratch");
        write(".git/info/exclude", "scratch/\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(PackOptions.defaults(ContextPackerTest.O200K)).pack(work, out);
        assertThat(out.toString()).contains("kept").doesNotContain("private notes");
        assertThat(stats.skipped()).containsEntry("scratch/", new Skip(Skip.Reason.IGNORED,
                "ignored by .git/info/exclude"));

        Repository repository = git.getRepository();
        try (PackSource source = PackSource.mirror(repository, commit)) {
            assertThat(pack(PackOptions.defaults(ContextPackerTest.O200K), source)).isEqualTo(out.toString());
        }
    }

    @Test
    void anUnchangedRepositoryPacksByteIdenticalAndAChangeKeepsTheOthersInOrder() throws Exception {
        sampleRepository();
        commit("sample");
        String first = packWorktree();
        assertThat(packWorktree()).isEqualTo(first);

        write("src/main/java/a/App.java", "package a;\n\nclass App {\n    int run() { return 2; }\n}\n");
        write("src/main/java/a/Added.java", "package a;\n\nclass Added {}\n");
        commit("change one, add one");
        String second = packWorktree();

        List<String> before = filePaths(first);
        List<String> after = filePaths(second);
        assertThat(after).containsSubsequence(before);
        assertThat(after).hasSize(before.size() + 1);
        // The files before the first changed one read the same, byte for byte (the tree above them
        // lists the added file, so it changes).
        String marker = "<file path=\"src/main/java/a/Added.java\">";
        assertThat(second.substring(second.indexOf("<file path="), second.indexOf(marker)))
                .isEqualTo(first.substring(first.indexOf("<file path="), first.indexOf("<file path=\"src/main/java/a/App")));
    }

    private static List<String> filePaths(String packed) {
        return packed.lines().filter(line -> line.startsWith("<file path=\"")).toList();
    }

    @Test
    void aSecondRunTakesEveryCountFromTheCacheAndCountsTheSame() throws Exception {
        sampleRepository();
        commit("sample");
        Path cache = tmp.resolve("cache");
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K).withCacheDir(cache);

        StringWriter firstOut = new StringWriter();
        PackStats first = new ContextPacker(options).pack(work, firstOut);
        StringWriter secondOut = new StringWriter();
        PackStats second = new ContextPacker(options).pack(work, secondOut);

        assertThat(first.cacheHits()).isZero();
        assertThat(second.cacheHits()).isEqualTo(second.files().size()).isEqualTo(8);
        assertThat(second.files()).isEqualTo(first.files());
        assertThat(second.tokens()).isEqualTo(first.tokens());
        assertThat(secondOut.toString()).isEqualTo(firstOut.toString());
        try (var files = Files.list(cache)) {
            assertThat(files.toList()).singleElement().satisfies(f -> assertThat(Files.size(f)).isEqualTo(8 * 24));
        }

        // The same content under another path, and another tokenizer, are keyed apart correctly.
        write("copy/App.java", Files.readString(work.resolve("src/main/java/a/App.java")));
        PackStats third = new ContextPacker(options).pack(work, new StringWriter());
        assertThat(third.cacheHits()).isEqualTo(9);
        PackStats other = new ContextPacker(PackOptions.defaults(
                dev.patchwright.inference.tokenizer.Tokenizers.load("cl100k_base")).withCacheDir(cache)
                .withThreads(1)).pack(work, new StringWriter());
        // Nothing counted by o200k_base serves cl100k_base; only the copy's twin, counted earlier in the same
        // run (one thread, so the twins are not counted at the same moment by two).
        assertThat(other.cacheHits()).isEqualTo(1);
        try (var files = Files.list(cache)) {
            assertThat(files.toList()).hasSize(2);
        }
    }

    @Test
    void recentChangesComeFromHistory() throws Exception {
        write("old.txt", "old\n");
        commit("old");
        write("new.txt", "new\n");
        RevCommit head = commit("new");
        try (PackSource source = PackSource.mirror(git.getRepository(), head);
             PackSource worktree = PackSource.worktree(work)) {
            assertThat(source.recentlyChanged(1)).containsExactly("new.txt");
            assertThat(source.recentlyChanged(5)).containsExactly("new.txt", "old.txt");
            assertThat(worktree.recentlyChanged(5)).containsExactly("new.txt", "old.txt");
        }
        try (PackSource plain = PackSource.worktree(Files.createDirectories(tmp.resolve("plain")))) {
            assertThat(plain.recentlyChanged(5)).isEmpty();
        }
        assertThat(ObjectId.isId(head.name())).isTrue();
    }
}
