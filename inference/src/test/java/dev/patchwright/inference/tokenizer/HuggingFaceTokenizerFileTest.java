package dev.patchwright.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HuggingFaceTokenizerFileTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static ObjectNode qwen;
    private static BytePairEncoder qwenTokenizer;

    @TempDir
    Path dir;

    @BeforeAll
    static void readQwen() throws IOException {
        Path file = HuggingFaceVectorsTest.resource("tokenizer.json.gz");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            qwen = (ObjectNode) JSON.readTree(in);
        }
        qwenTokenizer = (BytePairEncoder) Tokenizers.load("hf:" + file);
    }

    private Path write(JsonNode tokenizer) throws IOException {
        Path file = dir.resolve("tokenizer.json");
        JSON.writeValue(file.toFile(), tokenizer);
        return file;
    }

    @Test
    void readsMergesWrittenAsStringsLikeMergesWrittenAsPairs() throws IOException {
        ObjectNode copy = qwen.deepCopy();
        ArrayNode merges = JSON.createArrayNode();
        for (JsonNode pair : qwen.path("model").path("merges")) {
            merges.add(pair.get(0).asText() + " " + pair.get(1).asText());
        }
        ((ObjectNode) copy.get("model")).set("merges", merges);
        Tokenizer fromStrings = Tokenizers.load("hf:" + write(copy));
        for (HuggingFaceVectorsTest.Vector v : HuggingFaceVectorsTest.vectors().subList(0, 10)) {
            assertThat(fromStrings.encode(v.text())).containsExactly(v.ids());
        }
    }

    @Test
    void recognisesAddedTokensOnlyWhenAsked() {
        String text = "<|im_start|>user\nwhat is 2+2?<|im_end|></think>";
        int[] plain = qwenTokenizer.encode(text);
        assertThat(Arrays.stream(plain).max().orElseThrow()).isLessThan(151643);
        int[] special = qwenTokenizer.encodeWithSpecialTokens(text);
        assertThat(special[0]).isEqualTo(151644);
        assertThat(special).contains(151645, 151668).hasSizeLessThan(plain.length);
        assertThat(qwenTokenizer.decode(plain)).isEqualTo(text);
        assertThat(qwenTokenizer.decode(special)).isEqualTo(text);
    }

    @Test
    void decodesBrokenUtf8WithReplacementCharactersAndJoinedIdsAsAWhole() {
        int[] euro = {byteToken(0xe2), byteToken(0x82), byteToken(0xac)};
        assertThat(qwenTokenizer.decode(new int[]{euro[0]})).isEqualTo("\ufffd");
        assertThat(qwenTokenizer.decode(new int[]{euro[0], qwenTokenizer.encode("a")[0]})).isEqualTo("\ufffda");
        assertThat(qwenTokenizer.decode(euro)).isEqualTo("€");
        assertThatThrownBy(() -> qwenTokenizer.decode(new int[]{999_999}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999999");
    }

    private static int byteToken(int b) {
        for (int id = 0; id < 1000; id++) {
            byte[] bytes = qwenTokenizer.decodeBytes(new int[]{id});
            if (bytes.length == 1 && (bytes[0] & 0xff) == b) {
                return id;
            }
        }
        throw new AssertionError("no one-byte token for " + b);
    }

    @Test
    void refusesAWordPieceModelNamingIt() throws IOException {
        ObjectNode copy = qwen.deepCopy();
        ((ObjectNode) copy.get("model")).put("type", "WordPiece");
        Path file = write(copy);
        assertThatThrownBy(() -> Tokenizers.load("hf:" + file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("WordPiece").hasMessageContaining(file.toString());
    }

    @Test
    void refusesMissingMergesAndMergesOfUnknownTokens() throws IOException {
        ObjectNode copy = qwen.deepCopy();
        ((ObjectNode) copy.get("model")).remove("merges");
        Path file = write(copy);
        assertThatThrownBy(() -> Tokenizers.load("hf:" + file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.merges is missing");
        ((ObjectNode) copy.get("model")).set("merges", JSON.valueToTree(List.of("Ġ Ġ", "xyzzy q")));
        write(copy);
        assertThatThrownBy(() -> Tokenizers.load("hf:" + file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("model.merges[1] (xyzzy q)");
    }

    @Test
    void refusesAnUnsupportedPreTokenizerAndAnUnreadableFile() throws IOException {
        ObjectNode copy = qwen.deepCopy();
        copy.set("pre_tokenizer", JSON.readTree("{\"type\":\"Whitespace\"}"));
        Path file = write(copy);
        assertThatThrownBy(() -> Tokenizers.load("hf:" + file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("pre_tokenizer").hasMessageContaining("Whitespace");
        Path missing = dir.resolve("absent.json");
        assertThatThrownBy(() -> Tokenizers.load("hf:" + missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
        Files.writeString(missing, "{not json");
        assertThatThrownBy(() -> Tokenizers.load("hf:" + missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void splitsWithAnyOtherPatternThroughJavaRegex() throws IOException {
        ObjectNode copy = qwen.deepCopy();
        ObjectNode split = (ObjectNode) copy.get("pre_tokenizer").get("pretokenizers").get(0);
        // the same pattern written differently, so no hand-written scanner matches it
        ((ObjectNode) split.get("pattern")).put("Regex", "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
                + "|\\p{N}{1}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
        Tokenizer regex = Tokenizers.load("hf:" + write(copy));
        for (HuggingFaceVectorsTest.Vector v : HuggingFaceVectorsTest.vectors().subList(0, 5)) {
            assertThat(regex.encode(v.text())).containsExactly(v.ids());
        }
    }
}
