package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs commands in the real bwrap on this machine (root, cgroup v1) and checks the isolation. */
class BubblewrapSandboxIT {

    private static BubblewrapSandbox sandbox;

    @BeforeAll
    static void createSandbox() throws SandboxException {
        sandbox = BubblewrapSandbox.create();
    }

    @Test
    void returnsOutputAndExitCode(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.of("echo hello; echo oops >&2; exit 3", work));

        assertThat(result.exitCode()).isEqualTo(3);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.output()).isEqualTo("hello\noops\n");
        assertThat(result.outputTruncated()).isFalse();
        assertThat(result.describe()).startsWith("exit code 3 after ").endsWith(" s");
        assertThat(sandbox.run(SandboxSpec.of("pwd; id -u", work)).output())
                .isEqualTo("/workspace\n" + (SandboxUser.runningAsRoot() ? SandboxUser.ID : "") + "\n");
    }

    @Test
    void noNetworkUnlessAsked(@TempDir Path work) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            String connect = "python3 -c \"import socket; socket.create_connection(('127.0.0.1', "
                    + server.getLocalPort() + "), 5).sendall(b'hi')\"";
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    return new String(s.getInputStream().readAllBytes());
                } catch (IOException e) {
                    return "accept failed: " + e;
                }
            });

            SandboxResult offline = sandbox.run(SandboxSpec.builder(connect, work).network(false).build());
            assertThat(offline.exitCode()).as(offline.output()).isNotZero();
            // The sandbox has its own loopback, where nothing listens.
            assertThat(offline.output()).contains("ConnectionRefusedError");
            assertThat(received).isNotDone();

            SandboxResult online = sandbox.run(SandboxSpec.builder(connect, work).network(true).build());
            assertThat(online.exitCode()).as(online.output()).isZero();
            assertThat(received.get(10, TimeUnit.SECONDS)).isEqualTo("hi");
        }
    }

    @Test
    void environmentHoldsOnlyWhatTheSandboxSets(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.builder("env", work).env("MAVEN_OPTS", "-Xmx256m").build());

        Set<String> names = Arrays.stream(result.output().split("\n"))
                .map(line -> line.substring(0, line.indexOf('='))).collect(Collectors.toSet());
        // PWD, SHLVL and _ are set by the shells themselves.
        assertThat(names).isSubsetOf("PATH", "HOME", "LANG", "TERM", "CI", "MAVEN_OPTS", "PWD", "SHLVL", "_");
        assertThat(result.output()).contains("HOME=/tmp\n", "CI=true\n", "LANG=C.UTF-8\n", "MAVEN_OPTS=-Xmx256m\n");
        for (String parentName : System.getenv().keySet()) {
            if (!Set.of("PATH", "HOME", "LANG", "TERM", "CI", "PWD", "SHLVL", "_").contains(parentName)) {
                assertThat(names).doesNotContain(parentName);
            }
        }
    }

    @Test
    void hostFilesAreOutOfReach(@TempDir Path work) throws Exception {
        Path hostFile = Path.of("/usr/patchwright-escape-" + ProcessHandle.current().pid());
        String probe = "for d in /root /home /work /var; do test -e $d && echo visible $d; done;"
                + " touch " + hostFile + " 2>/dev/null && echo wrote usr;"
                + " touch /etc/patchwright-escape 2>/dev/null && echo wrote etc;"
                + " echo inside > /tmp/t && cat /tmp/t; ls /";

        SandboxResult result = sandbox.run(SandboxSpec.of(probe, work));

        assertThat(result.output()).doesNotContain("visible", "wrote").contains("inside\n");
        assertThat(Files.exists(hostFile)).isFalse();
        assertThat(Files.exists(Path.of("/tmp/t"))).isFalse();
        assertThat(result.output().lines().skip(1).collect(Collectors.toList()))
                .doesNotContain("root", "home", "work", "var");
    }

    @Test
    void sandboxHasNoCapabilities(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.of("grep -E '^Cap(Eff|Prm)' /proc/self/status; "
                + "mount -t tmpfs none /tmp 2>&1 || echo mount refused", work));

        assertThat(result.output()).contains("CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
                "mount refused");
    }

    /** Tries each call the filter refuses; prints "name errno" (0: it worked). */
    private static final String FORBIDDEN_CALLS = """
            python3 -c '
            import ctypes, errno, os, platform, socket
            libc = ctypes.CDLL(None, use_errno=True)
            nr = {"x86_64": {"io_uring_setup": 425, "keyctl": 250, "ptrace": 101},
                  "aarch64": {"io_uring_setup": 425, "keyctl": 219, "ptrace": 117}}[platform.machine()]
            def call(name, *args):
                ok = libc.syscall(nr[name], *args) >= 0
                print(name, 0 if ok else ctypes.get_errno())
            call("io_uring_setup", 1, ctypes.create_string_buffer(120))
            call("keyctl", 0, -3, 0)
            call("ptrace", 0, 0, 0, 0)
            for family in ("AF_NETLINK", "AF_VSOCK"):
                try:
                    socket.socket(getattr(socket, family), socket.SOCK_DGRAM if family == "AF_NETLINK" else socket.SOCK_STREAM).close()
                    print(family, 0)
                except OSError as e:
                    print(family, e.errno)
            '""";

    @Test
    void theSystemCallFilterRefusesIoUringKeyringPtraceNetlinkAndVsock(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.of(FORBIDDEN_CALLS, work));

        assertThat(result.succeeded()).as(result.output()).isTrue();
        // ENOSYS for io_uring and the keyring (as on a kernel without them), EPERM, EAFNOSUPPORT.
        assertThat(result.output()).isEqualTo("io_uring_setup 38\nkeyctl 38\nptrace 1\nAF_NETLINK 97\nAF_VSOCK 97\n");
    }

    @Test
    void ordinaryTestWorkloadsRunUnderTheFilter(@TempDir Path work) throws Exception {
        Files.writeString(work.resolve("Threads.java"), """
                import java.util.concurrent.*;
                public class Threads {
                    public static void main(String[] args) throws Exception {
                        ExecutorService pool = Executors.newFixedThreadPool(4);
                        Future<Integer> sum = pool.submit(() -> 20 + 22);
                        System.out.println("java " + sum.get());
                        pool.shutdown();
                    }
                }
                """);
        Files.writeString(work.resolve("test_work.py"), """
                import subprocess, threading, unittest
                class WorkTest(unittest.TestCase):
                    def test_threads_and_processes(self):
                        t = threading.Thread(target=lambda: None); t.start(); t.join()
                        self.assertEqual(subprocess.run(["echo", "child"], capture_output=True).stdout, b"child\\n")
                """);

        SandboxResult result = sandbox.run(SandboxSpec.builder("java -Xmx128m Threads.java && python3 -m unittest -q"
                + " && python3 -c 'import socket; socket.socket(socket.AF_INET).close(); print(\"inet ok\")'", work)
                .timeout(Duration.ofMinutes(2)).build());

        assertThat(result.succeeded()).as(result.output()).isTrue();
        assertThat(result.output()).contains("java 42\n", "OK", "inet ok");
    }

    @Test
    void timeoutKillsTheWholeTree(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.builder("sleep 1037 & sleep 1000", work)
                .timeout(Duration.ofSeconds(2)).build());

        assertThat(result.timedOut()).isTrue();
        assertThat(result.succeeded()).isFalse();
        assertThat(result.elapsed()).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(8));
        assertThat(result.describe()).isEqualTo("killed at the 2 s time limit");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!sleepers().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(sleepers()).isEmpty();
    }

    private static List<ProcessHandle> sleepers() {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(a -> Arrays.asList(a).contains("1037") || Arrays.asList(a).contains("1000"))
                .orElse(false) && p.info().command().orElse("").endsWith("sleep")).collect(Collectors.toList());
    }

    @Test
    void memoryLimitKillsAndIsReported(@TempDir Path work) throws Exception {
        long limit = 200L << 20;
        SandboxResult small = sandbox.run(SandboxSpec.builder("python3 -c \"b=bytearray(50*1024*1024)\"", work)
                .memoryLimitBytes(limit).build());
        assertThat(small.succeeded()).as(small.output()).isTrue();

        SandboxResult big = sandbox.run(SandboxSpec.builder("python3 -c \"b=bytearray(400*1024*1024)\"", work)
                .memoryLimitBytes(limit).build());

        assertThat(big.memoryLimitHit()).as(big.output()).isTrue();
        assertThat(big.succeeded()).isFalse();
        assertThat(big.describe()).isEqualTo("killed: memory limit of 200 MiB exceeded");
        assertThat(leftoverCgroups()).isEmpty();
    }

    private static List<Path> leftoverCgroups() throws IOException {
        String prefix = "patchwright-" + ProcessHandle.current().pid() + "-";
        try (Stream<Path> dirs = Files.walk(Path.of("/sys/fs/cgroup"), 4)) {
            return dirs.filter(p -> p.getFileName() != null && p.getFileName().toString().startsWith(prefix))
                    .collect(Collectors.toList());
        }
    }

    @Test
    void processCountIsLimited(@TempDir Path work) throws Exception {
        String forks = "for i in $(seq 40); do sleep 1 & done; wait; echo done";
        assertThat(sandbox.run(SandboxSpec.of(forks, work)).output()).isEqualTo("done\n");

        BubblewrapSandbox small = BubblewrapSandbox.builder().maxProcesses(16).build();
        SandboxResult result = small.run(SandboxSpec.of(forks, work));

        assertThat(result.succeeded()).isFalse();
        assertThat(result.output()).contains("Cannot fork").doesNotContain("done");
    }

    @Test
    void withoutCgroupsAddressSpaceLimitStillStopsTheAllocation(@TempDir Path work) throws Exception {
        BubblewrapSandbox weaker = BubblewrapSandbox.builder().cgroups(false).build();
        assertThat(weaker.memoryEnforcement()).startsWith("prlimit");

        SandboxResult big = weaker.run(SandboxSpec.builder("python3 -c \"b=bytearray(400*1024*1024)\"", work)
                .memoryLimitBytes(200L << 20).build());

        assertThat(big.succeeded()).isFalse();
        assertThat(big.output()).contains("MemoryError");
    }

    @Test
    void longOutputKeepsHeadAndTail(@TempDir Path work) throws Exception {
        SandboxResult result = sandbox.run(SandboxSpec.builder("echo FIRST; yes middle | head -n 200000; echo LAST",
                work).outputLimitBytes(10_000).build());

        assertThat(result.exitCode()).isZero();
        assertThat(result.outputTruncated()).isTrue();
        assertThat(result.output()).startsWith("FIRST\nmiddle\n").endsWith("middle\nLAST\n")
                .contains("[... output truncated: ");
        assertThat(result.output().length()).isLessThan(10_200);
    }

    @Test
    void filesWrittenInWorkspaceReachTheHost(@TempDir Path work) throws Exception {
        Files.writeString(work.resolve("input.txt"), "from host\n");

        SandboxResult result = sandbox.run(SandboxSpec.of(
                "cat input.txt; mkdir -p build && echo result > build/out.txt && echo more >> input.txt", work));

        assertThat(result.succeeded()).as(result.output()).isTrue();
        assertThat(result.output()).isEqualTo("from host\n");
        assertThat(work.resolve("build/out.txt")).hasContent("result");
        assertThat(work.resolve("input.txt")).hasContent("from host\nmore");
    }

    @Test
    void cacheDirPersistsBetweenRuns(@TempDir Path work, @TempDir Path cache) throws Exception {
        SandboxResult first = sandbox.run(SandboxSpec.builder("mkdir -p ~/.m2 && echo artifact > ~/.m2/jar; echo $HOME",
                work).cacheDir(cache).build());
        assertThat(first.output()).isEqualTo("/cache\n");

        SandboxResult second = sandbox.run(SandboxSpec.builder("cat /cache/.m2/jar", work).cacheDir(cache).build());

        assertThat(second.output()).isEqualTo("artifact\n");
        assertThat(cache.resolve(".m2/jar")).hasContent("artifact");
    }

    @Test
    void aReadOnlyCacheCanBeReadButNotChanged(@TempDir Path work, @TempDir Path cache) throws Exception {
        Files.createDirectories(cache.resolve(".m2"));
        Files.writeString(cache.resolve(".m2/jar"), "artifact\n");

        SandboxResult result = sandbox.run(SandboxSpec.builder("cat ~/.m2/jar; echo '<settings/>' > ~/.m2/settings.xml"
                + " || echo refused; rm ~/.m2/jar || echo kept", work).readOnlyCacheDir(cache).build());

        assertThat(result.output()).startsWith("artifact\n").contains("Read-only file system", "refused", "kept");
        assertThat(cache.resolve(".m2/settings.xml")).doesNotExist();
        assertThat(cache.resolve(".m2/jar")).hasContent("artifact");
    }

    @Test
    void workdirTheSandboxUserCannotReachIsRefused(@TempDir Path tmp) throws Exception {
        if (!SandboxUser.runningAsRoot()) {
            return;
        }
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
        Path work = Files.createDirectory(tmp.resolve("work"));

        assertThatThrownBy(() -> sandbox.run(SandboxSpec.of("true", work)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("not reachable by the sandbox user").hasMessageContaining(tmp.toString());
    }
}
