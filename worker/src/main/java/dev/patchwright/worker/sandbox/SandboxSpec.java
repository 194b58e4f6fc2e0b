package dev.patchwright.worker.sandbox;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What to run in the sandbox and within which limits.
 *
 * @param command           shell text, run as {@code /bin/sh -c command} in {@code /workspace}
 * @param workdir           host directory bound read-write at {@code /workspace}
 * @param cacheDir          host directory bound read-write at {@code /cache} and used as
 *                          {@code HOME}, so package caches survive between runs; null for none
 * @param cacheReadOnly     whether {@code /cache} is bound read-only: for every run of code that the
 *                          cache's later users must not trust (tests, model-written candidates), so
 *                          only a repository's own setup step fills it
 * @param network           whether the command may use the network (setup steps only)
 * @param timeout           wall-clock limit; the whole process tree is killed when it passes
 * @param memoryLimitBytes  memory limit of the whole process tree, in bytes
 * @param outputLimitBytes  how many bytes of merged stdout and stderr to keep (head and tail)
 * @param env               extra environment variables; never put secrets here
 * @param diskQuotas        directories whose disk use is checked while the command runs; over one, it is killed
 */
public record SandboxSpec(String command, Path workdir, Path cacheDir, boolean cacheReadOnly, boolean network,
                          Duration timeout, long memoryLimitBytes, int outputLimitBytes, Map<String, String> env,
                          List<DiskQuota> diskQuotas) {

    /** Default wall-clock limit: 10 minutes. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** Default memory limit: 2 GiB. */
    public static final long DEFAULT_MEMORY_LIMIT_BYTES = 2L << 30;
    /** Default output kept: 1 MiB. */
    public static final int DEFAULT_OUTPUT_LIMIT_BYTES = 1 << 20;
    /** Smallest memory limit accepted: 16 MiB; below that not even a shell starts. */
    public static final long MIN_MEMORY_LIMIT_BYTES = 16L << 20;

    /** @throws IllegalArgumentException naming the first field that is wrong */
    public SandboxSpec {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(workdir, "workdir");
        Objects.requireNonNull(timeout, "timeout");
        if (command.isBlank()) {
            throw new IllegalArgumentException("sandbox command is blank");
        }
        if (command.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("sandbox command contains a NUL character");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("sandbox timeout must be positive, got " + timeout);
        }
        if (memoryLimitBytes < MIN_MEMORY_LIMIT_BYTES) {
            throw new IllegalArgumentException("sandbox memory limit must be at least "
                    + MIN_MEMORY_LIMIT_BYTES + " bytes, got " + memoryLimitBytes);
        }
        if (outputLimitBytes < 1) {
            throw new IllegalArgumentException("sandbox output limit must be positive, got " + outputLimitBytes);
        }
        env = Map.copyOf(env == null ? Map.of() : env);
        diskQuotas = List.copyOf(diskQuotas == null ? List.of() : diskQuotas);
        for (Map.Entry<String, String> e : env.entrySet()) {
            String name = e.getKey();
            if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0 || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("sandbox environment variable name is invalid: '" + name + "'");
            }
        }
    }

    /** A spec with the default limits, no network and no cache. */
    public static SandboxSpec of(String command, Path workdir) {
        return builder(command, workdir).build();
    }

    /** Starts a spec with the default limits, no network and no cache. */
    public static Builder builder(String command, Path workdir) {
        return new Builder(command, workdir);
    }

    /** Single-use builder for {@link SandboxSpec}. */
    public static final class Builder {
        private final String command;
        private final Path workdir;
        private Path cacheDir;
        private boolean cacheReadOnly;
        private boolean network;
        private Duration timeout = DEFAULT_TIMEOUT;
        private long memoryLimitBytes = DEFAULT_MEMORY_LIMIT_BYTES;
        private int outputLimitBytes = DEFAULT_OUTPUT_LIMIT_BYTES;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<DiskQuota> diskQuotas = new ArrayList<>();

        private Builder(String command, Path workdir) {
            this.command = command;
            this.workdir = workdir;
        }

        /** Host directory kept between runs, bound read-write at {@code /cache} and used as HOME. */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            this.cacheReadOnly = false;
            return this;
        }

        /** Like {@link #cacheDir}, bound read-only: the command can use the cache but not change it. */
        public Builder readOnlyCacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            this.cacheReadOnly = true;
            return this;
        }

        /** Allows network access (for dependency downloads); off by default. */
        public Builder network(boolean network) {
            this.network = network;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Memory limit in bytes for the whole process tree. */
        public Builder memoryLimitBytes(long bytes) {
            this.memoryLimitBytes = bytes;
            return this;
        }

        /** Bytes of output to keep; the middle of longer output is cut. */
        public Builder outputLimitBytes(int bytes) {
            this.outputLimitBytes = bytes;
            return this;
        }

        /** Adds one environment variable; never a secret. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Kills the command when {@code directory} takes more than {@code maxBytes} of disk while it runs. */
        public Builder diskQuota(Path directory, long maxBytes, String what) {
            diskQuotas.add(new DiskQuota(directory, maxBytes, what));
            return this;
        }

        /** @throws IllegalArgumentException naming the first field that is wrong */
        public SandboxSpec build() {
            return new SandboxSpec(command, workdir, cacheDir, cacheReadOnly, network, timeout, memoryLimitBytes,
                    outputLimitBytes, env, diskQuotas);
        }
    }
}
