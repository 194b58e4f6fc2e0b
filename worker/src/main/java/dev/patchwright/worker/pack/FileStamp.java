package dev.patchwright.worker.pack;

import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.TimeUnit;

/**
 * What a file on disk looked like when the walk saw it: size, modification time and identity (device
 * and inode). Like git's index, a pack trusts that a file whose stamp has not changed since it was
 * read still holds what was read then, unless it was modified so close to that read that a change
 * could hide within the clock's resolution.
 *
 * @param size bytes
 * @param modifiedNanos modification time, nanoseconds since the epoch
 * @param fileKey the file system's identity of the file, or "" when it has none
 */
record FileStamp(long size, long modifiedNanos, String fileKey) {

    /** How close to a read a modification makes the stamp untrustworthy: coarse clocks tick once a second or two. */
    static final long RACY_NANOS = TimeUnit.SECONDS.toNanos(2);

    static FileStamp of(BasicFileAttributes attributes) {
        Object key = attributes.fileKey();
        return new FileStamp(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                key == null ? "" : key.toString());
    }

    /**
     * Whether a file stamped {@code this} when it was read at {@code readNanos} (epoch nanoseconds) is
     * certainly unchanged now that it is stamped {@code now}.
     */
    boolean unchangedSince(long readNanos, FileStamp now) {
        return equals(now) && !fileKey.isEmpty() && modifiedNanos < readNanos - RACY_NANOS;
    }
}
