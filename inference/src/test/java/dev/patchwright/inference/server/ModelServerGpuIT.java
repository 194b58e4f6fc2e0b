package dev.patchwright.inference.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchwright.inference.engine.Device;
import dev.patchwright.inference.engine.cuda.CudaEngine;
import dev.patchwright.inference.engine.cuda.GpuRequirement;
import dev.patchwright.inference.local.LocalModel;
import dev.patchwright.inference.local.RandomModel;
import dev.patchwright.inference.model.ChatMessage;
import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.openai.OpenAiCompatibleModel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code model-server} on the GPU engine: a second request whose prompt starts like the first's is
 * served partly from the KV blocks the first left in device memory, and says so in its usage
 * ({@code prompt_tokens_details.cached_tokens}) and in {@code /metrics}. Skips, saying why, without a device.
 */
class ModelServerGpuIT {

    private static final String NAME = "tiny-random-gpu";

    @TempDir
    Path dir;

    @Test
    void aSecondRequestOverTheSamePackedPrefixReportsItsCachedTokens() throws Exception {
        GpuRequirement.present("ModelServerGpuIT");
        String key = "pw-gpu-metrics-key-" + System.nanoTime();
        try (LocalModel model = LocalModel.open(RandomModel.tiny(3).write(dir.resolve(NAME)), Device.CUDA);
                ModelServer server = new ModelServer(model, NAME, new InetSocketAddress("127.0.0.1", 0), key)) {
            assertThat(model.toString()).contains("GPU");
            String packed = "The packed repository: " + "class A { int f() { return 1; } }\n".repeat(12); // one token a byte
            OpenAiCompatibleModel client = new OpenAiCompatibleModel(server.baseUrl(), key, NAME, Duration.ofSeconds(60))
                    .withMaxRetries(0);
            Completion first = client.complete(new ChatRequest(List.of(ChatMessage.user(packed + "Fix bug one")), 6, 1.0, 2, 5L));
            Completion second = client.complete(new ChatRequest(List.of(ChatMessage.user(packed + "Fix bug two")), 6, 1.0, 2, 6L));

            assertThat(first.usage().cachedPromptTokens()).isZero();
            assertThat(second.usage().cachedPromptTokens()).as("the shared packed prefix, in whole blocks")
                    .isGreaterThanOrEqualTo(packed.length() / CudaEngine.BLOCK_POSITIONS * CudaEngine.BLOCK_POSITIONS - 2 * CudaEngine.BLOCK_POSITIONS)
                    .isLessThan(second.usage().promptTokens());
            assertThat(second.usage().cachedPromptTokens() % CudaEngine.BLOCK_POSITIONS).isZero();
            Map<String, Double> metrics = ModelServerMetricsIT.metrics(server, NAME);
            assertThat(metrics.get("patchwright_model_cached_prompt_tokens_total")).isEqualTo((double) second.usage().cachedPromptTokens());
            assertThat(metrics.get("patchwright_model_kv_blocks_used")).as("the two prompts' full blocks, the shared ones once")
                    .isGreaterThan((double) packed.length() / CudaEngine.BLOCK_POSITIONS - 2);
            assertThat(metrics.get("patchwright_model_kv_blocks_shared")).isGreaterThanOrEqualTo(1.0);
            assertThat(metrics.get("patchwright_model_kv_cache_bytes")).isPositive();
        }
    }
}
