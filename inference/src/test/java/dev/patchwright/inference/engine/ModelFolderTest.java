package dev.patchwright.inference.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a user sees when a model folder is not one the engine can run. */
class ModelFolderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheConfig() throws Exception {
        ModelFolder folder = ModelFolder.open(TinyModel.qwen3().write(dir.resolve("m")));
        ModelConfig c = folder.config();
        assertThat(c.architecture()).isEqualTo(Architecture.QWEN3);
        assertThat(c.headDim()).isEqualTo(12);
        assertThat(c.qDim()).isEqualTo(48);
        assertThat(c.kvDim()).isEqualTo(24);
        assertThat(c.qkNorm()).isTrue();
        assertThat(c.eosTokenIds()).containsExactly(63);
        assertThat(folder.weights().wq[1].rows()).isEqualTo(48);
        assertThat(folder.weights().output).isNotSameAs(folder.weights().embed);
        TinyModel tied = TinyModel.qwen2();
        tied.tied = true;
        Weights weights = ModelFolder.open(tied.write(dir.resolve("tied"))).weights();
        assertThat(weights.output).isSameAs(weights.embed);
        assertThat(weights.bq[0]).hasSize(32);
    }

    @Test
    void aWrongShapeNamesTheTensorAndBothShapes() throws Exception {
        TinyModel model = TinyModel.llama();
        model.shapeOverrides.put("model.layers.1.self_attn.k_proj.weight", new long[] {32, 16});
        Path folder = model.write(dir.resolve("m"));
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessage("model.layers.1.self_attn.k_proj.weight: expected shape [16, 32], found [32, 16] in "
                        + folder.resolve("model.safetensors"));
    }

    @Test
    void aMissingTensorIsNamed() throws Exception {
        TinyModel model = TinyModel.qwen2();
        model.omitted.add("model.layers.0.self_attn.v_proj.bias");
        Path folder = model.write(dir.resolve("m"));
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessage("model.layers.0.self_attn.v_proj.bias: tensor missing from " + folder + " (expected shape [16])");
    }

    @Test
    void aDtypeTheEngineCannotComputeWithIsNamed() throws Exception {
        TinyModel model = TinyModel.llama();
        model.dtypeOverrides.put("model.layers.0.mlp.up_proj.weight", "I8");
        Path folder = model.write(dir.resolve("m"));
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageStartingWith("model.layers.0.mlp.up_proj.weight: unsupported dtype I8 in ")
                .hasMessageEndingWith("; expected BF16, F16 or F32");
    }

    @Test
    void anUnsupportedArchitectureOrRopeScalingIsNamed() throws Exception {
        Path folder = TinyModel.llama().write(dir.resolve("m"));
        ObjectNode config = TinyModel.llama().config();
        config.putArray("architectures").add("MistralForCausalLM");
        Files.writeString(folder.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("unsupported architecture \"MistralForCausalLM\"; the engine runs LlamaForCausalLM, "
                        + "Qwen2ForCausalLM and Qwen3ForCausalLM");
        config = TinyModel.llama().config();
        ((ObjectNode) config.get("rope_scaling")).put("rope_type", "yarn");
        Files.writeString(folder.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> ModelFolder.open(folder)).hasMessageContaining("unsupported rope_scaling type \"yarn\"");
        config = TinyModel.llama().config();
        config.remove("hidden_size");
        Files.writeString(folder.resolve("config.json"), config.toString());
        assertThatThrownBy(() -> ModelFolder.open(folder)).hasMessageContaining("hidden_size must be a positive integer, found nothing");
    }

    @Test
    void missingFilesAreNamed() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        assertThatThrownBy(() -> ModelFolder.open(empty)).isInstanceOf(ModelLoadException.class)
                .hasMessage(empty + ": no config.json in the model folder");
        Files.writeString(empty.resolve("config.json"), TinyModel.llama().config().toString());
        assertThatThrownBy(() -> ModelFolder.open(empty))
                .hasMessage(empty + ": no model.safetensors or model.safetensors.index.json in the model folder");
        TinyModel sharded = TinyModel.llama();
        sharded.shards = 2;
        Path folder = sharded.write(dir.resolve("sharded"));
        Files.delete(folder.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("shard model-00002-of-00002.safetensors (for tensor ")
                .hasMessageEndingWith(") is missing");
    }
}
