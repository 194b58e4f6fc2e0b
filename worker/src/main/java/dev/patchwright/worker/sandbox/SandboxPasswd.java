package dev.patchwright.worker.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The {@code /etc/passwd} the sandbox sees. Java takes {@code user.home} from the passwd entry of the running
 * user, not from {@code $HOME}: with the host's file, the sandbox user's home is {@code /nonexistent}, so Maven's
 * {@code ~/.m2} (and Gradle's, and anything else a JVM keeps under its home) would miss the dependency cache that
 * {@code setup:} filled. This file gives the sandbox user the same home as {@code $HOME}: {@code /cache} when a
 * cache is bound, else {@code /tmp}. It holds no password hashes (the host's file holds none either).
 */
final class SandboxPasswd {

    private static Path dir;

    private SandboxPasswd() {
    }

    /**
     * A passwd file for {@code uid} with home {@code home}, written once per process into a directory only this
     * user can write (and written again if a cleaner removed it).
     */
    static synchronized Path file(int uid, String home) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            dir = Files.createTempDirectory("patchwright-passwd-", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")));
        }
        Path file = dir.resolve("passwd-" + uid + home.replace('/', '-'));
        if (!Files.isRegularFile(file)) {
            String name = uid == SandboxUser.ID ? "nobody" : "patchwright";
            String text = "root:x:0:0:root:/root:/usr/sbin/nologin\n"
                    + name + ":x:" + uid + ":" + uid + ":Patchwright sandbox:" + home + ":/bin/sh\n";
            Path written = Files.writeString(dir.resolve(file.getFileName() + ".new"), text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(written, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    /** The uid this process runs as. */
    static int currentUid() throws IOException {
        return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    }
}
