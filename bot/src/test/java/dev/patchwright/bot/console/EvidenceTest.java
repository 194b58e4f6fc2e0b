package dev.patchwright.bot.console;

import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class EvidenceTest {

    @Test
    void diffLinesAreClassifiedByTheirFirstCharactersAndKeepTheirText() {
        String diff = "diff --git a/calc.py b/calc.py\n--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n"
                + "-    return a - b\n+    return a + b  # <script>alert(1)</script>\n";

        assertThat(Evidence.diff(diff)).extracting(Evidence.DiffLine::kind)
                .containsExactly("file", "file", "file", "hunk", "ctx", "del", "add");
        // The text stays as it was: the template escapes it, so a tag in a patch shows as a tag.
        assertThat(Evidence.diff(diff).get(6).text()).isEqualTo("+    return a + b  # <script>alert(1)</script>");
        assertThat(Evidence.diff(null)).isEmpty();
        assertThat(Evidence.diff("+x\u0007\u001b[31m")).extracting(Evidence.DiffLine::text).containsExactly("+x[31m");
    }

    @Test
    void testOutputLosesColoursTitlesAndControlCharacters() {
        String coloured = "\u001b[1m\u001b[31mFAIL\u001b[0m test_add\r\n\u001b]0;pytest\u0007ok \u001b[2K\u001bcdone\u0000\n";

        assertThat(Evidence.testOutput(coloured)).isEqualTo("FAIL test_add\nok done");
        assertThat(Evidence.testOutput(null)).isEmpty();
    }

    @Test
    void longTestOutputKeepsItsEndWhereTheFailuresAre() {
        String output = IntStream.rangeClosed(1, 250).mapToObj(i -> "line " + i).collect(Collectors.joining("\n"));

        String shown = Evidence.testOutput(output);

        assertThat(shown).startsWith("… 50 earlier lines left out …\nline 51\n").endsWith("\nline 250");
        assertThat(shown.split("\n")).hasSize(Evidence.OUTPUT_LINES + 1);
    }
}
