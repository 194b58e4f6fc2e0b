package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The start-up check of a sandbox: a command runs in it and must see no capabilities, a seccomp
 * filter and no network interface but loopback. A worker refuses jobs when this fails.
 */
final class SandboxSelfTest {

    private static final String PROBE = "grep -E '^(CapEff|Seccomp):' /proc/self/status; cat /proc/net/dev";

    private final Sandbox sandbox;

    SandboxSelfTest(Sandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** @throws SandboxUnavailableException saying what is missing and how to fix it */
    void check() throws SandboxUnavailableException {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("patchwright-selftest");
            SandboxResult result = sandbox.run(SandboxSpec.builder(PROBE, dir).timeout(Duration.ofSeconds(30))
                    .memoryLimitBytes(256L << 20).outputLimitBytes(64 * 1024).build());
            if (!result.succeeded()) {
                throw new SandboxUnavailableException("bwrap cannot create a sandbox on this machine ("
                        + result.describe() + "): " + result.output().strip() + ". " + userNamespaceHint());
            }
            verify(result.output());
        } catch (SandboxUnavailableException e) {
            throw e;
        } catch (SandboxException | IOException e) {
            throw new SandboxUnavailableException("the sandbox self-test could not run: " + e.getMessage(), e);
        } finally {
            deleteQuietly(dir);
        }
    }

    /** Checks the probe's output: CapEff all zero, seccomp mode 2 (a filter), only {@code lo} in /proc/net/dev. */
    static void verify(String output) throws SandboxUnavailableException {
        String capEff = null;
        String seccomp = null;
        List<String> interfaces = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("CapEff:")) {
                capEff = line.substring("CapEff:".length()).trim();
            } else if (line.startsWith("Seccomp:")) {
                seccomp = line.substring("Seccomp:".length()).trim();
            } else if (line.contains(":") && !line.contains("|")) {
                interfaces.add(line.substring(0, line.indexOf(':')).trim());
            }
        }
        if (capEff == null) {
            throw new SandboxUnavailableException("the sandbox self-test printed no CapEff line: " + output.strip());
        }
        if (!capEff.matches("0+")) {
            throw new SandboxUnavailableException("processes in the sandbox keep capabilities (CapEff "
                    + capEff + "); this bwrap does not drop them: use bubblewrap 0.8.0 or later");
        }
        if (!"2".equals(seccomp)) {
            throw new SandboxUnavailableException("processes in the sandbox run without a system-call filter"
                    + " (Seccomp: " + seccomp + " in /proc/self/status); this bwrap did not install --seccomp");
        }
        interfaces.remove("lo");
        if (!interfaces.isEmpty()) {
            throw new SandboxUnavailableException("the sandbox sees network interfaces " + interfaces
                    + "; bwrap did not create a network namespace");
        }
    }

    /** What to check when bwrap fails, with this machine's relevant settings. */
    static String userNamespaceHint() {
        StringBuilder hint = new StringBuilder("bwrap needs unprivileged user namespaces");
        String max = sysctl("/proc/sys/user/max_user_namespaces");
        if ("0".equals(max)) {
            hint.append("; user.max_user_namespaces is 0 here: sysctl -w user.max_user_namespaces=15000");
        }
        if ("0".equals(sysctl("/proc/sys/kernel/unprivileged_userns_clone"))) {
            hint.append("; kernel.unprivileged_userns_clone is 0 here: sysctl -w kernel.unprivileged_userns_clone=1");
        }
        if ("1".equals(sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"))) {
            hint.append("; AppArmor restricts them here: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0"
                    + " or add an AppArmor profile for bwrap");
        }
        hint.append(". In a container the default seccomp profile blocks them: in Kubernetes set hostUsers: false"
                + " and procMount: Unmasked, or use a gVisor or Kata runtime class; in Docker use"
                + " --security-opt seccomp=unconfined.");
        return hint.toString();
    }

    private static String sysctl(String file) {
        try {
            return Files.readString(Path.of(file)).trim();
        } catch (IOException e) {
            return null;
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A leftover empty temp directory is harmless.
        }
    }
}
