package dev.patchwright.worker.pack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;

/**
 * What a {@link ContextPacker} reads: a worktree directory, or a (bare) repository at a commit read
 * straight from its object store. Both walk in git's path order (tree entries by name, a directory
 * compared as its name plus '/'), so one commit packs the same from either, and an unchanged file
 * keeps its place relative to the others whatever else changes. A source is used by one pack at a
 * time and closed by whoever opened it.
 */
public abstract sealed class PackSource implements AutoCloseable permits WorktreeSource, MirrorSource {

    /**
     * One file the walk found: its slash-separated path from the root, its size in bytes, its blob id
     * when the source knows it without reading (a commit's tree), and its stamp when it is a file on
     * disk (which says whether it changed since an earlier pack).
     */
    record Entry(String path, long size, ObjectId blob, FileStamp stamp) {
    }

    /** Receives the walk's findings, in git's path order. */
    interface Visitor {
        void file(Entry entry) throws IOException;

        void skipped(String path, Skip skip);
    }

    PackSource() {
    }

    /**
     * A directory on disk. Its {@code .gitignore} files and, when it has a {@code .git} directory,
     * {@code .git/info/exclude} are honoured; links are never followed.
     *
     * @throws IOException when {@code root} is not a directory
     */
    public static PackSource worktree(Path root) throws IOException {
        return new WorktreeSource(root);
    }

    /**
     * A commit of a repository, read from its object store without a checkout. The tree's
     * {@code .gitignore} files and the repository's {@code info/exclude} are honoured as a checkout
     * of that commit would honour them, so the result equals packing the checkout. The repository
     * stays open and belongs to the caller.
     *
     * @throws IOException when {@code commit} is not a commit of {@code repository}
     */
    public static PackSource mirror(Repository repository, ObjectId commit) throws IOException {
        return new MirrorSource(repository, commit);
    }

    /** Says where the files come from, for messages. */
    public abstract String describe();

    /** Walks every entry, applying {@code rules}, the size cap and the vendored-path and lock-file rules. */
    abstract void walk(IgnoreRules rules, long maxFileBytes, Visitor visitor) throws IOException;

    /** The content of a file the walk found, at most {@code maxBytes} bytes. */
    abstract byte[] read(Entry entry, long maxBytes) throws IOException;

    /** The first {@code maxBytes} bytes of a file the walk found (all of it when shorter). */
    byte[] head(Entry entry, int maxBytes) throws IOException {
        byte[] bytes = read(entry, Long.MAX_VALUE);
        return bytes.length <= maxBytes ? bytes : Arrays.copyOf(bytes, maxBytes);
    }

    /** Paths changed by the last {@code commits} commits, most recent first; empty without history. */
    abstract List<String> recentlyChanged(int commits) throws IOException;

    @Override
    public void close() throws IOException {
    }

    /** Orders names as git orders tree entries: bytes of the UTF-8 name, a directory's with '/' after it. */
    static int gitOrder(String a, boolean aDirectory, String b, boolean bDirectory) {
        byte[] x = (aDirectory ? a + "/" : a).getBytes(StandardCharsets.UTF_8);
        byte[] y = (bDirectory ? b + "/" : b).getBytes(StandardCharsets.UTF_8);
        return Arrays.compareUnsigned(x, y);
    }

    /** The checks by name shared by both walks; null when the entry may go on. */
    static Skip byName(String name, boolean directory) {
        return directory ? SkipRules.vendored(name) : SkipRules.lockFile(name);
    }
}
