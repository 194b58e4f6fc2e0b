package dev.patchwright.inference.tokenizer;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingRegistry;
import com.knuddels.jtokkit.api.EncodingType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Our ids must equal jtokkit's {@code encodeOrdinary} exactly, on real code and on edge cases. */
class TiktokenExactnessTest {

    private static final EncodingRegistry REGISTRY = Encodings.newLazyEncodingRegistry();

    enum Family {
        O200K(EncodingType.O200K_BASE, "o200k_base"), CL100K(EncodingType.CL100K_BASE, "cl100k_base");

        final EncodingType type;
        final String spec;

        Family(EncodingType type, String spec) {
            this.type = type;
            this.spec = spec;
        }
    }

    static List<String> edgeCases() {
        List<String> cases = new ArrayList<>(List.of("", " ", "  ", "\n", "\r\n", "a", "'", "'s",
                "中文字符和日本語のテキスト、한국어도。", "漢字abc漢字", "👩‍👩‍👧‍👦 family 👍🏽 ok 🏳️‍🌈",
                "e\u0301 cafe\u0301 \u0301\u0301 a\u0308b Z\u0351\u0363", "line1\r\nline2\r\n\r\n\tend\r",
                "a    b\n\n\n    c \t \n  \n", "   \n", " \u00a0 \u2003x\u3000y\u0085z\u2028",
                "it's IT'S they're THEY'RE we've I'm you'll he'd 'S 'T 'Re 'rE 'LL 'Ve 'D 'M 'ſ don't'",
                "Hello'sWorld 'sup HELLO'S CamelCaseWordsHTTPServer XMLHttpRequest iPhone",
                "\ud800 lone \udc00 high\ud83d end \udfff\ud800x", "a/b//c ./path/to/file.txt http://x.org/a/",
                "x = a+b; // comment\n\tif (x != 0) { return -x; }\n", "ʰʲ ǅungla ǈ Ǆ ᾈ", "½ ⅓ Ⅻ ² ³ ①②③",
                "१२३४५ ١٢٣٤ 𝟘𝟙𝟚𝟛 𝟜", "    ", "!!!???...;;;", " !\n", "\u2028\u2029", "\u0000\u0001\u001f"));
        for (int n = 1; n <= 10; n++) {
            cases.add("x" + "1234567890".substring(0, n) + " " + "9".repeat(n) + "\n");
        }
        cases.add("a".repeat(1_000_000));
        cases.add("ab cd ef ".repeat(120_000));
        cases.add("-=".repeat(300_000) + "é".repeat(1000) + "😀".repeat(1000) + " ".repeat(5000) + "\n".repeat(5000));
        return cases;
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void matchesJtokkitOnEdgeCases(Family family) {
        Encoding reference = REGISTRY.getEncoding(family.type);
        Tokenizer ours = Tokenizers.load(family.spec);
        for (String text : edgeCases()) {
            int[] expected = reference.encodeOrdinary(referenceInput(family, text)).toArray();
            String shown = text.length() > 60 ? text.substring(0, 60) + "..." : text;
            assertThat(ours.encode(text)).as("ids of %s", shown).containsExactly(expected);
            assertThat(ours.count(text)).as("count of %s", shown).isEqualTo(expected.length);
        }
    }

    /**
     * jtokkit's cl100k_base parser refuses lone surrogates (an assertion); its o200k_base regex takes
     * them. A lone surrogate and {@code ?} are in the same character class, and both become the byte
     * {@code ?}, so the reference for cl100k_base is jtokkit on the text with them replaced.
     */
    private static String referenceInput(Family family, String text) {
        if (family == Family.CL100K) {
            return new String(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8);
        }
        return text;
    }

    @ParameterizedTest
    @EnumSource(Family.class)
    void matchesJtokkitOnEveryJavaBaseSourceFile(Family family) {
        Encoding reference = REGISTRY.getEncoding(family.type);
        Tokenizer ours = Tokenizers.load(family.spec);
        List<String> files = JdkSources.javaBase();
        long ids = 0;
        for (String text : files) {
            int[] expected = reference.encodeOrdinary(text).toArray();
            int[] actual = ours.encode(text);
            if (!java.util.Arrays.equals(expected, actual)) {
                assertThat(actual).as("ids of a java.base file starting %s", text.substring(0, Math.min(200, text.length())))
                        .containsExactly(expected);
            }
            ids += expected.length;
        }
        assertThat(files).hasSizeGreaterThan(3000);
        assertThat(ids).isGreaterThan(5_000_000);
    }

    @Test
    void decodesWhatItEncodes() {
        for (Family family : Family.values()) {
            Tokenizer ours = Tokenizers.load(family.spec);
            for (String text : edgeCases()) {
                if (!text.contains("\ud800") && text.length() < 10_000) {
                    assertThat(ours.decode(ours.encode(text))).isEqualTo(text);
                }
            }
        }
    }
}
