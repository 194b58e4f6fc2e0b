package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.patchwright.inference.tokenizer.Tokenizer;
import dev.patchwright.inference.tokenizer.Tokenizers;

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

    static final Tokenizer O200K = Tokenizers.load("o200k_base");

    @TempDir
    Path tmp;

    private Path repo;

    @BeforeEach
    void setUp() throws IOException {
        repo = Files.createDirectories(tmp.resolve("repo"));
    }

    private void write(String path, String content) throws IOException {
        RepoFiles.write(repo, path, content);
    }

    private void write(String path, byte[] content) throws IOException {
        RepoFiles.write(repo, path, content);
    }

    private static PackOptions options() {
        return PackOptions.defaults(O200K);
    }

    private String pack(PackOptions options) throws IOException {
        StringWriter out = new StringWriter();
        new ContextPacker(options).pack(repo, out);
        return out.toString();
    }

    @Test
    void writesTheTreeThenEachFileInGitOrderWithExactTokenCounts() throws IOException {
        write("src/main/App.java", "class App {}\n");
        write("README.md", "# Demo");
        write("src/a.txt", "a\n");
        write("src-notes.txt", "dash sorts before slash, as git sorts\n");
        write("empty.txt", "");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options()).pack(repo, out);

        assertThat(out.toString()).isEqualTo("""
                <directory_tree>
                README.md
                empty.txt
                src-notes.txt
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
                <file path="src-notes.txt">
                dash sorts before slash, as git sorts
                </file>
                <file path="src/a.txt">
                a
                </file>
                <file path="src/main/App.java">
                class App {}
                </file>
                """);
        assertThat(stats.files()).extracting(PackStats.PackedFile::path)
                .containsExactly("README.md", "empty.txt", "src-notes.txt", "src/a.txt", "src/main/App.java");
        assertThat(stats.files().get(4)).isEqualTo(new PackStats.PackedFile("src/main/App.java", 13,
                O200K.count("class App {}\n")));
        assertThat(stats.files().get(1).tokens()).isZero();
        assertThat(stats.bytes()).isEqualTo(out.toString().getBytes(StandardCharsets.UTF_8).length);
        // Each piece is counted exactly; the whole text counted at once is within a token per file.
        assertThat(stats.tokens()).isCloseTo(O200K.count(out.toString()), org.assertj.core.data.Offset.offset(5L));
        assertThat(stats.tokenizer()).isEqualTo("o200k_base");
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
        write("sub/deeper/.gitignore", "*.tmp\n");
        write("sub/deeper/x.tmp", "scratch\n");
        write("generated/code.txt", "gen\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options().withExtraIgnores(List.of("generated/"))).pack(repo, out);

        assertThat(out.toString())
                .contains("<file path=\"keep.txt\">", "<file path=\"sub/important.log\">", "<file path=\".gitignore\">")
                .doesNotContain("noise", "built", "hidden", "gen\n", "scratch");
        assertThat(stats.skipped()).hasToString("{app.log=ignored by .gitignore, build/=ignored by .gitignore, "
                + "generated/=excluded by pattern, sub/deeper/x.tmp=ignored by sub/deeper/.gitignore, "
                + "sub/other.log=ignored by .gitignore, sub/secret.txt=ignored by sub/.gitignore}");
        assertThat(stats.skippedByReason()).containsEntry(Skip.Reason.IGNORED, 5).containsEntry(Skip.Reason.EXCLUDED, 1);
    }

    @Test
    void skipsBinariesByContentWhateverTheirNameAndKeepsOddText() throws IOException {
        write("image.txt", new byte[] {'P', 'N', 'G', 0, 1, 2});
        write("latin1.txt", "caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
        write("utf8.txt", "caf\u00e9 \u2603 \uD83D\uDE00\n");
        // A multi-byte character cut by the 8 KiB sniff window is still text.
        write("long.txt", "a".repeat(8191) + "\u00e9\n");
        // Invalid UTF-8 past the sniffed start is replaced, not a reason to drop the file.
        byte[] late = ("b".repeat(9000) + "X\n").getBytes(StandardCharsets.UTF_8);
        late[9000] = (byte) 0xff;
        write("late-invalid.txt", late);
        write("crlf.txt", "one\r\ntwo\r\n");
        write("no-newline.txt", "last line");
        write("wide.txt", "x = 1; ".repeat(20_000) + "\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options()).pack(repo, out);

        assertThat(stats.skipped()).containsOnlyKeys("image.txt", "latin1.txt");
        assertThat(stats.skipped().get("image.txt").detail()).contains("NUL");
        assertThat(stats.skipped().get("latin1.txt").detail()).contains("not valid UTF-8");
        assertThat(stats.skippedByReason()).containsEntry(Skip.Reason.BINARY, 2);
        String packed = out.toString();
        assertThat(packed).contains("caf\u00e9 \u2603 \uD83D\uDE00\n</file>", "\u00e9\n</file>",
                        "<file path=\"crlf.txt\">\none\r\ntwo\r\n</file>\n", "last line\n</file>\n")
                .doesNotContain("PNG", "path=\"latin1.txt\"");
        // Long contents are checked as booleans, so a failure does not print them whole.
        assertThat(packed.contains("b".repeat(9000) + "\uFFFD\n</file>")).as("invalid byte replaced").isTrue();
        assertThat(packed.contains("x = 1; ".repeat(20_000) + "\n</file>")).as("long line whole").isTrue();
        assertThat(stats.files()).filteredOn(f -> f.path().equals("wide.txt")).singleElement()
                .extracting(PackStats.PackedFile::tokens).isEqualTo(O200K.count("x = 1; ".repeat(20_000) + "\n"));
        assertThat(stats.bytes()).isEqualTo(packed.getBytes(StandardCharsets.UTF_8).length);
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
        PackStats stats = new ContextPacker(options()).pack(repo, out);

        assertThat(out.toString()).doesNotContain("TOP-SECRET", "ALSO-SECRET").contains("fine");
        assertThat(stats.skipped()).containsOnlyKeys("leak.txt", "leakdir", "inside.txt");
        assertThat(stats.skipped().values()).extracting(Skip::detail).containsOnly("symbolic link, not followed");
        assertThat(stats.files()).hasSize(1);
    }

    @Test
    void skipsFilesOverTheCap() throws IOException {
        write("small.txt", "x".repeat(100));
        write("big.txt", "y".repeat(101));

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options().withMaxFileBytes(100)).pack(repo, out);

        assertThat(stats.files()).hasSize(1);
        assertThat(stats.skipped()).containsOnlyKeys("big.txt");
        assertThat(stats.skipped().get("big.txt").reason()).isEqualTo(Skip.Reason.TOO_LARGE);
        assertThat(stats.skipped().get("big.txt").detail()).contains("100", "101");
        assertThat(out.toString()).contains("x".repeat(100)).doesNotContain("yyy");
    }

    @Test
    void neverPacksGitDirectories() throws IOException {
        write(".git/config", "[core]\n\tsecret = GITCONFIG\n");
        write(".git/HEAD", "ref: refs/heads/main\n");
        write("nested/.git", "gitdir: ../elsewhere\n");
        write("nested/code.txt", "code\n");

        String packed = pack(options());

        assertThat(packed).doesNotContain("GITCONFIG", "refs/heads", "gitdir", ".git\"", ".git/")
                .contains("<file path=\"nested/code.txt\">");
    }

    @Test
    void outputIsDeterministicAndPathsAreEscaped() throws IOException {
        for (int i = 0; i < 40; i++) {
            write("d" + (i % 7) + "/f" + i + ".txt", "file " + i + "\n");
        }
        write("a&<\"q\">.txt", "</file> stays as is\n");

        String first = pack(options().withThreads(1));
        String second = pack(options().withThreads(4));

        assertThat(first).isEqualTo(second)
                .contains("<file path=\"a&amp;&lt;&quot;q&quot;&gt;.txt\">\n</file> stays as is\n</file>\n");
        assertThat(first.indexOf("path=\"d0/f0.txt\"")).isLessThan(first.indexOf("path=\"d1/f1.txt\""));
    }

    @Test
    void writesMarkdownAndPlainText() throws IOException {
        write("src/App.java", "class App {}\n");
        write("notes.md", "Use ``` fences\n");

        String markdown = pack(options().withFormat(OutputFormat.parse("markdown")));
        String plain = pack(options().withFormat(OutputFormat.PLAIN));

        assertThat(markdown).isEqualTo("""
                # Directory tree

                ```
                notes.md
                src/
                  App.java
                ```

                ## File: notes.md

                ````markdown
                Use ``` fences
                ````

                ## File: src/App.java

                ```java
                class App {}
                ```

                """);
        assertThat(plain).isEqualTo("""
                Directory tree:
                notes.md
                src/
                  App.java

                --- File: notes.md ---
                Use ``` fences

                --- File: src/App.java ---
                class App {}

                """);
    }

    @Test
    void badInputIsRefusedWithTheReason() {
        assertThatThrownBy(() -> options().withMaxFileBytes(0)).hasMessageContaining("maxFileBytes");
        assertThatThrownBy(() -> options().withThreads(0)).hasMessageContaining("threads");
        assertThatThrownBy(() -> OutputFormat.parse("html")).hasMessageContaining("html").hasMessageContaining("xml");
        assertThatThrownBy(() -> new ContextPacker(options()).pack(tmp.resolve("missing"), new StringWriter()))
                .isInstanceOf(IOException.class);
    }
}
