package dev.patchwright.bot.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.local.RandomModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code model-server} as its own process, and {@code eval hashhop} on a {@code local:} model folder. */
class ModelServerCommandIT {

    @TempDir
    Path temp;

    @Test
    void servesTheFolderUntilStoppedAndPrintsItsUrl() throws Exception {
        Path folder = RandomModel.tiny(2).write(temp.resolve("tiny-random"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process process = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                Cli.class.getName(), "model-server", "--model-path", folder.toString(), "--port", "0")
                .redirectError(temp.resolve("stderr.txt").toFile()).start();
        try {
            BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String url = stdout.readLine();
            assertThat(url).as(Files.readString(temp.resolve("stderr.txt"))).matches("http://127\\.0\\.0\\.1:\\d+/v1");

            HttpResponse<String> models = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url + "/models")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(models.statusCode()).isEqualTo(200);
            JsonNode body = new ObjectMapper().readTree(models.body());
            assertThat(body.at("/data/0/id").asText()).isEqualTo("tiny-random");
            HttpResponse<String> health = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create(url).resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(health.body()).get("status").asText()).isEqualTo("ok");
        } finally {
            process.destroy(); // SIGTERM, as Ctrl-C's SIGINT: the shutdown hook stops the server
        }
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        // Without a CUDA device (as on CI), auto says what it found and runs on the CPU.
        assertThat(Files.readString(temp.resolve("stderr.txt"))).contains("serving tiny-random", "Ctrl-C stops",
                "--device auto: ", "; using the CPU engine");
    }

    @Test
    void refusesAnUnknownDeviceAndCudaWithoutADevice() throws Exception {
        Path folder = RandomModel.tiny(5).write(temp.resolve("device-model"));

        CliRun bad = run("model-server", "--model-path", folder.toString(), "--port", "0", "--device", "gpu");
        CliRun cuda = run("model-server", "--model-path", folder.toString(), "--port", "0", "--device", "cuda");

        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.stderr()).contains("error: --device: device must be cpu, cuda or auto, found 'gpu'");
        assertThat(cuda.exit()).isEqualTo(2);
        assertThat(cuda.stderr()).contains("error: --device cuda: no CUDA device: ");
    }

    @Test
    void refusesAFolderThatIsNotAModelNamingWhatIsMissing() throws Exception {
        Files.createDirectories(temp.resolve("empty"));

        CliRun run = run("model-server", "--model-path", temp.resolve("empty").toString(), "--port", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("--model-path", "has no tokenizer.json");
    }

    @Test
    void refusesToServeBeyondLoopbackWithoutAKey() throws Exception {
        Path folder = RandomModel.tiny(4).write(temp.resolve("open-model"));

        CliRun run = run("model-server", "--model-path", folder.toString(), "--host", "0.0.0.0", "--port", "0");

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.stderr()).contains("--host 0.0.0.0", "PATCHWRIGHT_MODEL_SERVER_API_KEY", "--allow-unauthenticated");
    }

    @Test
    void hashhopRunsOnALocalFolderBilledByComputeTime() throws Exception {
        Path folder = RandomModel.tiny(4).write(temp.resolve("tiny-random"));
        Path out = temp.resolve("out");

        CliRun run = run("eval", "hashhop", "--model-url", "local:" + folder, "--price", "gpu-hour=2",
                "--tokenizer", "hf:" + folder.resolve("tokenizer.json"), "--tokens", "4k", "--hops", "1,2",
                "--variant", "direct", "--queries", "2", "--max-output-tokens", "24", "--budget", "0.50",
                "--out", out.toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        assertThat(run.stdout()).contains("2 of 2 cells run");
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertThat(results.at("/settings/model").asText()).isEqualTo("tiny-random");
        assertThat(results.at("/totals/spentMicroUsd").asLong()).isPositive().isLessThanOrEqualTo(500_000);
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }
}
