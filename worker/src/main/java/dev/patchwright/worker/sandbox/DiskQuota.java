package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A limit on the disk a directory may take while a sandboxed command runs, checked every
 * {@link #CHECK_INTERVAL_MILLIS} ms; over it the command is killed. Disk use is what {@code du}
 * counts (allocated blocks, one file system, hard links once), so a sparse file costs what it
 * really takes. Checking is not a quota: a command can overshoot by what it writes between two
 * checks, which the file system's free space must allow for. No per-directory quota works for an
 * unprivileged user on ext4 or overlayfs (project quotas need root and mount options), hence this.
 *
 * @param directory the directory to measure
 * @param maxBytes  the most bytes it may take
 * @param what      how a user would name it, for the reason ("the job's worktrees")
 */
public record DiskQuota(Path directory, long maxBytes, String what) {

    /** How often disk use is measured while a command runs. */
    public static final long CHECK_INTERVAL_MILLIS = 1_000;

    public DiskQuota {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(what, "what");
        if (maxBytes < 1) {
            throw new IllegalArgumentException("disk limit of " + what + " must be positive, got " + maxBytes);
        }
    }

    /**
     * The bytes the directory takes on disk now.
     *
     * @throws IOException when {@code du} cannot be run or reports nothing
     */
    public long used() throws IOException {
        Process du = new ProcessBuilder("du", "-s", "-x", "-B1", "--", directory.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        du.getOutputStream().close();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            du.waitFor();
        } catch (InterruptedException e) {
            du.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while measuring " + directory, e);
        }
        // du exits 1 when a file vanished mid-walk (a build deleting its temp files); its total still counts.
        int tab = out.indexOf('\t');
        if (tab < 1) {
            throw new IOException("du reported nothing for " + directory + ": " + out);
        }
        return Long.parseLong(out.substring(0, tab));
    }

    /** True when the directory takes more than the limit. */
    public boolean exceeded() throws IOException {
        return used() > maxBytes;
    }

    /** The reason a command was killed: "killed: the job's worktrees took more than 64 MiB of disk". */
    public String reason() {
        return "killed: " + what + " took more than " + SandboxResult.mebibytes(maxBytes) + " of disk (the limit)";
    }
}
