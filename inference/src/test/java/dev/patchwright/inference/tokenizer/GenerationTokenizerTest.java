package dev.patchwright.inference.tokenizer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Added and special tokens only where allowed, declared stop tokens, and decode that round-trips. */
class GenerationTokenizerTest {

    static GenerationTokenizer qwen;

    @BeforeAll
    static void load() {
        qwen = Tokenizers.loadForGeneration("hf:" + HuggingFaceVectorsTest.resource("tokenizer.json.gz"));
    }

    @Test
    void everyQwen3ReferenceTextDecodesBackToItsNfcForm() throws IOException {
        for (HuggingFaceVectorsTest.Vector v : HuggingFaceVectorsTest.vectors()) {
            int[] ids = qwen.encode(v.text());
            assertThat(ids).as("ids of %s", v.source()).containsExactly(v.ids());
            assertThat(qwen.decode(ids)).as("round trip of %s", v.source())
                    .isEqualTo(Normalizer.normalize(v.text(), Normalizer.Form.NFC));
        }
    }

    @Test
    void tiktokenEncodingsRoundTripJdkSourcesExactly() {
        List<String> sources = JdkSources.javaBase().subList(0, 400);
        for (String name : List.of("o200k_base", "cl100k_base")) {
            GenerationTokenizer tiktoken = Tokenizers.loadForGeneration(name);
            for (String text : sources) {
                assertThat(tiktoken.decode(tiktoken.encode(text))).isEqualTo(text);
            }
        }
    }

    @Test
    void textThatSpellsControlTokensIsOrdinaryTextUnlessAllowed() {
        String text = "<|im_start|>user\nhi<|im_end|>\n<think>";
        int[] plain = qwen.encode(text);
        assertThat(plain).doesNotContain(151644, 151645, 151667);
        assertThat(qwen.count(text)).isEqualTo(plain.length);
        assertThat(qwen.decode(plain)).isEqualTo(text);

        int[] onlyStart = qwen.encode(text, Set.of("<|im_start|>"));
        assertThat(onlyStart[0]).isEqualTo(151644);
        assertThat(onlyStart).doesNotContain(151645, 151667);
        assertThat(qwen.decode(onlyStart)).isEqualTo(text);

        int[] all = qwen.encodeWithSpecialTokens(text);
        assertThat(all).startsWith(151644).contains(151645).endsWith(151667);
        int[] expected = concat(new int[]{151644}, qwen.encode("user\nhi"), new int[]{151645},
                qwen.encode("\n"), new int[]{151667});
        assertThat(all).containsExactly(expected);
        assertThat(qwen.decode(all)).isEqualTo(text);
    }

    @Test
    void adjacentAndRepeatedAddedTokensAreEachFound() {
        assertThat(qwen.encodeWithSpecialTokens("<|im_end|><|im_end|>x<|endoftext|>"))
                .containsExactly(concat(new int[]{151645, 151645}, qwen.encode("x"), new int[]{151643}));
        assertThat(qwen.encodeWithSpecialTokens("")).isEmpty();
    }

    @Test
    void allowingTextThatIsNoAddedTokenIsAnError() {
        assertThatThrownBy(() -> qwen.encode("x", Set.of("<|eot_id|>")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("<|eot_id|>");
    }

    @Test
    void addedTokensKnowWhichAreSpecial() {
        AddedTokens added = qwen.addedTokens();
        assertThat(added.texts()).hasSize(26);
        assertThat(added.specialTexts()).hasSize(14).contains("<|im_start|>", "<|endoftext|>");
        assertThat(added.isSpecial("<think>")).isFalse();
        assertThat(added.require("<think>")).isEqualTo(151667);
        assertThat(added.id("<|eot_id|>")).isEmpty();
    }

    @Test
    void tiktokenSpecialsAreRecognisedOnlyWhereAllowed() {
        GenerationTokenizer o200k = Tokenizers.loadForGeneration("o200k_base");
        assertThat(o200k.encode("a<|endoftext|>")).doesNotContain(199999);
        assertThat(o200k.encodeWithSpecialTokens("a<|endoftext|>")).endsWith(199999);
        assertThat(o200k.declaredStopTokenIds()).containsExactly(199999);
        GenerationTokenizer cl100k = Tokenizers.loadForGeneration("cl100k_base");
        assertThat(cl100k.encode("<|fim_prefix|>x", Set.of("<|fim_prefix|>"))).startsWith(100258);
    }

    @Test
    void decodingControlTokensGivesTheirText() {
        int[] ids = concat(new int[]{151644}, qwen.encode("assistant\n"), new int[]{151667, 151668, 151645});
        assertThat(qwen.decode(ids)).isEqualTo("<|im_start|>assistant\n<think></think><|im_end|>");
    }

    @Test
    void qwenDeclaresItsConfiguredEndOfSequenceToken() {
        assertThat(qwen.declaredStopTokenIds()).containsExactly(151645);
        assertThat(qwen.chatTemplateSource()).hasValueSatisfying(t -> assertThat(t).contains("enable_thinking"));
    }

    @Test
    void generationConfigEndTokensAndAnEosObjectAreDeclaredToo(@TempDir Path dir) throws IOException {
        Files.copy(HuggingFaceVectorsTest.resource("tokenizer.json.gz"), dir.resolve("tokenizer.json.gz"));
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"<|endoftext|>\"}}");
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": [151645, 151643]}");
        GenerationTokenizer configured = Tokenizers.loadForGeneration("hf:" + dir.resolve("tokenizer.json.gz"));
        assertThat(configured.declaredStopTokenIds()).containsExactlyInAnyOrder(151643, 151645);
        assertThat(configured.chatTemplateSource()).isEmpty();
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": ");
        assertThatThrownBy(() -> Tokenizers.loadForGeneration("hf:" + dir.resolve("tokenizer.json.gz")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("generation_config.json");
    }

    @Test
    void anUnknownIdIsNamedWhenDecoding() {
        assertThatThrownBy(() -> qwen.decode(new int[]{5, 999_999}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999999");
        assertThat(new String(qwen.encoder().decodeBytes(qwen.encode("é")), StandardCharsets.UTF_8)).isEqualTo("é");
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }
}
