package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The unprivileged user a root worker drops to before calling bwrap ({@code nobody}, 65534), and
 * what it takes for that user to use a host directory: every ancestor searchable, the tree owned.
 */
final class SandboxUser {

    /** uid and gid of {@code nobody} on Debian and most distributions. */
    static final int ID = 65534;

    private SandboxUser() {
    }

    /** True when this JVM runs as uid 0 (read from /proc/self/status). */
    static boolean runningAsRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.substring(4).trim().split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
        return false;
    }

    /**
     * Checks that the sandbox user can reach {@code dir}: bwrap binds it with that user's rights,
     * so a parent such as {@code /root} (mode 700) makes the bind fail.
     *
     * @throws SandboxException naming the first ancestor that is not searchable by others
     */
    static void checkReachable(Path dir, String what) throws SandboxException {
        for (Path p = dir.getParent(); p != null; p = p.getParent()) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    throw new SandboxException(what + " " + dir + " is not reachable by the sandbox user (uid "
                            + ID + "): " + p + " is not searchable by others; keep work directories under"
                            + " a directory with mode o+x, e.g. /var/lib/patchwright or /tmp");
                }
            } catch (IOException e) {
                throw new SandboxException("cannot read the permissions of " + p + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Gives the tree under {@code root} to the sandbox user, like {@code chown -R -h 65534:65534},
     * so the sandboxed command can write there. Symbolic links are changed themselves, never
     * followed, and a file with several hard links that the sandbox user does not own yet is left
     * alone: it could be a link to a host file.
     */
    static void giveTree(Path root) throws SandboxException {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                    give(dir, false);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    give(file, attrs.isRegularFile());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new SandboxException("cannot give " + root + " to the sandbox user (uid " + ID + "): "
                    + e.getMessage(), e);
        }
    }

    private static void give(Path path, boolean regularFile) throws IOException {
        int uid = (Integer) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(path, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        if (uid == ID && gid == ID) {
            return;
        }
        if (regularFile && (Integer) Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS) > 1) {
            return;
        }
        Files.setAttribute(path, "unix:uid", ID, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(path, "unix:gid", ID, LinkOption.NOFOLLOW_LINKS);
    }
}
