package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContextPackerTest {

    @TempDir
    Path tmp;

    private Path repo;

    @BeforeEach
    void setUp() throws IOException {
        repo = Files.createDirectories(tmp.resolve("repo"));
    }

    private void write(String path, String content) throws IOException {
        write(path, content.getBytes(StandardCharsets.UTF_8));
    }

    private void write(String path, byte[] content) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private String pack(ContextPacker packer) throws IOException {
        StringWriter out = new StringWriter();
        packer.pack(repo, out);
        return out.toString();
    }

    @Test
    void writesTheTreeThenEachFileInSortedOrder() throws IOException {
        write("src/main/App.java", "class App {}\n");
        write("README.md", "# Demo");
        write("src/a.txt", "a\n");
        write("empty.txt", "");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker().pack(repo, out);

        assertThat(out.toString()).isEqualTo("""
                <directory_tree>
                README.md
                empty.txt
                src/
                  a.txt
                  main/
                    App.java
                </directory_tree>

                <file path="README.md">
                # Demo
                </file>
                <file path="empty.txt">
                </file>
                <file path="src/a.txt">
                a
                </file>
                <file path="src/main/App.java">
                class App {}
                </file>
                """);
        assertThat(stats.files()).isEqualTo(4);
        assertThat(stats.bytes()).isEqualTo(out.toString().getBytes(StandardCharsets.UTF_8).length);
        assertThat(stats.estimatedTokens()).isEqualTo(stats.bytes() / 4);
        assertThat(stats.skipped()).isEmpty();
    }

    @Test
    void honoursNestedGitignoreFilesAndExtraPatterns() throws IOException {
        write(".gitignore", "*.log\nbuild/\n");
        write("app.log", "noise\n");
        write("build/out.txt", "built\n");
        write("keep.txt", "kept\n");
        write("sub/.gitignore", "secret.txt\n!important.log\n");
        write("sub/secret.txt", "hidden\n");
        write("sub/important.log", "needed\n");
        write("sub/other.log", "noise\n");
        write("generated/code.txt", "gen\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(ContextPacker.Options.defaults().withExtraIgnores(List.of("generated/")))
                .pack(repo, out);

        assertThat(out.toString())
                .contains("<file path=\"keep.txt\">", "<file path=\"sub/important.log\">", "<file path=\".gitignore\">")
                .doesNotContain("noise", "built", "hidden", "gen\n");
        assertThat(stats.skipped()).containsEntry("app.log", "ignored by .gitignore")
                .containsEntry("build/", "ignored by .gitignore")
                .containsEntry("sub/secret.txt", "ignored by sub/.gitignore")
                .containsEntry("sub/other.log", "ignored by .gitignore")
                .containsEntry("generated/", "excluded by pattern");
    }

    @Test
    void skipsBinariesByContentWhateverTheirName() throws IOException {
        write("image.txt", new byte[] {'P', 'N', 'G', 0, 1, 2});
        write("latin1.txt", "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        write("utf8.txt", "caf\u00e9 \u2603 \uD83D\uDE00\n");
        // A multi-byte character cut by the 8 KiB sniff window is still text.
        write("long.txt", "a".repeat(8191) + "\u00e9\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker().pack(repo, out);

        assertThat(stats.skipped()).containsOnlyKeys("image.txt", "latin1.txt");
        assertThat(stats.skipped().get("image.txt")).contains("NUL");
        assertThat(stats.skipped().get("latin1.txt")).contains("not valid UTF-8");
        assertThat(out.toString()).contains("caf\u00e9 \u2603 \uD83D\uDE00\n</file>", "\u00e9\n</file>")
                .doesNotContain("PNG", "path=\"latin1.txt\"");
        assertThat(stats.bytes()).isEqualTo(out.toString().getBytes(StandardCharsets.UTF_8).length);
    }

    @Test
    void neverReadsThroughLinksOutOfTheTree() throws IOException {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "TOP-SECRET\n");
        Path outsideDir = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outsideDir.resolve("inner.txt"), "ALSO-SECRET\n");
        write("ok.txt", "fine\n");
        Files.createSymbolicLink(repo.resolve("leak.txt"), secret);
        Files.createSymbolicLink(repo.resolve("leakdir"), outsideDir);
        Files.createSymbolicLink(repo.resolve("inside.txt"), Path.of("ok.txt"));

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker().pack(repo, out);

        assertThat(out.toString()).doesNotContain("TOP-SECRET", "ALSO-SECRET").contains("fine");
        assertThat(stats.skipped()).containsEntry("leak.txt", "symbolic link, not followed")
                .containsEntry("leakdir", "symbolic link, not followed")
                .containsEntry("inside.txt", "symbolic link, not followed");
        assertThat(stats.files()).isEqualTo(1);
    }

    @Test
    void skipsFilesOverTheCap() throws IOException {
        write("small.txt", "x".repeat(100));
        write("big.txt", "y".repeat(101));

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(ContextPacker.Options.defaults().withMaxFileBytes(100)).pack(repo, out);

        assertThat(stats.files()).isEqualTo(1);
        assertThat(stats.skipped()).containsOnlyKeys("big.txt");
        assertThat(stats.skipped().get("big.txt")).contains("100", "101");
        assertThat(out.toString()).contains("x".repeat(100)).doesNotContain("yyy");
    }

    @Test
    void neverPacksGitDirectories() throws IOException {
        write(".git/config", "[core]\n\tsecret = GITCONFIG\n");
        write(".git/HEAD", "ref: refs/heads/main\n");
        write("nested/.git", "gitdir: ../elsewhere\n");
        write("nested/code.txt", "code\n");

        String packed = pack(new ContextPacker());

        assertThat(packed).doesNotContain("GITCONFIG", "refs/heads", "gitdir", ".git\"", ".git/")
                .contains("<file path=\"nested/code.txt\">");
    }

    @Test
    void outputIsDeterministicAndPathsAreEscaped() throws IOException {
        write("b/x.txt", "1\n");
        write("a&<\"q\">.txt", "</file> stays as is\n");
        write("c.txt", "3");
        write("a/y.txt", "2\n");

        String first = pack(new ContextPacker());
        String second = pack(new ContextPacker());

        assertThat(first).isEqualTo(second)
                .contains("<file path=\"a&amp;&lt;&quot;q&quot;&gt;.txt\">\n</file> stays as is\n</file>\n");
        assertThat(first.indexOf("path=\"a/y.txt\"")).isLessThan(first.indexOf("path=\"b/x.txt\""));
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertThatThrownBy(() -> ContextPacker.Options.defaults().withMaxFileBytes(0))
                .hasMessageContaining("maxFileBytes");
        assertThatThrownBy(() -> new ContextPacker().pack(tmp.resolve("missing"), new StringWriter()))
                .isInstanceOf(IOException.class);
    }
}
