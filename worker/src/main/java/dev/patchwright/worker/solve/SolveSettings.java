package dev.patchwright.worker.solve;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The operator's settings for solving, as opposed to the repository's own ({@code RepoConfig}).
 *
 * @param workRoot          where per-job worktrees are created and removed again; the sandbox user
 *                          (uid 65534 when the worker is root) must be able to reach it, so not under /root
 * @param cacheRoot         where per-repository dependency caches persist between jobs (same rule)
 * @param defaultCandidates candidates sampled per round when the repository does not say
 * @param maxCandidates     the most candidates per round a repository may ask for
 * @param maxOutputTokens   completion tokens allowed per model call
 * @param temperature       sampling temperature when a round samples several candidates
 * @param memoryLimitBytes  memory limit of each sandboxed command
 * @param outputLimitBytes  test output kept per run
 * @param allowSetupNetwork whether a repository's setup command may use the network
 * @param maxTestTimeout    the longest test or setup time limit a repository may ask for
 * @param contextTokens     the model's context window in tokens: the packed repository is cut to fit it, with
 *                          room left for the instructions, the issue, earlier failures and the answer
 * @param defaultRounds     rounds at most when the repository does not say (each samples the candidates of a round
 *                          and verifies them; the next repairs what they got wrong)
 * @param sandboxes         candidates verified at once, each in its own sandbox
 * @param jobDiskBytes      the most disk a job's worktrees may take while a command runs in one of them
 * @param cacheDiskBytes    the most disk a repository's dependency cache may take while setup runs
 * @param cacheIdle         a repository's cache not used by any job for this long is removed by the sweep
 */
public record SolveSettings(Path workRoot, Path cacheRoot, int defaultCandidates, int maxCandidates,
                            int maxOutputTokens, double temperature, long memoryLimitBytes, int outputLimitBytes,
                            boolean allowSetupNetwork, Duration maxTestTimeout, long contextTokens, int defaultRounds,
                            int sandboxes, long jobDiskBytes, long cacheDiskBytes, Duration cacheIdle) {

    /** A context window when the operator names none: what most current models take. */
    public static final long DEFAULT_CONTEXT_TOKENS = 128_000;
    /** Rounds when the operator names none. */
    public static final int DEFAULT_ROUNDS = 3;
    /** Candidates verified at once when the operator names no number. */
    public static final int DEFAULT_SANDBOXES = 2;
    /** Disk a job's worktrees may take when the operator names no limit: 20 GiB. */
    public static final long DEFAULT_JOB_DISK_BYTES = 20L << 30;
    /** Disk a repository's dependency cache may take when the operator names no limit: 10 GiB. */
    public static final long DEFAULT_CACHE_DISK_BYTES = 10L << 30;
    /** How long an unused cache is kept when the operator does not say: 14 days. */
    public static final Duration DEFAULT_CACHE_IDLE = Duration.ofDays(14);

    public SolveSettings {
        if (defaultCandidates < 1 || maxCandidates < 1) {
            throw new IllegalArgumentException("candidates must be at least 1");
        }
        if (defaultRounds < 1 || sandboxes < 1) {
            throw new IllegalArgumentException("rounds and sandboxes must be at least 1");
        }
        if (contextTokens <= maxOutputTokens) {
            throw new IllegalArgumentException("contextTokens (" + contextTokens + ") must exceed maxOutputTokens ("
                    + maxOutputTokens + ")");
        }
        if (jobDiskBytes < 1 || cacheDiskBytes < 1) {
            throw new IllegalArgumentException("disk limits must be positive (job " + jobDiskBytes + ", cache "
                    + cacheDiskBytes + " bytes)");
        }
        if (cacheIdle == null || cacheIdle.isNegative() || cacheIdle.isZero()) {
            throw new IllegalArgumentException("the time an unused cache is kept must be positive, was " + cacheIdle);
        }
    }

    /** Settings with the default rounds, sandboxes and disk limits. */
    public SolveSettings(Path workRoot, Path cacheRoot, int defaultCandidates, int maxCandidates, int maxOutputTokens,
                         double temperature, long memoryLimitBytes, int outputLimitBytes, boolean allowSetupNetwork,
                         Duration maxTestTimeout, long contextTokens) {
        this(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature, memoryLimitBytes,
                outputLimitBytes, allowSetupNetwork, maxTestTimeout, contextTokens, DEFAULT_ROUNDS, DEFAULT_SANDBOXES,
                DEFAULT_JOB_DISK_BYTES, DEFAULT_CACHE_DISK_BYTES, DEFAULT_CACHE_IDLE);
    }

    /** Settings with the {@link #DEFAULT_CONTEXT_TOKENS default context window}. */
    public SolveSettings(Path workRoot, Path cacheRoot, int defaultCandidates, int maxCandidates, int maxOutputTokens,
                         double temperature, long memoryLimitBytes, int outputLimitBytes, boolean allowSetupNetwork,
                         Duration maxTestTimeout) {
        this(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature, memoryLimitBytes,
                outputLimitBytes, allowSetupNetwork, maxTestTimeout, DEFAULT_CONTEXT_TOKENS);
    }

    /** Defaults, with work directories and caches under {@code workDir} (e.g. {@code /var/tmp/patchwright}). */
    public static SolveSettings defaults(Path workDir) {
        return new SolveSettings(workDir.resolve("work"), workDir.resolve("cache"), 4, 16, 8192, 0.7,
                4L << 30, 256 * 1024, true, Duration.ofHours(1));
    }

    /** The same settings with another context window. */
    public SolveSettings withContextTokens(long value) {
        return new SolveSettings(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature,
                memoryLimitBytes, outputLimitBytes, allowSetupNetwork, maxTestTimeout, value, defaultRounds, sandboxes,
                jobDiskBytes, cacheDiskBytes, cacheIdle);
    }

    /** The same settings with another default number of rounds and of sandboxes run at once. */
    public SolveSettings withRounds(int rounds, int parallelSandboxes) {
        return new SolveSettings(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature,
                memoryLimitBytes, outputLimitBytes, allowSetupNetwork, maxTestTimeout, contextTokens, rounds,
                parallelSandboxes, jobDiskBytes, cacheDiskBytes, cacheIdle);
    }

    /** The same settings with other disk limits for a job's worktrees and a repository's cache. */
    public SolveSettings withDiskLimits(long jobBytes, long cacheBytes) {
        return new SolveSettings(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature,
                memoryLimitBytes, outputLimitBytes, allowSetupNetwork, maxTestTimeout, contextTokens, defaultRounds,
                sandboxes, jobBytes, cacheBytes, cacheIdle);
    }

    /** The same settings with another time an unused cache is kept. */
    public SolveSettings withCacheIdle(Duration idle) {
        return new SolveSettings(workRoot, cacheRoot, defaultCandidates, maxCandidates, maxOutputTokens, temperature,
                memoryLimitBytes, outputLimitBytes, allowSetupNetwork, maxTestTimeout, contextTokens, defaultRounds,
                sandboxes, jobDiskBytes, cacheDiskBytes, idle);
    }

    /** The same settings with another default number of candidates (raising the maximum to it). */
    public SolveSettings withDefaultCandidates(int candidates) {
        return new SolveSettings(workRoot, cacheRoot, candidates, Math.max(candidates, maxCandidates), maxOutputTokens,
                temperature, memoryLimitBytes, outputLimitBytes, allowSetupNetwork, maxTestTimeout, contextTokens,
                defaultRounds, sandboxes, jobDiskBytes, cacheDiskBytes, cacheIdle);
    }

    /** Candidates for one job: the repository's wish within the operator's maximum. */
    public int candidatesFor(Integer requested) {
        int wanted = requested == null ? defaultCandidates : requested;
        return Math.max(1, Math.min(wanted, maxCandidates));
    }

    /** Rounds for one job: the repository's wish (at most {@link dev.patchwright.worker.config.RepoConfig#MAX_ROUNDS}). */
    public int roundsFor(Integer requested) {
        return Math.max(1, requested == null ? defaultRounds : requested);
    }

    /** A repository's time limit, capped by the operator's. */
    public Duration cap(Duration requested) {
        return requested.compareTo(maxTestTimeout) > 0 ? maxTestTimeout : requested;
    }
}
