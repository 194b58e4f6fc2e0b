package dev.patchwright.worker.pack;

import org.eclipse.jgit.lib.ObjectId;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Git blob ids of file contents, as {@code git hash-object} computes them. Uses the JDK's SHA-1,
 * which the JVM accelerates, rather than JGit's collision-detecting one: these ids only key a
 * cache of token counts, where speed matters and a forged collision costs at most a wrong count.
 */
final class BlobIds {

    private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available in this JVM", e);
        }
    });

    private BlobIds() {
    }

    static ObjectId of(byte[] content) {
        MessageDigest sha1 = SHA1.get();
        sha1.reset();
        sha1.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
        sha1.update(content);
        return ObjectId.fromRaw(sha1.digest());
    }

    /**
     * An id for a text the packer writes itself (a file's entry in the map), in a space of its own:
     * no file's blob id can equal it, so its count in the cache is never a file's (which is the count
     * of the file's redacted text).
     */
    static ObjectId ofWritten(String text) {
        MessageDigest sha1 = SHA1.get();
        sha1.reset();
        sha1.update("patchwright written\0".getBytes(StandardCharsets.US_ASCII));
        sha1.update(text.getBytes(StandardCharsets.UTF_8));
        return ObjectId.fromRaw(sha1.digest());
    }
}
