package dev.patchwright.bot.cli.resident;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

/**
 * {@code $PATCHWRIGHT_HOME/run}: where resident packers keep their sockets, start locks and logs. Only
 * its owner may enter it, since whoever can reach a socket can make the packer read what its user reads.
 */
final class RunDirectory {

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final Path path;

    private RunDirectory(Path path) {
        this.path = path;
    }

    /**
     * The run directory under {@code home}, made owner-only when missing or looser.
     *
     * @throws IOException when it cannot be made, or is owned by another user (or is a link)
     */
    static RunDirectory open(Path home) throws IOException {
        Path run = home.toAbsolutePath().normalize().resolve("run");
        Files.createDirectories(run.getParent());
        try {
            Files.createDirectory(run, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
        } catch (FileAlreadyExistsException e) {
            // Made before: checked below like one just made.
        }
        PosixFileAttributes attributes = Files.readAttributes(run, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String user = System.getProperty("user.name");
        if (!attributes.isDirectory()) {
            throw new IOException(run + " is not a directory; move it away so the resident packer can use the name");
        }
        if (!attributes.owner().getName().equals(user)) {
            throw new IOException(run + " belongs to " + attributes.owner().getName() + ", not to " + user
                    + "; a resident packer only uses a run directory of its own user");
        }
        if (!attributes.permissions().equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(run, OWNER_ONLY);
        }
        return new RunDirectory(run);
    }

    Path path() {
        return path;
    }

    Path socket(String key) {
        return path.resolve("pack-" + key + ".sock");
    }

    Path log(String key) {
        return path.resolve("pack-" + key + ".log");
    }

    Path lock(String key) {
        return path.resolve("pack-" + key + ".lock");
    }

    /**
     * A short name for what makes two packers interchangeable: the same build, Java, user and
     * settings give the same key; anything else gives a server of its own.
     */
    static String key(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : parts) {
                sha.update(String.valueOf(part).getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }
}
