package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository larger than the window: the files the task is about stay whole, the rest become a map. */
class WindowTest {

    @TempDir
    Path repo;

    private void write(String path, String content) throws IOException {
        Path file = repo.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private void largeRepository() throws IOException {
        for (int i = 0; i < 40; i++) {
            StringBuilder body = new StringBuilder("package app.billing;\n\npublic final class Ledger" + i + " {\n");
            for (int m = 0; m < 8; m++) {
                body.append("    public long settle").append(i).append('x').append(m)
                        .append("(long amount, int times) {\n        long total = amount;\n")
                        .append("        for (int k = 0; k < times; k++) {\n            total += amount * k % 7;\n")
                        .append("        }\n        return total;\n    }\n\n");
            }
            write("src/main/java/app/billing/Ledger" + i + ".java", body.append("}\n").toString());
        }
        write("src/main/java/app/http/HeaderParser.java", """
                package app.http;

                import java.util.ArrayList;
                import java.util.List;

                public final class HeaderParser {
                    public List<String> parseHeader(String raw) {
                        List<String> headers = new ArrayList<>();
                        String[] lines = raw.split("\\r\\n");
                        for (int i = 0; i < lines.length - 1; i++) {
                            headers.add(lines[i]);
                        }
                        return headers;
                    }
                }
                """);
        write("src/main/java/app/http/Server.java", """
                package app.http;

                import app.http.HeaderParser;

                public final class Server {
                    private final HeaderParser parser = new HeaderParser();

                    public int handle(String request) {
                        return parser.parseHeader(request).size();
                    }
                }
                """);
        write("src/main/java/app/http/Client.java", """
                package app.http;

                import app.http.HeaderParser;

                public final class Client {
                    private final HeaderParser reader = new HeaderParser();
                }
                """);
        write("scripts/report.py", "import os\n\n\nclass Report:\n    def render(self, rows):\n        return len(rows)\n");
    }

    @Test
    void keepsTheFileTheTaskNamesAndItsImportersAndMapsTheRest() throws IOException {
        largeRepository();
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        PackStats whole = new ContextPacker(options).pack(repo, new StringWriter());
        long limit = whole.tokens() / 4;
        String task = "parseHeader drops the last header when the request has no trailing CRLF";

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options.withMaxTokens(limit, task)).pack(repo, out);
        String packed = out.toString();

        assertThat(stats.files()).extracting(PackStats.PackedFile::path)
                .contains("src/main/java/app/http/HeaderParser.java", "src/main/java/app/http/Server.java",
                        // It shares no word with the task and sorts after every ledger: kept because it imports the named file.
                        "src/main/java/app/http/Client.java");
        assertThat(stats.mapped()).isNotEmpty().contains("src/main/java/app/billing/Ledger39.java");
        List<String> all = new ArrayList<>(stats.files().stream().map(PackStats.PackedFile::path).toList());
        all.addAll(stats.mapped());
        all.addAll(stats.omitted());
        assertThat(all).hasSize(whole.files().size());
        assertThat(stats.tokens()).isLessThanOrEqualTo(limit);
        assertThat((long) ContextPackerTest.O200K.count(packed)).isLessThanOrEqualTo(limit);
        assertThat(packed).contains("<file path=\"src/main/java/app/http/HeaderParser.java\">",
                        "<file_map note=\"declarations of the files left out to fit the window\">",
                        "src/main/java/app/billing/Ledger39.java\n")
                .containsPattern("src/main/java/app/billing/Ledger(\\d+)\\.java\n  public final class Ledger\\1\n"
                        + "  public long settle\\1x0\\(long amount, int times\\)\n")
                .doesNotContain("<file path=\"src/main/java/app/billing/Ledger39.java\">");
        // The tree still lists every file, so the model knows all of them exist.
        assertThat(packed.substring(0, packed.indexOf("</directory_tree>"))).contains("Ledger39.java", "report.py");
    }

    @Test
    void aWindowTooSmallForTheMapLeavesTheLeastRelevantOutEntirely() throws IOException {
        largeRepository();
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        String tree = OutputFormat.XML.tree(new ContextPacker(options).pack(repo, new StringWriter()).files().stream()
                .map(PackStats.PackedFile::path).toList());
        long limit = ContextPackerTest.O200K.count(tree) + 400;

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options.withMaxTokens(limit, "parseHeader is wrong")).pack(repo, out);

        assertThat(stats.omitted()).isNotEmpty();
        assertThat(stats.files()).extracting(PackStats.PackedFile::path)
                .contains("src/main/java/app/http/HeaderParser.java");
        assertThat((long) ContextPackerTest.O200K.count(out.toString())).isLessThanOrEqualTo(limit);

        assertThatThrownBy(() -> new ContextPacker(options.withMaxTokens(10, "x")).pack(repo, new StringWriter()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxTokens 10 is too small");
    }

    @Test
    void withoutATaskTheRecentlyChangedFilesAreKept() throws Exception {
        largeRepository();
        try (org.eclipse.jgit.api.Git git = org.eclipse.jgit.api.Git.init().setDirectory(repo.toFile())
                .setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            git.commit().setMessage("all").setAuthor("dev", "dev@example.com").setCommitter("dev", "dev@example.com")
                    .setSign(false).call();
            write("src/main/java/app/billing/Ledger33.java", Files.readString(
                    repo.resolve("src/main/java/app/billing/Ledger33.java")).replace("% 7", "% 11"));
            git.add().addFilepattern(".").call();
            git.commit().setMessage("tune ledger 33").setAuthor("dev", "dev@example.com")
                    .setCommitter("dev", "dev@example.com").setSign(false).call();
        }
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        long limit = new ContextPacker(options).pack(repo, new StringWriter()).tokens() / 4;

        PackStats stats = new ContextPacker(options.withMaxTokens(limit, "")).pack(repo, new StringWriter());

        assertThat(stats.files()).extracting(PackStats.PackedFile::path)
                .contains("src/main/java/app/billing/Ledger33.java");
        // The first commit touched every file too, but the last commit's file is the one sure to stay whole.
        assertThat(stats.mapped().size() + stats.omitted().size()).isGreaterThan(10);
        assertThat(stats.tokens()).isLessThanOrEqualTo(limit);
    }

    @Test
    void aWindowThatHoldsEverythingChangesNothing() throws IOException {
        largeRepository();
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        StringWriter plain = new StringWriter();
        PackStats whole = new ContextPacker(options).pack(repo, plain);
        StringWriter windowed = new StringWriter();
        PackStats stats = new ContextPacker(options.withMaxTokens(whole.tokens(), "anything")).pack(repo, windowed);

        assertThat(windowed.toString()).isEqualTo(plain.toString());
        assertThat(stats.mapped()).isEmpty();
        assertThat(stats.omitted()).isEmpty();
    }

    @Test
    void aTreeTooLargeForItsShareOfTheWindowIsShortened() throws IOException {
        largeRepository();
        for (int m = 0; m < 30; m++) {
            for (int f = 0; f < 12; f++) {
                write("modules/module" + m + "/src/main/java/org/example/module" + m + "/Part" + f + ".java",
                        "class Part" + f + " {}\n");
            }
        }
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        PackStats whole = new ContextPacker(options).pack(repo, new StringWriter());
        long fullTree = ContextPackerTest.O200K.count(OutputFormat.XML.tree(
                whole.files().stream().map(PackStats.PackedFile::path).toList()));
        long limit = fullTree * 2;

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options.withMaxTokens(limit, "parseHeader drops a header")).pack(repo, out);
        String packed = out.toString();
        String tree = packed.substring(0, packed.indexOf("</directory_tree>"));

        assertThat(stats.tokens()).isLessThanOrEqualTo(limit);
        assertThat((long) ContextPackerTest.O200K.count(tree)).isLessThanOrEqualTo(limit / ContextPacker.TREE_SHARE);
        assertThat(tree).contains("modules/\n", "(12 files)").doesNotContain("Part7.java");
        assertThat(stats.files()).extracting(PackStats.PackedFile::path).contains("src/main/java/app/http/HeaderParser.java");
        assertThat(stats.files().size() + stats.mapped().size() + stats.omitted().size()).isEqualTo(whole.files().size());
    }

    @Test
    void entriesTheMapCannotHoldWholeKeepTheirPathBeforeTheyGo() throws IOException {
        largeRepository();
        PackOptions options = PackOptions.defaults(ContextPackerTest.O200K);
        String tree = OutputFormat.XML.tree(new ContextPacker(options).pack(repo, new StringWriter()).files().stream()
                .map(PackStats.PackedFile::path).toList());
        long limit = ContextPackerTest.O200K.count(tree) + 900;

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options.withMaxTokens(limit, "parseHeader is wrong")).pack(repo, out);
        String packed = out.toString();
        String map = packed.substring(packed.indexOf("<file_map"), packed.indexOf("</file_map>"));

        assertThat(stats.tokens()).isLessThanOrEqualTo(limit);
        // Some entries keep their declarations, the least relevant only their path, and none is lost.
        assertThat(map).contains("  public long settle");
        assertThat(map).containsPattern("\\.java\n(?!  )");
        assertThat(stats.omitted()).isEmpty();
        for (String path : stats.mapped()) {
            assertThat(map).contains(path + "\n");
        }
    }
}
