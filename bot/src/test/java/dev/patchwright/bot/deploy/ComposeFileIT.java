package dev.patchwright.bot.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker-compose.yml} passes {@code docker-compose config} (Debian's docker-compose 1.29, which
 * validates the file against the Compose schema without an engine, unknown keys refused), and what
 * it resolves to keeps the promises of README "Deploying": secrets from files, the webhook on
 * loopback, workers that scale, health checks everywhere, the sandbox's settings on workers only.
 */
class ComposeFileIT {

    private static final Path ROOT = DeployFiles.root();

    @TempDir
    Path project;

    /** The compose project as an operator lays it out: settings file, generated seccomp profile. */
    @BeforeEach
    void layOut() throws Exception {
        Files.copy(ROOT.resolve("docker-compose.yml"), project.resolve("docker-compose.yml"));
        Files.copy(ROOT.resolve("patchwright.env.example"), project.resolve("patchwright.env"));
        Files.createDirectories(project.resolve("docker"));
        DeployFiles.Run profile = DeployFiles.run(ROOT, Map.of(), List.of("python3", "docker/seccomp-profile.py",
                "--from", ROOT.resolve("bot/src/test/resources/deploy/seccomp-docker-format-sample.json").toString(),
                "--arch", "amd64", "--out", project.resolve("docker/seccomp-bwrap.json").toString()));
        assertThat(profile.exitCode()).as(profile.output()).isZero();
    }

    @Test
    void resolvesToWhatTheReadmePromises() throws Exception {
        JsonNode services = config().path("services");

        assertThat(services.fieldNames()).toIterable()
                .containsExactlyInAnyOrder("postgres", "webhook", "worker", "model-server");
        services.forEach(service -> assertThat(service.path("healthcheck").path("test").isArray()).isTrue());
        assertThat(services.path("webhook").path("healthcheck").path("test").toString())
                .contains("http://127.0.0.1:9000/q/health/ready");

        assertThat(services.path("webhook").path("ports").get(0).asText()).isEqualTo("127.0.0.1:8080:8080/tcp");

        JsonNode worker = services.path("worker");
        assertThat(worker.has("ports")).as("a worker publishes no port, so it can be scaled").isFalse();
        assertThat(worker.has("container_name")).as("a worker has no fixed name, so it can be scaled").isFalse();
        assertThat(worker.has("privileged")).isFalse();
        assertThat(worker.path("cap_drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(texts(worker.path("security_opt"))).containsExactlyInAnyOrder("no-new-privileges:true",
                "seccomp:docker/seccomp-bwrap.json", "apparmor=unconfined", "systempaths=unconfined");
        assertThat(texts(services.path("webhook").path("security_opt"))).containsExactly("no-new-privileges:true");

        // Secrets come from files: the database password is nowhere in the resolved configuration.
        assertThat(services.path("postgres").path("environment").path("POSTGRES_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/db-password");
        assertThat(services.path("postgres").path("environment").has("POSTGRES_PASSWORD")).isFalse();
        assertThat(services.path("worker").path("environment").path("PATCHWRIGHT_DB_PASSWORD_FILE").asText())
                .isEqualTo("/run/secrets/db-password");
        assertThat(Files.readString(ROOT.resolve("docker-compose.yml"))).doesNotContainPattern("PASSWORD: *[^$\\s]");
    }

    @Test
    void theModelServerStartsOnlyWithItsProfile() throws Exception {
        JsonNode modelServer = config("--profile", "model").path("services").path("model-server");

        assertThat(modelServer.path("profiles").toString()).isEqualTo("[\"model\"]");
        assertThat(modelServer.path("command").toString()).contains("model-server", "0.0.0.0");
        assertThat(modelServer.path("healthcheck").path("test").toString()).contains("/v1/models");
        assertThat(modelServer.path("environment").path("PATCHWRIGHT_MODEL_SERVER_API_KEY_FILE").asText())
                .isEqualTo("/run/secrets/model-api-key");
    }

    @Test
    void anUnknownKeyFailsValidation() throws Exception {
        Path file = project.resolve("docker-compose.yml");
        Files.writeString(file, Files.readString(file).replace("    pids_limit: 8192", "    pids_limit: 8192\n    pid_limit: 1"));

        DeployFiles.Run run = DeployFiles.run(project, Map.of(), List.of("docker-compose", "config", "-q"));

        assertThat(run.exitCode()).isNotZero();
        assertThat(run.output()).contains("Unsupported config option for services.worker: 'pid_limit'");
    }

    private JsonNode config(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        command.addAll(List.of(options));
        command.add("config");
        DeployFiles.Run run = DeployFiles.run(project, Map.of(), command);
        assertThat(run.exitCode()).as(run.output()).isZero();
        return new YAMLMapper().readTree(run.output());
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }
}
