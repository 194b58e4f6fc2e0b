package dev.patchwright.inference.tokenizer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenizersTest {

    @Test
    void encodesCountsAndDecodesWithTheNamedEncoding() {
        Tokenizer cl100k = Tokenizers.load("cl100k_base");
        assertThat(cl100k.encode("hello world")).containsExactly(15339, 1917);
        Tokenizer o200k = Tokenizers.load("o200k_base");
        String text = "int add(int a, int b) { return a + b; } // <|endoftext|>";
        assertThat(o200k.count(text)).isEqualTo(o200k.encode(text).length);
        assertThat(o200k.decode(o200k.encode(text))).isEqualTo(text);
        assertThat(o200k.name()).isEqualTo("o200k_base");
    }

    @Test
    void anUnknownNameSaysWhichAreKnown() {
        assertThatThrownBy(() -> Tokenizers.load("gpt2")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpt2").hasMessageContaining("o200k_base");
    }

    @Test
    void anHfSpecWithoutAPathSaysHowToWriteOne() {
        assertThatThrownBy(() -> Tokenizers.load("hf:")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hf:/path/to/tokenizer.json");
    }

    @Test
    void theTiktokenEncodingsAreOurBytePairEncoderLoadedOnce() {
        assertThat(Tokenizers.load("o200k_base")).isInstanceOf(BytePairEncoder.class)
                .isSameAs(Tokenizers.load("o200k_base"));
    }
}
