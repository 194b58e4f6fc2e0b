package dev.patchwright.worker.sandbox;

import java.time.Duration;
import java.util.Locale;

/**
 * How a sandboxed command ended.
 *
 * @param exitCode        the command's exit status; 128 + signal number when a signal killed it
 * @param timedOut        the wall-clock limit passed and the process tree was killed
 * @param memoryLimitHit  the kernel killed a process for exceeding the memory limit
 * @param output          merged stdout and stderr, decoded as UTF-8, cut in the middle when long
 * @param outputTruncated part of the output was dropped to respect the output limit
 * @param elapsed         wall time from start to end
 * @param memoryLimitBytes the memory limit the command ran under, for {@link #describe()}; 0 if unknown
 * @param timeout         the time limit the command ran under, for {@link #describe()}; null if unknown
 * @param diskLimitHit    why the command was killed for its disk use ({@link DiskQuota#reason()}), or null
 */
public record SandboxResult(int exitCode, boolean timedOut, boolean memoryLimitHit, String output,
                            boolean outputTruncated, Duration elapsed, long memoryLimitBytes, Duration timeout,
                            String diskLimitHit) {

    /** A result of a command that was not killed for its disk use. */
    public SandboxResult(int exitCode, boolean timedOut, boolean memoryLimitHit, String output,
                         boolean outputTruncated, Duration elapsed, long memoryLimitBytes, Duration timeout) {
        this(exitCode, timedOut, memoryLimitHit, output, outputTruncated, elapsed, memoryLimitBytes, timeout, null);
    }

    /** A result whose limits are unknown; {@link #describe()} then leaves the numbers out. */
    public SandboxResult(int exitCode, boolean timedOut, boolean memoryLimitHit, String output,
                         boolean outputTruncated, Duration elapsed) {
        this(exitCode, timedOut, memoryLimitHit, output, outputTruncated, elapsed, 0, null);
    }

    /** True when the command exited with status 0 within its limits. */
    public boolean succeeded() {
        return exitCode == 0 && !timedOut && !memoryLimitHit && diskLimitHit == null;
    }

    /**
     * One sentence for users: "exit code 0 after 2.3 s", "killed at the 60 s time limit",
     * "killed: memory limit of 512 MiB exceeded".
     */
    public String describe() {
        if (diskLimitHit != null) {
            return diskLimitHit;
        }
        if (timedOut) {
            return timeout == null ? "killed at the time limit after " + seconds(elapsed)
                    : "killed at the " + seconds(timeout) + " time limit";
        }
        if (memoryLimitHit) {
            return memoryLimitBytes <= 0 ? "killed: memory limit exceeded"
                    : "killed: memory limit of " + mebibytes(memoryLimitBytes) + " exceeded";
        }
        if (exitCode > 128 && exitCode < 128 + 65) {
            return "killed by signal " + (exitCode - 128) + " after " + seconds(elapsed);
        }
        return "exit code " + exitCode + " after " + seconds(elapsed);
    }

    private static String seconds(Duration d) {
        long millis = d.toMillis();
        if (millis % 1000 == 0) {
            return (millis / 1000) + " s";
        }
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    static String mebibytes(long bytes) {
        long mib = bytes >> 20;
        if (mib << 20 == bytes) {
            return mib + " MiB";
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
    }
}
