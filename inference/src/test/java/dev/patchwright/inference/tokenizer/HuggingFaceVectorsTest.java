package dev.patchwright.inference.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Reproduces every reference id sequence of the Qwen3 tokenizer (see resources/tokenizer/README.md). */
class HuggingFaceVectorsTest {

    record Vector(String source, String text, int[] ids) {
    }

    static Path resource(String name) {
        try {
            return Path.of(HuggingFaceVectorsTest.class.getResource("/tokenizer/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static List<Vector> vectors() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Vector> vectors = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                HuggingFaceVectorsTest.class.getResourceAsStream("/tokenizer/qwen3-vectors.jsonl.gz")),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode node = json.readTree(line);
                int[] ids = new int[node.get("ids").size()];
                for (int i = 0; i < ids.length; i++) {
                    ids[i] = node.get("ids").get(i).asInt();
                }
                vectors.add(new Vector(node.get("source").asText(), node.get("text").asText(), ids));
            }
        }
        return vectors;
    }

    @Test
    void reproducesEveryQwen3ReferenceVectorAndDecodesBack() throws IOException {
        Tokenizer qwen = Tokenizers.load("hf:" + resource("tokenizer.json.gz"));
        List<Vector> vectors = vectors();
        int ids = 0;
        for (Vector v : vectors) {
            assertThat(qwen.encode(v.text())).as("ids of %s", v.source()).containsExactly(v.ids());
            assertThat(qwen.count(v.text())).as("count of %s", v.source()).isEqualTo(v.ids().length);
            // the tokenizer normalises to NFC first; one file (source-map/package.json) is not NFC
            assertThat(qwen.decode(v.ids())).as("text of %s", v.source())
                    .isEqualTo(Normalizer.normalize(v.text(), Normalizer.Form.NFC));
            ids += v.ids().length;
        }
        assertThat(vectors).hasSize(60);
        assertThat(ids).isEqualTo(76_075);
    }
}
