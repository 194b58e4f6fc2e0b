package dev.patchwright.worker.solve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Copies a regular file without filling in its holes, so a sparse file that {@code setup:} made
 * (8 GB apparent, nothing allocated) costs no disk when a candidate's tree is copied. Java has no
 * way to find holes (no {@code SEEK_HOLE}) and reading 8 GB of them takes a minute here, so large
 * files go through GNU {@code cp --sparse=always}, which skips holes with {@code SEEK_DATA}/{@code SEEK_HOLE}
 * and punches holes where it reads blocks of zeros.
 */
final class SparseCopy {

    /** Below this, a file cannot hide much of a hole; Java copies it. */
    private static final long SMALL = 1 << 20;

    private SparseCopy() {
    }

    /**
     * Copies {@code from}, a regular file (not followed if it is a link), to {@code to}, which must not
     * exist, with its mode and modification time.
     *
     * @throws IOException when reading or writing fails, or {@code cp} refuses (with its message)
     */
    static void copy(Path from, Path to) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(from, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (attributes.size() < SMALL || !attributes.isRegularFile()) {
            Files.copy(from, to, LinkOption.NOFOLLOW_LINKS, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        if (Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("cannot copy " + from + ": " + to + " exists");
        }
        Process cp = new ProcessBuilder("cp", "--sparse=always", "--no-dereference", "--preserve=mode,timestamps",
                "--", from.toString(), to.toString()).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        cp.getOutputStream().close();
        String output = new String(cp.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        try {
            if (cp.waitFor() != 0) {
                throw new IOException("cp could not copy " + from + ": " + output);
            }
        } catch (InterruptedException e) {
            cp.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while copying " + from, e);
        }
    }
}
