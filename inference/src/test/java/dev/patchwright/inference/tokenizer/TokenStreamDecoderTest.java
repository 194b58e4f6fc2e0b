package dev.patchwright.inference.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Streaming ids one at a time gives the text that decoding them at once gives, and no broken characters. */
class TokenStreamDecoderTest {

    static GenerationTokenizer qwen;

    @BeforeAll
    static void load() {
        qwen = Tokenizers.loadForGeneration("hf:" + HuggingFaceVectorsTest.resource("tokenizer.json.gz"));
    }

    @Test
    void streamingEveryReferenceVectorGivesItsDecodedText() throws IOException {
        for (HuggingFaceVectorsTest.Vector v : HuggingFaceVectorsTest.vectors()) {
            List<String> chunks = stream(qwen.streamDecoder(), v.ids());
            assertThat(String.join("", chunks)).as("streamed %s", v.source()).isEqualTo(qwen.decode(v.ids()));
            assertThat(chunks).as("chunks of %s", v.source()).noneMatch(c -> c.contains("\ufffd"));
        }
    }

    @Test
    void aCharacterSplitAcrossTokensIsHeldBackUntilComplete() {
        String text = "naïve 😀🙂🫠 ひらがな 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ∮ E⋅da = Q";
        int[] ids = qwen.encode(text);
        TokenStreamDecoder decoder = qwen.streamDecoder();
        List<String> chunks = new ArrayList<>();
        int held = 0;
        for (int id : ids) {
            String chunk = decoder.next(id);
            if (chunk.isEmpty()) {
                assertThat(decoder.holdsBytes()).isTrue();
                held++;
            }
            assertThat(chunk).doesNotContain("\ufffd");
            if (!chunk.isEmpty()) {
                assertThat(Character.isHighSurrogate(chunk.charAt(chunk.length() - 1))).isFalse();
            }
            chunks.add(chunk);
        }
        assertThat(decoder.holdsBytes()).isFalse();
        assertThat(decoder.finish()).isEmpty();
        assertThat(held).as("tokens that ended inside a character").isPositive();
        assertThat(String.join("", chunks)).isEqualTo(text);
    }

    @Test
    void bytesThatCanNeverBeACharacterBecomeReplacementCharacters() {
        int[] ids = qwen.encode("𝔘");
        assertThat(ids.length).isGreaterThan(1);
        TokenStreamDecoder decoder = qwen.streamDecoder();
        // the character's first token, then text: the unfinished character is invalid once "x" comes
        String first = decoder.next(ids[0]);
        String then = decoder.next(qwen.encode("x")[0]);
        assertThat(first + then).isEqualTo(qwen.decode(new int[]{ids[0], qwen.encode("x")[0]}));
        assertThat(then).contains("\ufffd").endsWith("x");
        // an unfinished character at the end becomes U+FFFD only at finish
        assertThat(decoder.next(ids[0])).isEmpty();
        assertThat(decoder.finish()).isEqualTo("\ufffd");
        assertThat(decoder.holdsBytes()).isFalse();
        assertThat(decoder.next(qwen.encode("ok")[0])).isEqualTo("ok");
    }

    @Test
    void randomIdSequencesStreamToTheirDecodedText() {
        Random random = new Random(42);
        int vocabulary = 151_669;
        for (int round = 0; round < 2_000; round++) {
            int[] ids = new int[1 + random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) {
                // single bytes (ids below 256) make broken and unfinished characters likely
                ids[i] = random.nextBoolean() ? random.nextInt(256) : random.nextInt(vocabulary);
            }
            assertThat(String.join("", stream(qwen.streamDecoder(), ids)))
                    .as("ids %s", java.util.Arrays.toString(ids)).isEqualTo(qwen.decode(ids));
        }
    }

    @Test
    void anUnknownIdIsRefusedAndNothingIsConsumed() {
        TokenStreamDecoder decoder = qwen.streamDecoder();
        assertThatThrownBy(() -> decoder.next(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThat(decoder.holdsBytes()).isFalse();
    }

    static List<String> stream(TokenStreamDecoder decoder, int[] ids) {
        List<String> chunks = new ArrayList<>();
        for (int id : ids) {
            chunks.add(decoder.next(id));
        }
        chunks.add(decoder.finish());
        return chunks;
    }
}
