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
import java.nio.file.attribute.UserPrincipal;
import java.nio.channels.SocketChannel;
import jdk.net.ExtendedSocketOptions;
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
        if (!attributes.isDirectory()) {
            throw new IOException(run + " is not a directory; move it away so the resident packer can use the name");
        }
        UserPrincipal self = self();
        if (!attributes.owner().equals(self)) {
            throw new IOException(run + " belongs to " + attributes.owner().getName() + ", not to " + self.getName()
                    + "; a resident packer only uses a run directory of its own user");
        }
        if (!attributes.permissions().equals(OWNER_ONLY)) {
            Files.setPosixFilePermissions(run, OWNER_ONLY);
        }
        return new RunDirectory(run);
    }

    /**
     * The user this process runs as, by number (a user without a name in the password database is
     * still itself): the owner of {@code /proc/self}, or where there is none, the user by name.
     */
    static UserPrincipal self() throws IOException {
        Path proc = Path.of("/proc/self");
        if (Files.exists(proc)) {
            return Files.getOwner(proc);
        }
        return proc.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(System.getProperty("user.name"));
    }

    /**
     * Whether the process at the other end of {@code channel} runs as this process's user: the run
     * directory's mode keeps others out, and this makes sure of it on both ends of every connection.
     */
    static boolean sameUser(SocketChannel channel) {
        try {
            return channel.getOption(ExtendedSocketOptions.SO_PEERCRED).user().equals(self());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    Path path() {
        return path;
    }

    Path socket(String key) {
        return file(key, ".sock");
    }

    Path log(String key) {
        return file(key, ".log");
    }

    Path lock(String key) {
        return file(key, ".lock");
    }

    /**
     * A short name for what makes two packers interchangeable: the same build, Java, user and
     * settings give the same key; anything else gives a server of its own. FNV-1a over the parts'
     * UTF-8 bytes, 48 bits in hex: a name, not a secret, and cheap (a digest's providers would
     * cost the client a noticeable part of its start).
     */
    static String key(String... parts) {
        long hash = 0xcbf29ce484222325L;
        for (String part : parts) {
            for (byte b : String.valueOf(part).getBytes(StandardCharsets.UTF_8)) {
                hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
            }
            hash = (hash ^ 0xff) * 0x100000001b3L; // a separator no UTF-8 string contains
        }
        return HexFormat.of().toHexDigits(hash).substring(4);
    }

    /** {@code pack-<key><suffix>}, joined without string concatenation's bootstrap (the client's start). */
    private Path file(String key, String suffix) {
        return path.resolve(new StringBuilder("pack-").append(key).append(suffix).toString());
    }
}
