package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Random;
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
        Pattern reference = Pattern.compile("_|(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
        assertThat(Relevance.parts("parseHTTPHeader_v2")).containsExactly("parse", "HTTP", "Header", "v2");
        assertThat(Relevance.parts("__init__")).containsExactly("", "", "init");
        Random random = new Random(3);
        String alphabet = "aAzZ09_bQ";
        for (int round = 0; round < 100_000; round++) {
            StringBuilder word = new StringBuilder();
            for (int k = 1 + random.nextInt(10); k > 0; k--) {
                word.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            assertThat(Relevance.parts(word.toString())).as(word.toString())
                    .isEqualTo(Arrays.asList(reference.split(word)));
        }
    }
}
