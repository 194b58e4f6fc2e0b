package dev.patchwright.worker.pack;

/**
 * Why a path was left out of a pack.
 *
 * @param reason the kind of reason, for counting
 * @param detail a sentence for people, e.g. "ignored by src/.gitignore"
 */
public record Skip(Reason reason, String detail) {

    /** The kinds of reasons, as the statistics count them. */
    public enum Reason {
        /** a {@code .gitignore} or {@code .git/info/exclude} rule */
        IGNORED,
        /** one of the caller's extra patterns (a repository's {@code paths-ignore}) */
        EXCLUDED,
        /** a symbolic link, a submodule or another entry that is not a regular file */
        NOT_A_FILE,
        /** a NUL byte or invalid UTF-8 near the start */
        BINARY,
        /** over the size cap */
        TOO_LARGE,
        /** a package manager's lock file */
        LOCK_FILE,
        /** marked as generated, or minified */
        GENERATED,
        /** under a directory of vendored dependencies */
        VENDORED
    }

    @Override
    public String toString() {
        return detail;
    }
}
