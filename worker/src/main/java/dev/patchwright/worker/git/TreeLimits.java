package dev.patchwright.worker.git;

/**
 * How much of a repository's tree the worker writes out. Checked from the object headers before a
 * single file is written, so a small pack that expands to gigabytes (a git bomb: many entries of one
 * huge, highly compressible blob) is refused instead of filling the disk.
 *
 * @param maxBlobBytes the largest file, in bytes
 * @param maxTreeBytes all files of the tree together, in bytes (a blob written twice counts twice)
 * @param maxFiles     the most files and links in the tree
 */
public record TreeLimits(long maxBlobBytes, long maxTreeBytes, int maxFiles) {

    /** 100 MB per file, 1 GB and 200,000 files per tree. */
    public static final TreeLimits DEFAULTS = new TreeLimits(100_000_000L, 1_000_000_000L, 200_000);

    public TreeLimits {
        if (maxBlobBytes < 1 || maxTreeBytes < 1 || maxFiles < 1) {
            throw new IllegalArgumentException("tree limits must be positive: max blob " + maxBlobBytes
                    + " bytes, max tree " + maxTreeBytes + " bytes, max files " + maxFiles);
        }
    }
}
