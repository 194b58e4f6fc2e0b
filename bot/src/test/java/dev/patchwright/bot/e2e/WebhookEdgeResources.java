package dev.patchwright.bot.e2e;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** The surroundings of {@link EndToEndResources}, with an idle timeout short enough to wait for in a test. */
public final class WebhookEdgeResources implements QuarkusTestResourceLifecycleManager {

    static final int IDLE_TIMEOUT_SECONDS = 2;

    private final EndToEndResources around = new EndToEndResources();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = around.start();
        config.put("quarkus.http.idle-timeout", IDLE_TIMEOUT_SECONDS + "s");
        return config;
    }

    @Override
    public void stop() {
        around.stop();
    }
}
