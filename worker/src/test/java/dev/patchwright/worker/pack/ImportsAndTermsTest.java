package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/** Imports are looked for only where their keywords occur; identifiers are split by hand. */
class ImportsAndTermsTest {

    @Test
    void importsAreFoundWhereAFindOverTheTextWouldFindThem() {
        // One import a line: the second on the first line is not at a line's start. An import's name
        // may follow on the next line; every line terminator starts a line.
        assertThat(Imports.of("a/A.java", "package a;\nimport b.C; import d.E;\r\n\n  import static\n  f.G.h;\u2028import i.J;\n"
                + "// import k.L;\nclass A { String s = \"import m.N\"; }\n"))
                .containsExactly("b/C.java", "b/C.kt", "b.java", "b.kt", "f/G/h.java", "f/G/h.kt", "f/G.java", "f/G.kt",
                        "i/J.java", "i/J.kt", "i.java", "i.kt");
        assertThat(Imports.of("p/m.py", "from x import y\nimport a.b\n  import c\nz = 'from q import r'\n"))
                .containsExactly("x.py", "x/__init__.py", "p/x.py", "a/b.py", "a/b/__init__.py", "p/a/b.py", "c.py",
                        "c/__init__.py", "p/c.py");
        // Relative imports: from the importing file's package, each further dot one directory up.
        assertThat(Imports.of("pkg/sub/m.py", "from .sibling import f\nfrom ..up.mod import g\nfrom . import h\n"
                + "from .... import nope\n"))
                .containsExactly("pkg/sub/sibling.py", "pkg/sub/sibling/__init__.py", "pkg/up/mod.py", "pkg/up/mod/__init__.py",
                        "pkg/sub/__init__.py");
        // A keyword inside an earlier match's quotes is not a second import.
        assertThat(Imports.of("s/m.ts", "import x from './a'; const y = require('./b'); import('./c');\n"
                + "export * from './from'./z';\n"))
                .contains("s/a.ts", "s/b.ts", "s/c.ts", "s/from.ts")
                .allMatch(suffix -> suffix.matches("s/(a|b|c|from)(|\\.tsx?|\\.jsx?|\\.mjs|/index\\.[tj]s)"));
        assertThat(Imports.of("src/lib.rs", "pub mod parse;\nuse crate::io::read;\n  // use nope;\n"))
                .contains("parse.rs", "io/read.rs", "io.rs").doesNotContain("nope.rs");
        assertThat(Imports.of("c/x.c", "#include \"a/b.h\"\n  # include \"c.h\"\n/* #include \"d.h\" */\n"))
                .containsExactly("a/b.h", "c.h");
    }

    @Test
    void identifiersSplitAsTheCaseChangePatternSplitsThem() {
        assertThat(Relevance.terms("parseHTTPHeader_v2")).containsExactly("parsehttpheaderv2", "pars", "http", "header", "v2");
        assertThat(Relevance.terms("__init__")).containsExactly("init", "init");
        assertThat(Relevance.terms("Header")).containsExactly("header");
        Random random = new Random(3);
        for (int round = 0; round < 100_000; round++) {
            String word = randomWord(random);
            assertThat(Relevance.terms(word)).as(word).isEqualTo(referenceTerms(word));
        }
    }

    @Test
    void aFileCountsTheTermsItsWordsSplitInto() {
        // The task's terms and a file's words from the same few pieces, so that many words are task terms.
        Random random = new Random(5);
        for (int round = 0; round < 300; round++) {
            List<String> taskWords = new ArrayList<>();
            for (int k = 0; k < 4; k++) {
                taskWords.add(randomWord(random));
            }
            Relevance relevance = new Relevance(String.join(" ", taskWords));
            Set<String> taskTerms = new HashSet<>();
            taskWords.forEach(word -> taskTerms.addAll(referenceTerms(word)));
            taskTerms.remove("a"); // a stop word, never a task term (the only one these words can make)
            for (int k = 1; k < taskWords.size(); k++) {
                // Neighbouring words count joined, as one identifier written apart.
                String joined = Relevance.stem((taskWords.get(k - 1) + taskWords.get(k)).replace("_", "").toLowerCase(Locale.ROOT));
                if (!taskWords.get(k - 1).equalsIgnoreCase("a") && !taskWords.get(k).equalsIgnoreCase("a") && joined.length() > 3) {
                    taskTerms.add(joined);
                }
            }
            StringBuilder text = new StringBuilder();
            for (int k = 0; k < 40; k++) {
                text.append(random.nextInt(4) == 0 ? taskWords.get(random.nextInt(4)) : randomWord(random))
                        .append(" .;(\n".charAt(random.nextInt(5)));
            }
            int length = 0;
            int matches = 0;
            Matcher words = Pattern.compile("[A-Za-z0-9_]+").matcher(text);
            while (words.find()) {
                List<String> terms = referenceTerms(words.group());
                length += words.group().replace("_", "").isEmpty() ? terms.size() + 1 : terms.size();
                for (String term : terms) {
                    matches += taskTerms.contains(term) ? 1 : 0;
                }
            }
            Relevance.Terms counted = relevance.terms("", text.toString());
            assertThat(counted.length()).as(text.toString()).isEqualTo(length);
            assertThat(Arrays.stream(counted.counts()).sum()).as(text.toString()).isEqualTo(matches);
        }
    }

    /** An identifier of letters of both cases, digits and underscores. */
    private static String randomWord(Random random) {
        String alphabet = "aAzZ09_bQ";
        StringBuilder word = new StringBuilder();
        for (int k = 1 + random.nextInt(10); k > 0; k--) {
            word.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return word.toString();
    }

    /**
     * The terms of a word by the case-change pattern: the word joined (lower case, no underscores),
     * and its parts when it splits into more than one; each stemmed.
     */
    private static List<String> referenceTerms(String word) {
        List<String> terms = new ArrayList<>();
        String joined = word.replace("_", "").toLowerCase(Locale.ROOT);
        if (!joined.isEmpty()) {
            terms.add(Relevance.stem(joined));
        }
        String[] parts = Pattern.compile("_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])").split(word);
        if (parts.length > 1) {
            for (String part : parts) {
                if (!part.isEmpty()) {
                    terms.add(Relevance.stem(part.toLowerCase(Locale.ROOT)));
                }
            }
        }
        return terms;
    }
}
