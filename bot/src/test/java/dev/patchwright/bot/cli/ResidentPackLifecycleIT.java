package dev.patchwright.bot.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resident packer's life: a client that leaves mid-pack, the idle timeout, and the launcher that
 * picks the packer, runs without it on request, and falls back to packing itself when none can start.
 */
class ResidentPackLifecycleIT {

    @TempDir
    Path temp;

    private ResidentPackers packers;

    @BeforeEach
    void home() throws Exception {
        packers = new ResidentPackers(temp);
    }

    @AfterEach
    void stopServers() throws Exception {
        packers.close();
    }

    @Test
    void aClientThatLeavesMidPackLeavesNoHalfFileAndTheServerServesOn() throws Exception {
        Path big = Files.createDirectories(temp.resolve("big"));
        StringBuilder text = new StringBuilder();
        for (int line = 0; line < 120; line++) {
            text.append("    long value").append(line).append(" = compute(").append(line).append(", seed);\n");
        }
        for (int i = 0; i < 3000; i++) {
            // Each file differs, so no token count is shared and the pack takes seconds.
            Files.writeString(big.resolve("File" + i + ".java"), "class File" + i + " {\n" + text + "    int seed = " + i
                    + ";\n}\n");
        }
        Path outDir = Files.createDirectories(temp.resolve("out"));
        packers.pack(temp, "--help");
        long pid = packers.serverPid();

        Process client = packers.start(temp, "pack", "big", "--out", "out/big.xml", "--cache-dir", "cache");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (isEmpty(outDir) && client.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(client.isAlive()).as("the pack is still writing when the client is stopped").isTrue();
        client.destroy();
        client.waitFor(10, TimeUnit.SECONDS);

        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!packers.log().contains("a client left mid-pack") && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(packers.log()).contains("a client left mid-pack; its command was stopped");
        assertThat(isEmpty(outDir)).as("no partial file beside --out").isTrue();

        Path small = Files.createDirectories(temp.resolve("small"));
        Files.writeString(small.resolve("A.java"), "class A {}\n");
        ResidentPackers.Run next = packers.pack(temp, "small", "--out", "out/small.xml", "--cache-dir", "cache");
        assertThat(next.exit()).as(next.stderr()).isZero();
        assertThat(Files.readString(outDir.resolve("small.xml"))).contains("class A {}");
        assertThat(packers.serverPid()).isEqualTo(pid);
    }

    private static boolean isEmpty(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.findAny().isEmpty();
        }
    }

    @Test
    void anIdleServerExitsAndRemovesItsSocket() throws Exception {
        packers.environment.put("PATCHWRIGHT_PACK_SERVER_IDLE", "2");
        assertThat(packers.pack(temp, "--help").exit()).isZero();
        long pid = packers.serverPid();
        assertThat(pid).isPositive();
        Path socket;
        try (Stream<Path> files = Files.list(packers.runDirectory())) {
            socket = files.filter(p -> p.toString().endsWith(".sock")).findFirst().orElseThrow();
        }

        ProcessHandle server = ProcessHandle.of(pid).orElseThrow();
        server.onExit().get(20, TimeUnit.SECONDS);

        assertThat(server.isAlive()).isFalse();
        assertThat(socket).doesNotExist();
        assertThat(packers.log()).contains("stopping: idle for 2 s");
    }

    @Test
    void theServerStopsWhenItsSocketIsRemoved() throws Exception {
        assertThat(packers.pack(temp, "--help").exit()).isZero();
        ProcessHandle server = ProcessHandle.of(packers.serverPid()).orElseThrow();
        try (Stream<Path> files = Files.list(packers.runDirectory())) {
            Files.delete(files.filter(p -> p.toString().endsWith(".sock")).findFirst().orElseThrow());
        }

        server.onExit().get(20, TimeUnit.SECONDS);
        assertThat(packers.log()).contains("stopping: its socket was removed");
    }

    @Test
    void refusesARunDirectoryItCannotTrustAndSaysSoBeforePackingInProcess() throws Exception {
        Files.writeString(packers.runDirectory(), "not a directory");
        Path small = Files.createDirectories(temp.resolve("small"));
        Files.writeString(small.resolve("A.java"), "class A {}\n");

        ResidentPackers.Run run = packers.pack(temp, "small", "--out", "small.xml");

        assertThat(run.exit()).isEqualTo(75);
        assertThat(run.stderr()).isEqualTo("patchwright: " + packers.runDirectory()
                + " is not a directory; move it away so the resident packer can use the name;"
                + " packing without the resident packer\n");
        assertThat(temp.resolve("small.xml")).doesNotExist();
    }

    @Test
    void keepsItsRunDirectoryAndSocketToItsOwner() throws Exception {
        Files.createDirectories(packers.runDirectory());
        Files.setPosixFilePermissions(packers.runDirectory(), PosixFilePermissions.fromString("rwxr-xr-x"));

        assertThat(packers.pack(temp, "--help").exit()).isZero();

        assertThat(Files.getPosixFilePermissions(packers.runDirectory())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> files = Files.list(packers.runDirectory())) {
            Path socket = files.filter(p -> p.toString().endsWith(".sock")).findFirst().orElseThrow();
            assertThat(Files.getPosixFilePermissions(socket)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void aHomeTooLongForASocketPacksInProcessWithoutStartingAServer() throws Exception {
        Path home = Files.createDirectories(temp.resolve("a-home-whose-path-is-much-longer-than-the-one-hundred-"
                + "and-seven-bytes-a-unix-socket-may-have"));
        packers.environment.put("PATCHWRIGHT_HOME", home.toString());

        ResidentPackers.Run run = packers.pack(temp, "--help");

        assertThat(run.exit()).isEqualTo(75);
        assertThat(run.stderr()).startsWith("patchwright: the resident packer's socket " + home.resolve("run"))
                .contains("and Unix sockets allow 107; a shorter PATCHWRIGHT_HOME lets it run;"
                        + " packing without the resident packer\n")
                .doesNotContain("starting a resident packer");
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine()
                .map(c -> c.contains("PackServer") && c.contains(home.toString())).orElse(false)).count()).isZero();
    }

    @Test
    void aRebuiltApplicationRetiresTheServerOfTheOldBuild() throws Exception {
        packers.app = Files.writeString(temp.resolve("quarkus-run.jar"), "the build");
        assertThat(packers.pack(temp, "--help").stderr()).isEqualTo(ResidentPackers.STARTING);
        ProcessHandle old = ProcessHandle.of(packers.serverPid()).orElseThrow();

        Files.setLastModifiedTime(packers.app, FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        old.onExit().get(20, TimeUnit.SECONDS);

        assertThat(packers.log()).contains("stopping: the application was rebuilt or removed");
        // The next pack starts a server of the new build.
        assertThat(packers.pack(temp, "--help").stderr()).isEqualTo(ResidentPackers.STARTING);
        assertThat(packers.serverPid()).isPositive().isNotEqualTo(old.pid());
    }

    @Test
    void dropsAConnectionThatSendsNoRequestAndStillIdlesOut() throws Exception {
        packers.environment.put("PATCHWRIGHT_PACK_SERVER_IDLE", "14");
        assertThat(packers.pack(temp, "--help").exit()).isZero();
        ProcessHandle server = ProcessHandle.of(packers.serverPid()).orElseThrow();
        Path socket;
        try (Stream<Path> files = Files.list(packers.runDirectory())) {
            socket = files.filter(p -> p.toString().endsWith(".sock")).findFirst().orElseThrow();
        }

        try (SocketChannel silent = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            // Says nothing: dropped after the request timeout, and the server still goes when idle.
            long started = System.nanoTime();
            assertThat(silent.read(ByteBuffer.allocate(1))).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(13));
            assertThat(server.isAlive()).isTrue();
            server.onExit().get(30, TimeUnit.SECONDS);
        }
        assertThat(packers.log()).contains("stopping: idle for 14 s");
    }

    /** The launcher at the repository root, with the application the build packaged. */
    private record Launched(int exit, String stdout, String stderr) {
    }

    private Launched launch(Map<String, String> env, String... args) throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        List<String> command = new ArrayList<>(List.of(root.resolve("patchwright").toString()));
        command.addAll(List.of(args));
        Path out = temp.resolve("launcher.out");
        Path err = temp.resolve("launcher.err");
        ProcessBuilder builder = new ProcessBuilder(command).directory(temp.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(packers.environment);
        builder.environment().putAll(env);
        builder.environment().remove("JAVA_OPTS");
        Process process = builder.start();
        assertThat(process.waitFor(3, TimeUnit.MINUTES)).isTrue();
        return new Launched(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void theLauncherPacksThroughTheServerWithoutItOnRequestAndInProcessWhenNoneCanStart() throws Exception {
        Path small = Files.createDirectories(temp.resolve("small"));
        Files.writeString(small.resolve("A.java"), "class A {}\n");
        String[] pack = {"pack", "small", "--out", "small.xml", "--stats=json"};

        Launched first = launch(Map.of(), pack);
        Launched second = launch(Map.of(), pack);
        Launched status = launch(Map.of(), "pack-server", "status");
        Launched off = launch(Map.of("PATCHWRIGHT_PACK_SERVER", "off"), pack);

        assertThat(first.exit()).as(first.stderr()).isZero();
        assertThat(first.stderr()).isEqualTo(ResidentPackers.STARTING);
        assertThat(second.stderr()).isEmpty();
        assertThat(ResidentPackers.untimed(second.stdout())).isEqualTo(ResidentPackers.untimed(off.stdout()))
                .contains("\"files\" : 1");
        assertThat(status.exit()).isZero();
        assertThat(status.stdout()).startsWith("a resident packer runs: pid ").contains("idle timeout 120 s");
        assertThat(off.exit()).isZero();
        assertThat(off.stderr()).isEmpty();

        Launched stop = launch(Map.of(), "pack-server", "stop");
        assertThat(stop.stdout()).startsWith("stopped the resident packer (pid ");
        assertThat(launch(Map.of(), "pack-server", "status").exit()).isEqualTo(1);

        Files.delete(temp.resolve("small.xml"));
        Launched fallback = launch(Map.of("PATCHWRIGHT_PACK_SERVER_IDLE", "soon"), pack);
        assertThat(fallback.stderr()).isEqualTo("patchwright: PATCHWRIGHT_PACK_SERVER_IDLE must be a whole number of "
                + "seconds above 0, not 'soon'; packing without the resident packer\n");
        assertThat(fallback.exit()).isZero();
        assertThat(Files.readString(temp.resolve("small.xml"))).contains("class A {}");
    }
}
