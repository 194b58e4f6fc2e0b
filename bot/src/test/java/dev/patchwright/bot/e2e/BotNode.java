package dev.patchwright.bot.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node of a cluster under test: the built bot ({@code target/quarkus-app}) in a JVM of its own, with its own
 * home and work directory, a role, and the cluster's settings from its environment (never its command line, which
 * {@code ps} shows). Its output goes to {@code target/<name>.log}.
 */
final class BotNode implements AutoCloseable {

    private static final Pattern WORKER_ID = Pattern.compile("Worker (node-[0-9a-f]{8}) runs up to");

    final String name;
    final int port;
    final int managementPort;
    final Path log;
    private final Process process;

    private BotNode(String name, int port, int managementPort, Path log, Process process) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
        this.process = process;
    }

    /** Starts a node; {@code settings} are environment variables ({@code PATCHWRIGHT_...}, {@code QUARKUS_...}). */
    static BotNode start(String name, String role, Map<String, String> settings) throws IOException {
        int port = freePort();
        int management = freePort();
        Path home = Files.createTempDirectory("patchwright-" + name + "-home");
        Path work = Files.createTempDirectory("patchwright-" + name + "-work");
        // The sandbox runs as another user, which must be able to pass through to the worktrees.
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx--x--x"));
        Path log = Path.of("target", name + ".log");
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // Three JVMs start at once on a small machine: the first tier of the JIT is enough for a test.
                "-XX:TieredStopAtLevel=1", "-Xmx384m", "-jar",
                Path.of("target", "quarkus-app", "quarkus-run.jar").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("PATCHWRIGHT_") || key.startsWith("QUARKUS_"));
        env.putAll(settings);
        // Three nodes warming up at once would slow each other's start; a test that wants the warm-up says so.
        env.putIfAbsent("PATCHWRIGHT_INTAKE_WARMUP", "0");
        env.put("PATCHWRIGHT_ROLE", role);
        env.put("PATCHWRIGHT_HOME", home.toString());
        env.put("PATCHWRIGHT_WORK_DIR", work.toString());
        env.put("QUARKUS_HTTP_PORT", String.valueOf(port));
        env.put("QUARKUS_MANAGEMENT_PORT", String.valueOf(management));
        return new BotNode(name, port, management, log, builder.start());
    }

    /** Waits until the node says it is ready (database up, migrated, sandbox checked). */
    void awaitReady(Duration wait) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + managementPort + "/q/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(250);
        }
        throw new AssertionError(name + " was not ready within " + wait + ":\n" + Files.readString(log));
    }

    /** The id this node's job runner claims under, from its log. */
    String workerId() throws IOException {
        Matcher matcher = WORKER_ID.matcher(Files.readString(log));
        if (!matcher.find()) {
            throw new AssertionError(name + " runs no jobs: its log names no worker id");
        }
        return matcher.group(1);
    }

    String logText() throws IOException {
        return Files.readString(log);
    }

    /** {@code kill -9}: the JVM ends at once, without its shutdown hooks. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " (pid " + process.pid() + ") did not die of SIGKILL in 30 s");
        }
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
