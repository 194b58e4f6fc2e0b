package dev.patchwright.bot;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyPairGenerator;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code ./patchwright serve} without database settings: the built application starts its own
 * PostgreSQL under {@code PATCHWRIGHT_HOME}, migrates it and serves webhooks, and health and metrics on
 * the management port.
 */
class ServeWithEmbeddedDatabaseIT {

    @TempDir
    Path home;

    @Test
    void startsAnEmbeddedDatabaseAndServes() throws Exception {
        serveAndCheck(Path.of("target", "serve-embedded.log"));
        // Its data survives a restart, and the second start finds the database it made.
        String second = serveAndCheck(Path.of("target", "serve-embedded-restart.log"));
        assertThat(second).contains("Schema \"public\" is up to date");
    }

    /**
     * Serves and checks, on ports free a moment before: when another process takes one in between (the bot then
     * stops at once, saying the port is in use), it tries again with others.
     */
    private String serveAndCheck(Path log) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return serveAndCheckOnce(log);
            } catch (AssertionError | IOException e) {
                // The management interface may answer before the main port fails: a request then finds it closed.
                if (attempt == 3 || !Files.readString(log).contains("seems to be in use by another process")) {
                    throw e;
                }
            }
        }
    }

    private String serveAndCheckOnce(Path log) throws Exception {
        int port = freePort();
        int management = freePort();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("PATCHWRIGHT_") || key.startsWith("QUARKUS_"));
        env.put("PATCHWRIGHT_HOME", home.toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        env.put("QUARKUS_GITHUB_APP_APP_ID", "12345");
        env.put("QUARKUS_GITHUB_APP_PRIVATE_KEY", privateKeyPem());
        env.put("QUARKUS_GITHUB_APP_WEBHOOK_SECRET", "serve-test-secret");
        env.put("PATCHWRIGHT_INTAKE_WARMUP", "1000");
        Process process = builder.start();
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            String health = awaitHealth(http, management, process, log);
            assertThat(health).contains("\"status\": \"UP\"").contains("Database connections health check");
            // Ready only once the intake has rehearsed: every rehearsal answered, none of them stored.
            assertThat(health).contains("\"intake\"").contains("1000 rehearsal deliveries in");
            assertThat(Files.readString(log)).contains("Intake warm-up: 1000 rehearsal deliveries in");
            assertThat(home.resolve("postgres").resolve("PG_VERSION")).exists();
            assertBinariesOnlyThisUserCanWrite();
            String text = Files.readString(log);
            assertThat(text).contains("started embedded PostgreSQL");
            assertThat(Files.getPosixFilePermissions(home.resolve("postgres.password")))
                    .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
            Matcher databasePort = Pattern.compile("PostgreSQL on port (\\d+)").matcher(text);
            assertThat(databasePort.find()).isTrue();
            // A sandboxed setup step with network shares the host's loopback: no password, no database.
            assertThatThrownBy(() -> DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + databasePort.group(1)
                    + "/postgres", "postgres", "").close())
                    .isInstanceOf(SQLException.class).hasMessageContaining("password");

            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                    + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            // Not beside the webhook, where anyone who can reach it would read them.
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);

            HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/webhook")).header("X-GitHub-Event", "ping").header("X-GitHub-Delivery", "d-1")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(unsigned.statusCode()).isEqualTo(401);
            assertThat(unsigned.body()).contains("X-Hub-Signature-256");

            String jdbc = "jdbc:postgresql://127.0.0.1:" + databasePort.group(1) + "/postgres";
            String password = Files.readString(home.resolve("postgres.password")).strip();
            assertThat(count(jdbc, password, "delivery_id like 'rehearsal-%' or repository = 'patchwright/rehearsal'"))
                    .as("rehearsals store nothing").isZero();
            // Whoever holds the webhook secret still cannot pass a delivery off as a rehearsal.
            String id = "serve-" + java.util.UUID.randomUUID();
            byte[] body = "{\"zen\":\"Keep it logically awesome.\",\"hook_id\":1}".getBytes();
            HttpResponse<String> forged = http.send(webhook(port, id, body)
                    .header("X-Patchwright-Rehearsal", "0".repeat(64)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(forged.body()).contains("X-Patchwright-Rehearsal");
            assertThat(count(jdbc, password, "delivery_id = '" + id + "'")).isZero();
            // A ping, which no handler takes, is stored as handled when it is answered.
            HttpResponse<String> ping = http.send(webhook(port, id, body).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ping.statusCode()).isEqualTo(202);
            assertThat(count(jdbc, password, "delivery_id = '" + id + "' and status = 'ignored'"
                    + " and outcome = 'ping: the webhook works' and handled_at is not null")).isEqualTo(1);
            return Files.readString(log);
        } finally {
            process.destroy();
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    /**
     * The postgres the bot runs comes from under PATCHWRIGHT_HOME, and no directory on the way to it
     * lets another user plant a binary of their own.
     */
    private void assertBinariesOnlyThisUserCanWrite() throws IOException {
        // pg_ctl starts the server detached from the bot; its data directory names its pid.
        long pid = Long.parseLong(Files.readAllLines(home.resolve("postgres/postmaster.pid")).get(0).strip());
        Path postgres = ProcessHandle.of(pid).flatMap(p -> p.info().command()).map(Path::of)
                .orElseThrow(() -> new AssertionError("no running postgres with pid " + pid));
        Path binaries = home.resolve("postgres-binaries");
        assertThat(postgres).startsWith(binaries);
        assertThat(Files.getPosixFilePermissions(binaries)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
        for (Path dir = postgres.getParent(); !dir.equals(home); dir = dir.getParent()) {
            assertThat(Files.getPosixFilePermissions(dir)).as(dir.toString())
                    .doesNotContain(PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_WRITE);
        }
    }

    private static HttpRequest.Builder webhook(int port, String deliveryId, byte[] body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/webhook"))
                .header("X-GitHub-Event", "ping").header("X-GitHub-Delivery", deliveryId)
                .header("X-Hub-Signature-256", dev.patchwright.bot.webhook.WebhookSignature.sign("serve-test-secret", body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    }

    private static long count(String jdbc, String password, String where) throws SQLException {
        try (java.sql.Connection connection = DriverManager.getConnection(jdbc, "postgres", password);
             java.sql.ResultSet rows = connection.createStatement()
                     .executeQuery("select count(*) from webhook_deliveries where " + where)) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String awaitHealth(HttpClient http, int port, Process process, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + 90_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("the bot exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/q/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return response.body();
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("the bot did not become healthy in 90 s:\n" + Files.readString(log));
    }

    private static String privateKeyPem() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        String base64 = Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(
                generator.generateKeyPair().getPrivate().getEncoded());
        return "-----BEGIN PRIVATE KEY-----\n" + base64 + "\n-----END PRIVATE KEY-----\n";
    }
}
