package dev.patchwright.bot.e2e;

import dev.patchwright.inference.local.RandomModel;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The end-to-end surroundings of {@link EndToEndResources}, with the model swapped for a tiny random model folder
 * that the bot loads into its own process ({@code local:<folder>}).
 */
public final class LocalModelResources implements QuarkusTestResourceLifecycleManager {

    private final EndToEndResources around = new EndToEndResources();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = around.start();
        try {
            Path folder = RandomModel.tiny(5).write(Files.createTempDirectory("patchwright-e2e-model").resolve("tiny-random"));
            config.put("patchwright.model.url", "local:" + folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Garbage either way; fewer tokens keep the test quick.
        config.put("patchwright.model.max-tokens", "64");
        // The local engine is billed by the GPU-hour (here CPU time of the engine, at that price).
        config.put("patchwright.model.price", "gpu-hour=2.50");
        return config;
    }

    @Override
    public void stop() {
        around.stop();
    }
}
