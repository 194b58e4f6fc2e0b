package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwright.inference.tokenizer.Tokenizers;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rules that connect an issue's words to the files that matter, one at a time. */
class ContextRulesTest {

    @TempDir
    Path repo;

    @Test
    void stemmingMeetsPluralsAndVerbForms() {
        assertThat(Relevance.stem("keys")).isEqualTo(Relevance.stem("key")).isEqualTo("key");
        assertThat(Relevance.stem("capitalizing")).isEqualTo(Relevance.stem("capitalize"))
                .isEqualTo(Relevance.stem("capitalized")).isEqualTo(Relevance.stem("capitalizes"));
        assertThat(Relevance.stem("abbreviation")).isEqualTo(Relevance.stem("abbreviate"));
        assertThat(Relevance.stem("entries")).isEqualTo(Relevance.stem("entry"));
        assertThat(Relevance.stem("matches")).isEqualTo(Relevance.stem("match"));
        assertThat(Relevance.stem("stopped")).isEqualTo(Relevance.stem("stop"));
        // What is not a suffix stays: no vowel before "ing", "ss", "us", short words.
        assertThat(Relevance.stem("string")).isEqualTo("string");
        assertThat(Relevance.stem("strings")).isEqualTo("string");
        assertThat(Relevance.stem("class")).isEqualTo("class");
        assertThat(Relevance.stem("status")).isEqualTo("status");
        assertThat(Relevance.stem("bus")).isEqualTo("bus");
    }

    @Test
    void identifiersCountJoinedAndSplitAndTheTasksNeighbouringWordsJoined() {
        assertThat(Relevance.terms("row_key")).containsExactly("rowkey", "row", "key");
        assertThat(Relevance.terms("RowKeys")).containsExactly("rowkey", "row", "key");
        assertThat(Relevance.terms("row-key")).containsExactly("rowkey", "row", "key");
        for (String task : List.of("the row key is lost", "rowkey is lost", "row keys are lost")) {
            Relevance relevance = new Relevance(task);
            int camel = total(relevance.terms("src/Table.java", "class Table { RowKey first; }"));
            int snake = total(relevance.terms("src/row_key.rs", "pub fn new() {}"));
            int kebab = total(relevance.terms("docs/row-key.md", "nothing here"));
            int neither = total(relevance.terms("src/Column.java", "class Column { Cell first; }"));
            assertThat(camel).as(task + ": RowKey").isGreaterThan(neither);
            assertThat(snake).as(task + ": row_key.rs").isGreaterThan(neither);
            assertThat(kebab).as(task + ": row-key.md").isGreaterThan(neither);
        }
        // "rowkey" is one term the task has; it is found in RowKey and in the path row_key.rs.
        Relevance joinedOnly = new Relevance("rowkey");
        assertThat(total(joinedOnly.terms("a.txt", "RowKey"))).isEqualTo(1);
        assertThat(total(joinedOnly.terms("src/row_key.rs", ""))).isEqualTo(3);
    }

    private static int total(Relevance.Terms terms) {
        return Arrays.stream(terms.counts()).sum();
    }

    @Test
    void sourcesPairWithTheirTestsByEachConvention() {
        List<String> paths = List.of(
                "src/main/java/a/Foo.java", "src/test/java/a/FooTest.java", "src/test/java/a/FooTests.java",
                "src/test/java/a/TestFoo.java", "src/test/java/a/FooIT.java", "src/test/java/a/FooParsingTest.java",
                "src/main/java/b/Foo.java",
                "pkg/bar.py", "tests/test_bar.py", "pkg/baz.py", "pkg/baz_test.py",
                "src/qux.ts", "src/qux.test.ts", "src/quux.js", "src/quux.spec.js",
                "cmd/zap.go", "cmd/zap_test.go",
                "src/wire.rs", "tests/wire.rs",
                "src/Lonely.java", "README.md");
        int[][] partners = TestPairs.of(paths);
        assertThat(names(paths, partners, "src/main/java/a/Foo.java")).containsExactlyInAnyOrder(
                "src/test/java/a/FooTest.java", "src/test/java/a/FooTests.java", "src/test/java/a/TestFoo.java",
                "src/test/java/a/FooIT.java", "src/test/java/a/FooParsingTest.java");
        // Of two sources of the name, the one in the test's own package.
        assertThat(names(paths, partners, "src/main/java/b/Foo.java")).isEmpty();
        assertThat(names(paths, partners, "src/test/java/a/FooParsingTest.java")).containsExactly("src/main/java/a/Foo.java");
        assertThat(names(paths, partners, "pkg/bar.py")).containsExactly("tests/test_bar.py");
        assertThat(names(paths, partners, "pkg/baz_test.py")).containsExactly("pkg/baz.py");
        assertThat(names(paths, partners, "src/qux.ts")).containsExactly("src/qux.test.ts");
        assertThat(names(paths, partners, "src/quux.spec.js")).containsExactly("src/quux.js");
        assertThat(names(paths, partners, "cmd/zap.go")).containsExactly("cmd/zap_test.go");
        assertThat(names(paths, partners, "src/wire.rs")).containsExactly("tests/wire.rs");
        assertThat(names(paths, partners, "src/Lonely.java")).isEmpty();
        assertThat(names(paths, partners, "README.md")).isEmpty();
    }

    private static List<String> names(List<String> paths, int[][] partners, String path) {
        return Arrays.stream(partners[paths.indexOf(path)]).mapToObj(paths::get).toList();
    }

    @Test
    void stackTracesAndMentionedPathsNameTheirFiles() {
        Relevance java = new Relevance("Crash:\njava.lang.IllegalStateException: boom\n"
                + "\tat com.acme.core.Parser$State.next(Parser.java:88)\n\tat java.base/java.lang.Thread.run(Thread.java:833)");
        assertThat(java.names("core/src/main/java/com/acme/core/Parser.java", List.of())).isTrue();
        assertThat(java.names("core/src/main/java/com/acme/core/Lexer.java", List.of())).isFalse();

        Relevance python = new Relevance("Traceback (most recent call last):\n"
                + "  File \"/home/me/venv/lib/python3.12/site-packages/acme/loader.py\", line 12, in load\n");
        assertThat(python.names("acme/saver.py", List.of())).isFalse();
        assertThat(python.names("acme/loader.py", List.of())).isTrue();

        Relevance js = new Relevance("TypeError: x is undefined\n    at parse (src/lib/parse.js:10:5)\n"
                + "    at /srv/app/src/lib/run.mjs:3:1");
        assertThat(js.names("src/lib/parse.js", List.of())).isTrue();
        assertThat(js.names("src/lib/run.mjs", List.of())).isTrue();
        assertThat(js.names("src/lib/other.js", List.of())).isFalse();

        Relevance go = new Relevance("panic: oops\n\ngoroutine 1 [running]:\nmain.run()\n"
                + "\t/home/me/go/src/github.com/acme/tool/internal/cache/store.go:41 +0x1d");
        assertThat(go.names("internal/cache/store.go", List.of())).isTrue();

        Relevance rust = new Relevance("thread 'main' panicked at src/codec/frame.rs:77:9:\nindex out of bounds");
        assertThat(rust.names("src/codec/frame.rs", List.of())).isTrue();
        assertThat(rust.names("src/codec/mod.rs", List.of())).isFalse();

        Relevance prose = new Relevance("The bug is in ./lib/util/strings.ts, and Formatter is also wrong.");
        assertThat(prose.names("lib/util/strings.ts", List.of())).isTrue();
        assertThat(prose.names("src/Fmt.java", Declarations.of("src/Fmt.java", "public class Formatter {}\n"))).isTrue();
    }

    @Test
    void onlyWordsWrittenAsCodeNameDeclarations() {
        List<Declarations.Declaration> declared = Declarations.of("src/Tr.java",
                "class Tr {\n    public Tr with(Tr other) {\n    }\n    public String strings() {\n    }\n"
                        + "    void parseHeader() {\n    }\n    void flush_all() {\n    }\n}\n");
        assertThat(new Relevance("Strings with spaces are cut").names("src/Tr.java", declared)).isFalse();
        assertThat(new Relevance("It fails in parseHeader when empty").names("src/Tr.java", declared)).isTrue();
        assertThat(new Relevance("flush_all loses data").names("src/Tr.java", declared)).isTrue();
        assertThat(new Relevance("calling `strings` on it throws").names("src/Tr.java", declared)).isTrue();
        assertThat(new Relevance("after strings() the state is wrong").names("src/Tr.java", declared)).isTrue();
        assertThat(new Relevance("the Tr class").names("src/Other.java",
                Declarations.of("src/Other.java", "class Trace {}\n"))).isFalse();
        assertThat(new Relevance("Reading the Trace class output").names("src/Other.java",
                Declarations.of("src/Other.java", "class Trace {}\n"))).isTrue();
        assertThat(new Relevance("Trace output is wrong").names("src/Other.java",
                Declarations.of("src/Other.java", "class Trace {}\n"))).isFalse(); // a sentence's first word
    }

    @Test
    void theMapKeepsEveryDeclarationAnnotatedOnesToo() {
        StringBuilder big = new StringBuilder("class Many {\n");
        for (int i = 0; i < 400; i++) {
            big.append("    @Test void case").append(i).append("() {\n    }\n");
        }
        big.append("}\n");
        assertThat(Declarations.of("src/Many.java", big.toString())).hasSize(401);

        String java = """
                @SuppressWarnings("unused") public final class Thing {
                    @Test void parsesEmptyInput() {
                    }
                    @Override public String toString() {
                        return "";
                    }
                    @ParameterizedTest @ValueSource(strings = {"a", "b(c)"}) void takesValues(String s) {
                    }
                    @Deprecated
                    public static int old(int x) {
                        return x;
                    }
                    @interface Marker {
                    }
                }
                """;
        assertThat(Declarations.of("src/Thing.java", java)).extracting(Declarations.Declaration::name)
                .containsExactly("Thing", "parsesEmptyInput", "toString", "takesValues", "old", "Marker");
        String kotlin = "class K {\n    @Test fun works() {\n    }\n    @JvmStatic internal fun helper(): Int = 1\n}\n";
        assertThat(Declarations.of("src/K.kt", kotlin)).extracting(Declarations.Declaration::name)
                .containsExactly("K", "works", "helper");
        String python = "class T:\n    @pytest.mark.parametrize('x', [1])\n    def test_x(self, x):\n        pass\n"
                + "    @property\n    async def name(self):\n        pass\n";
        assertThat(Declarations.of("t.py", python)).extracting(Declarations.Declaration::name)
                .containsExactly("T", "test_x", "name");
    }

    @Test
    void aFocusedSourceBringsItsTestWholeAndTheRestIsMapped() throws IOException {
        for (int i = 0; i < 30; i++) {
            RepoFiles.write(repo, "src/main/java/a/Part" + i + ".java", "class Part" + i + " {\n"
                    + "    int size() { return " + i + "; }\n".repeat(40) + "}\n");
        }
        RepoFiles.write(repo, "src/test/java/a/Part7Test.java", "class Part7Test {\n    @Test void sizeIsSeven() {}\n"
                + "    // checks\n".repeat(40) + "}\n");
        PackOptions options = PackOptions.defaults(Tokenizers.load("o200k_base")).withMaxTokens(3_000, "sizes are wrong")
                .withFocus(List.of("src/main/java/a/Part7.java"));
        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(options).pack(repo, out);
        assertThat(stats.files()).extracting(PackStats.PackedFile::path)
                .contains("src/main/java/a/Part7.java", "src/test/java/a/Part7Test.java");
        assertThat(stats.mapped()).isNotEmpty();
        // The same inputs give the same bytes.
        StringWriter again = new StringWriter();
        new ContextPacker(options).pack(repo, again);
        assertThat(again.toString()).isEqualTo(out.toString());
    }

    @Test
    void aLocalisationAnswerKeepsOnlyTheTreesPathsAndSaysWhatItDropped() {
        List<String> tree = List.of("src/a/Foo.java", "src/a/FooTest.java", "lib/x.py");
        Localization.Answer answer = Localization.parse("""
                Sure! The files are:
                ```
                1. `src/a/Foo.java`
                - ./src/a/FooTest.java,
                * "lib/x.py"
                src/a/Foo.java
                src/a/Missing.java
                ```
                """, tree);
        assertThat(answer.chosen()).containsExactly("src/a/Foo.java", "src/a/FooTest.java", "lib/x.py");
        assertThat(answer.dropped()).containsExactly("Sure! The files are:", "src/a/Missing.java");
        assertThat(Localization.parse("", tree).chosen()).isEmpty();
        assertThat(Localization.parse(null, tree).chosen()).isEmpty();
        assertThat(Localization.parse("\u0000\u0001 garbage ))) ((", tree).dropped()).hasSize(1);
        StringBuilder many = new StringBuilder();
        List<String> big = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            big.add("f" + i + ".py");
            many.append("f").append(i).append(".py\n");
        }
        Localization.Answer capped = Localization.parse(many.toString(), big);
        assertThat(capped.chosen()).hasSize(Localization.MAX_FILES);
        assertThat(capped.dropped()).hasSize(20 - Localization.MAX_FILES).allMatch(d -> d.contains("more than"));
        // The request carries the map and the issue, redacted, and asks for paths alone.
        var request = Localization.request("acme/app", "<map>\nsrc/a/Foo.java\n</map>",
                "token ghp_" + "a".repeat(36) + " leaks");
        String user = request.messages().get(1).content();
        assertThat(user).contains("src/a/Foo.java").doesNotContain("ghp_" + "a".repeat(36));
        assertThat(request.maxTokens()).isEqualTo(Localization.MAX_ANSWER_TOKENS);
    }
}
