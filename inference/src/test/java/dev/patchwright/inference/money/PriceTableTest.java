package dev.patchwright.inference.money;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PriceTableTest {

    @TempDir
    Path temp;

    private Path write(String name, String text) throws Exception {
        Path file = temp.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsYaml() throws Exception {
        Path file = write("prices.yaml", """
                # dollars per million tokens
                gpt-4.1: {input: 2.00, cached-input: 0.50, output: 8.00}
                small:
                  input: "$0.1"
                  output: 0.4
                qwen3-local: {gpu-hour: 2.50}
                """);

        PriceTable table = PriceTable.load(file);

        assertThat(table.require("gpt-4.1")).isEqualTo(new Price(Money.parse("2"), Money.parse("0.5"),
                Money.parse("8"), Money.ZERO));
        assertThat(table.require("small").cachedInputPerMillion()).isEqualTo(Money.parse("0.1"));
        assertThat(table.require("qwen3-local").perGpuHour()).isEqualTo(Money.parse("2.5"));
        assertThat(table.find("other")).isEmpty();
        assertThat(table.source()).isEqualTo(file.toString());
    }

    @Test
    void readsJsonWithoutRoundingThroughDoubles() throws Exception {
        Path file = write("prices.json", "{\"m\": {\"input\": 0.100001, \"output\": 3}}");

        assertThat(PriceTable.load(file).require("m").inputPerMillion().micros()).isEqualTo(100_001);
    }

    @Test
    void namesTheFileTheLineAndTheModelOfAMistake() throws Exception {
        Path unknownKey = write("a.yaml", "ok: {input: 1}\nbad:\n  input: 1\n  outptu: 2\n");
        Path badAmount = write("b.yaml", "m:\n  input: cheap\n");
        Path notYaml = write("c.yaml", "m: {input: 1\n");
        Path notMapping = write("d.yaml", "- m\n");
        Path noPrice = write("e.yaml", "m: {cached-input: 1}\n");

        assertThatThrownBy(() -> PriceTable.load(unknownKey)).hasMessageContaining(unknownKey.toString())
                .hasMessageContaining("line 4").hasMessageContaining("model 'bad'").hasMessageContaining("'outptu'");
        assertThatThrownBy(() -> PriceTable.load(badAmount)).hasMessageContaining("line 2")
                .hasMessageContaining("model 'm', key 'input'").hasMessageContaining("'cheap'");
        assertThatThrownBy(() -> PriceTable.load(notYaml)).hasMessageContaining(notYaml.toString())
                .hasMessageContaining("not valid YAML at line");
        assertThatThrownBy(() -> PriceTable.load(notMapping)).hasMessageContaining("line 1")
                .hasMessageContaining("a mapping of model names");
        assertThatThrownBy(() -> PriceTable.load(noPrice)).hasMessageContaining("model 'm'")
                .hasMessageContaining("none of input, output");
    }

    @Test
    void anUnpricedModelIsRefusedByName() throws Exception {
        PriceTable table = PriceTable.load(write("p.yaml", "a: {input: 1}\nb: {input: 1}\n"));

        assertThatThrownBy(() -> table.require("gpt-5")).hasMessageContaining("'gpt-5'")
                .hasMessageContaining(table.source()).hasMessageContaining("a, b");
    }
}
