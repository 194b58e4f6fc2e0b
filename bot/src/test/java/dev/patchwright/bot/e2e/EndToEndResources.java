package dev.patchwright.bot.e2e;

import dev.patchwright.bot.standin.GitHubStandIn;
import dev.patchwright.bot.standin.ScriptedModelServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * Everything around the bot under test, each real and on loopback: a PostgreSQL server (embedded
 * binaries), the GitHub stand-in (REST and git smart HTTP) and a scripted OpenAI-compatible model.
 * The built bot runs as its own process and learns their addresses only from configuration.
 */
public final class EndToEndResources implements QuarkusTestResourceLifecycleManager {

    static final String WEBHOOK_SECRET = "e2e-webhook-secret-7f3a9c";
    static final String MODEL_API_KEY = "sk-e2e-model-key-91c2";
    static final String ADMIN_TOKEN = "e2e-admin-token-5d1e08";

    static EmbeddedPostgres postgres;
    static GitHubStandIn github;
    static ScriptedModelServer model;
    static Path home;
    static Path workDir;
    /** The management interface's port (health, metrics): a free one, not 9000, which may be taken. */
    static int managementPort;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder().start();
            github = new GitHubStandIn(Path.of("target", "github-requests.jsonl"));
            model = new ScriptedModelServer(MODEL_API_KEY);
            home = Files.createTempDirectory("patchwright-e2e-home");
            workDir = Files.createTempDirectory("patchwright-e2e-work");
            try (ServerSocket socket = new ServerSocket(0)) {
                managementPort = socket.getLocalPort();
            }
            // The sandbox runs as another user, which must be able to pass through to the worktrees.
            Files.setPosixFilePermissions(workDir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("patchwright.db.url", postgres.getJdbcUrl("postgres", "postgres"));
        config.put("patchwright.db.user", "postgres");
        config.put("patchwright.db.password", "");
        config.put("patchwright.home", home.toString());
        config.put("patchwright.work-dir", workDir.toString());
        config.put("patchwright.model.url", model.baseUrl());
        config.put("patchwright.model.name", "scripted-model");
        config.put("patchwright.worker.poll", "200ms");
        config.put("patchwright.delivery-sweep", "1s");
        // A short warm-up, so that every test also shows that rehearsals store, handle and publish nothing, while
        // the test's own deliveries may arrive in the middle of it.
        config.put("patchwright.intake-warmup", "200");
        config.put("patchwright.trigger.review-debounce", "4s");
        config.put("patchwright.solve.memory-mib", "1024");
        config.put("patchwright.model.price", "input=2.00,cached-input=0.50,output=8.00");
        config.put("quarkus.management.port", String.valueOf(managementPort));
        config.put("quarkus.github-app.app-id", String.valueOf(github.appId()));
        config.put("quarkus.github-app.instance-endpoint", github.apiUrl());
        // The secrets go in a file the application reads, not on its command line, which the test
        // launcher prints into the build's log.
        Properties secrets = new Properties();
        secrets.setProperty("quarkus.github-app.private-key", github.privateKeyPem());
        secrets.setProperty("quarkus.github-app.webhook-secret", WEBHOOK_SECRET);
        secrets.setProperty("patchwright.model.api-key", MODEL_API_KEY);
        secrets.setProperty("patchwright.admin-token", ADMIN_TOKEN);
        Path file = home.resolve("secrets.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            secrets.store(out, "end-to-end test secrets");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        config.put("quarkus.config.locations", file.toUri().toString());
        return config;
    }

    @Override
    public void stop() {
        try {
            if (model != null) {
                model.close();
            }
            if (github != null) {
                github.close();
            }
            if (postgres != null) {
                postgres.close();
            }
        } catch (Exception e) {
            throw new IllegalStateException("stopping the end-to-end resources failed", e);
        }
    }
}
