package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The bubblewrap sandbox: new user (without capabilities), PID, IPC, UTS, cgroup and network
 * namespaces; only the system directories ({@code /usr}, {@code /etc}, ...) read-only, the work
 * directory read-write at {@code /workspace}, an optional cache at {@code /cache}, a private
 * {@code /tmp}, an environment of five variables plus the spec's, and a system-call filter
 * ({@link SeccompFilter}). Memory, process counts and CPU
 * time are limited by a per-run cgroup; without one, memory by {@code prlimit --as} and CPU not at all.
 *
 * <p>When the worker runs as root it calls bwrap through {@code setpriv} as uid 65534
 * ({@code nobody}), because bwrap acts with its caller's rights; before each run the work and
 * cache directories are given to that user ({@code chown -R}, links not followed), and their
 * parent directories must be searchable by others.
 *
 * <p>Thread-safe: one instance serves concurrent runs.
 */
public final class BubblewrapSandbox implements Sandbox {

    private static final Logger LOG = Logger.getLogger(BubblewrapSandbox.class);
    private static final AtomicBoolean WEAK_MEMORY_LOGGED = new AtomicBoolean();
    private static final AtomicLong RUNS = new AtomicLong();

    private final Path bwrap;
    private final Path setpriv;
    private final Path prlimit;
    private final CgroupHierarchy cgroups;
    private final int maxProcesses;
    private final double cpus;
    private final byte[] seccomp;

    private BubblewrapSandbox(Path bwrap, Path setpriv, Path prlimit, CgroupHierarchy cgroups, int maxProcesses,
                              double cpus, byte[] seccomp) {
        this.seccomp = seccomp;
        this.bwrap = bwrap;
        this.setpriv = setpriv;
        this.prlimit = prlimit;
        this.cgroups = cgroups;
        this.maxProcesses = maxProcesses;
        this.cpus = cpus;
    }

    /**
     * A sandbox with the default settings, tested before it is returned.
     *
     * @throws SandboxUnavailableException when bwrap is missing or the sandbox it makes has a
     *                                     network or capabilities; the message says how to fix it
     */
    public static BubblewrapSandbox create() throws SandboxUnavailableException {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of a {@link BubblewrapSandbox}; {@link #build()} runs the start-up self-test. */
    public static final class Builder {
        /** Where the operator sets the CPUs of one run: an environment variable, or a system property. */
        public static final String CPUS_VARIABLE = "PATCHWRIGHT_SANDBOX_CPUS";
        private static final String CPUS_PROPERTY = "patchwright.sandbox.cpus";

        private int maxProcesses = 4096;
        private boolean cgroups = true;
        private Double cpus;

        private Builder() {
        }

        /** Processes and threads one run may have at once (pids cgroup); default 4096. */
        public Builder maxProcesses(int maxProcesses) {
            if (maxProcesses < 1) {
                throw new IllegalArgumentException("maxProcesses must be positive, got " + maxProcesses);
            }
            this.maxProcesses = maxProcesses;
            return this;
        }

        /**
         * CPU time one run may use, in CPUs (fractions allowed: 0.5 is half of one core's time); the
         * cgroup's CFS quota, so a fork bomb or a runaway build cannot take the host's other cores.
         * Default: {@value #CPUS_VARIABLE} (or {@code -Dpatchwright.sandbox.cpus}), else all the
         * machine's cores but one (at least one): a quota of every core would never throttle anything.
         */
        public Builder cpus(double cpus) {
            if (!(cpus >= 0.01) || Double.isInfinite(cpus)) {
                throw new IllegalArgumentException("cpus must be a number of CPUs of at least 0.01, got " + cpus);
            }
            this.cpus = cpus;
            return this;
        }

        /**
         * Whether to limit memory with a cgroup (default true). False, or no usable cgroup, means
         * {@code prlimit --as}, which counts reserved rather than used memory and breaks JVMs.
         */
        public Builder cgroups(boolean cgroups) {
            this.cgroups = cgroups;
            return this;
        }

        /** @throws SandboxUnavailableException when the self-test fails, saying what to fix */
        public BubblewrapSandbox build() throws SandboxUnavailableException {
            Path bwrap = executable("bwrap").orElseThrow(() -> new SandboxUnavailableException(
                    "bubblewrap (bwrap) is not installed; install it: apt-get install bubblewrap"
                            + " (Debian/Ubuntu) or dnf install bubblewrap (Fedora/RHEL)"));
            Path setpriv = null;
            if (SandboxUser.runningAsRoot()) {
                setpriv = executable("setpriv").orElseThrow(() -> new SandboxUnavailableException(
                        "the worker runs as root but setpriv is missing, so it cannot drop to an"
                                + " unprivileged user before calling bwrap; install util-linux"));
            }
            CgroupHierarchy hierarchy = cgroups ? usableCgroups() : null;
            Path prlimit = null;
            if (hierarchy == null) {
                prlimit = executable("prlimit").orElseThrow(() -> new SandboxUnavailableException(
                        "no usable memory cgroup and prlimit is missing, so memory cannot be limited;"
                                + " install util-linux or run the worker as root with cgroups"));
            }
            double runCpus = cpus != null ? cpus : configuredCpus();
            SeccompFilter.Arch arch = SeccompFilter.Arch.host();
            if (arch == null) {
                throw new SandboxUnavailableException("the sandbox's system-call filter knows x86_64 and aarch64,"
                        + " not this machine's " + System.getProperty("os.arch"));
            }
            BubblewrapSandbox sandbox = new BubblewrapSandbox(bwrap, setpriv, prlimit, hierarchy, maxProcesses, runCpus,
                    SeccompFilter.program(arch));
            new SandboxSelfTest(sandbox).check();
            LOG.infof("bubblewrap sandbox ready (%s, memory limited by %s, %s)", setpriv != null
                    ? "as uid " + SandboxUser.ID : "as the worker's user", sandbox.memoryEnforcement(),
                    hierarchy != null && hierarchy.limitsCpu() ? "at most " + runCpus + " CPUs per run"
                            : "CPU time not limited: no cpu cgroup controller");
            return sandbox;
        }

        /** The operator's {@value #CPUS_VARIABLE}, or the machine's cores less one for the bot and the host. */
        private static double configuredCpus() throws SandboxUnavailableException {
            String value = System.getProperty(CPUS_PROPERTY, System.getenv(CPUS_VARIABLE));
            if (value == null || value.isBlank()) {
                return Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
            }
            try {
                double cpus = Double.parseDouble(value.strip());
                if (cpus >= 0.01 && !Double.isInfinite(cpus)) {
                    return cpus;
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new SandboxUnavailableException(CPUS_VARIABLE + " must be a number of CPUs of at least 0.01"
                    + " (such as 2 or 1.5), got '" + value + "'");
        }

        private static CgroupHierarchy usableCgroups() {
            CgroupHierarchy.Detection detection = CgroupHierarchy.detect();
            String reason = detection.reason();
            if (detection.hierarchy().isPresent()) {
                CgroupHierarchy h = detection.hierarchy().get();
                try {
                    RunCgroup probe = h.create("patchwright-probe-" + ProcessHandle.current().pid()
                            + "-" + System.nanoTime(), SandboxSpec.MIN_MEMORY_LIMIT_BYTES, 1, 1);
                    probe.remove();
                    return h;
                } catch (IOException e) {
                    reason = "cannot create a cgroup under " + h.describe() + ": " + e.getMessage();
                }
            }
            if (WEAK_MEMORY_LOGGED.compareAndSet(false, true)) {
                LOG.warnf("sandbox memory enforcement is weaker: %s; falling back to prlimit --as (limits"
                        + " address space, not memory in use; JVM builds may need a larger limit)", reason);
            }
            return null;
        }

        private static Optional<Path> executable(String name) {
            for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/local/bin")) {
                Path p = Path.of(dir, name);
                if (Files.isExecutable(p)) {
                    return Optional.of(p);
                }
            }
            return Optional.empty();
        }
    }

    /** How memory is limited: "cgroup v1 under ..." or "prlimit --as". */
    public String memoryEnforcement() {
        return cgroups != null ? cgroups.describe() : "prlimit --as (weaker)";
    }

    @Override
    public SandboxResult run(SandboxSpec spec) throws SandboxException {
        Path workdir = directory(spec.workdir(), "work directory", false);
        Path cacheDir = spec.cacheDir() == null ? null : directory(spec.cacheDir(), "cache directory", true);
        if (setpriv != null) {
            SandboxUser.checkReachable(workdir, "work directory");
            SandboxUser.giveTree(workdir);
            if (cacheDir != null) {
                SandboxUser.checkReachable(cacheDir, "cache directory");
                SandboxUser.giveTree(cacheDir);
            }
        }
        RunCgroup cgroup = null;
        try {
            if (cgroups != null) {
                cgroup = cgroups.create("patchwright-" + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet(),
                        spec.memoryLimitBytes(), maxProcesses, cpus);
            }
            List<String> command = BwrapCommand.build(spec, bwrap, setpriv, prlimit,
                    cgroup == null ? List.of() : cgroup.procsFiles(), maxProcesses, workdir, cacheDir);
            return execute(spec, command, cgroup);
        } catch (IOException e) {
            throw new SandboxException("cannot start the sandbox: " + e.getMessage(), e);
        } finally {
            if (cgroup != null && !cgroup.remove()) {
                LOG.warnf("a sandbox cgroup could not be removed: %s", cgroup.procsFiles());
            }
        }
    }

    private SandboxResult execute(SandboxSpec spec, List<String> command, RunCgroup cgroup)
            throws IOException, SandboxException {
        // Standard input carries the seccomp program to the wrapper shell (BwrapCommand), nothing else.
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.PIPE);
        // Not even the launcher sees the worker's environment (it may hold tokens).
        pb.environment().clear();
        pb.environment().put("PATH", BwrapCommand.PATH);
        long start = System.nanoTime();
        Process process = pb.start();
        try (OutputStream filter = process.getOutputStream()) {
            filter.write(seccomp); // a few hundred bytes: the pipe's buffer takes them without waiting
        } catch (IOException e) {
            // The wrapper died before reading it (it could not join its cgroup): its output says why.
        }
        OutputCapture output = new OutputCapture(process.getInputStream(), spec.outputLimitBytes(),
                "sandbox-output-" + process.pid());
        boolean timedOut = false;
        String diskLimitHit = null;
        try {
            long deadline = start + spec.timeout().toNanos();
            while (true) {
                long left = deadline - System.nanoTime();
                long slice = spec.diskQuotas().isEmpty() ? left
                        : Math.min(left, TimeUnit.MILLISECONDS.toNanos(DiskQuota.CHECK_INTERVAL_MILLIS));
                if (process.waitFor(Math.max(slice, 0), TimeUnit.NANOSECONDS)) {
                    break;
                }
                if (System.nanoTime() - deadline >= 0) {
                    timedOut = true;
                    killTree(process, cgroup);
                    break;
                }
                try {
                    diskLimitHit = overQuota(spec);
                } catch (SandboxException e) {
                    killTree(process, cgroup);
                    throw e;
                }
                if (diskLimitHit != null) {
                    killTree(process, cgroup);
                    break;
                }
            }
            process.waitFor(10, TimeUnit.SECONDS);
            output.await(5_000);
        } catch (InterruptedException e) {
            killTree(process, cgroup);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while the sandboxed command ran; it was killed", e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int exitCode = process.isAlive() ? -1 : process.exitValue();
        String text = output.text();
        if (exitCode == 125 && text.startsWith(BwrapCommand.JOIN_FAILED)) {
            throw new SandboxException("the sandbox could not enter its cgroup: " + text.strip());
        }
        boolean memoryLimitHit = cgroup != null && cgroup.memoryLimitHit();
        if (diskLimitHit == null && exitCode != 0) {
            diskLimitHit = overQuota(spec); // it may have failed for want of room after the last check
        }
        return new SandboxResult(exitCode, timedOut, memoryLimitHit, text, output.truncated(), elapsed,
                spec.memoryLimitBytes(), spec.timeout(), diskLimitHit);
    }

    /** The reason of the first quota the command's directories are over, or null. */
    private static String overQuota(SandboxSpec spec) throws SandboxException {
        for (DiskQuota quota : spec.diskQuotas()) {
            try {
                if (quota.exceeded()) {
                    return quota.reason();
                }
            } catch (IOException e) {
                throw new SandboxException("cannot measure the disk use of " + quota.what() + ": " + e.getMessage(), e);
            }
        }
        return null;
    }

    /** SIGKILLs bwrap, everything below it and everything in its cgroup. */
    private static void killTree(Process process, RunCgroup cgroup) {
        // Take the list first: once bwrap dies its children are reparented and hard to find.
        List<ProcessHandle> descendants = process.descendants().toList();
        process.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        if (cgroup != null) {
            cgroup.killAll();
        }
    }

    private static Path directory(Path dir, String what, boolean create) throws SandboxException {
        try {
            if (create) {
                Files.createDirectories(dir);
            }
            if (!Files.isDirectory(dir)) {
                throw new SandboxException(what + " " + dir + " does not exist or is not a directory");
            }
            return dir.toRealPath();
        } catch (IOException e) {
            throw new SandboxException("cannot use " + what + " " + dir + ": " + e.getMessage(), e);
        }
    }
}
