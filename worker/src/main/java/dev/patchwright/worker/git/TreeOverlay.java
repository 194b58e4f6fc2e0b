package dev.patchwright.worker.git;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;

/**
 * A base tree with some paths replaced by what a worktree holds now. Built in an in-memory index,
 * so the mirror's own index, working tree and hooks never come into play.
 */
final class TreeOverlay {

    private final ObjectReader reader;
    private final ObjectInserter inserter;

    TreeOverlay(ObjectReader reader, ObjectInserter inserter) {
        this.reader = reader;
        this.inserter = inserter;
    }

    /**
     * Writes the new tree: each changed path takes the worktree's regular file (its content and
     * executable bit) or symbolic link (its target, not what it points at); a path absent from the
     * worktree is deleted.
     *
     * @return the id of the inserted tree (not yet flushed)
     * @throws IllegalArgumentException when a path is unsafe or names a directory or special file
     */
    ObjectId write(RevTree base, Path worktree, Collection<String> changedPaths) throws IOException {
        DirCache index = DirCache.newInCore();
        DirCacheBuilder builder = index.builder();
        builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, base);
        builder.finish();

        Path realWorktree = worktree.toRealPath();
        SortedSet<String> paths = new TreeSet<>(changedPaths);
        DirCacheEditor editor = index.editor();
        for (String path : paths) {
            String unsafe = TreePaths.unsafeReason(path);
            if (unsafe != null) {
                throw new IllegalArgumentException("changed path '" + path + "' is unsafe: " + unsafe);
            }
            Entry entry = read(realWorktree, path);
            if (entry == null) {
                editor.add(new DirCacheEditor.DeletePath(path));
            } else {
                editor.add(new DirCacheEditor.PathEdit(path) {
                    @Override
                    public void apply(DirCacheEntry e) {
                        e.setFileMode(entry.mode());
                        e.setObjectId(entry.blob());
                    }
                });
            }
        }
        editor.finish();
        return index.writeTree(inserter);
    }

    private record Entry(FileMode mode, ObjectId blob) {
    }

    /** The worktree's entry at a path as a blob, or null when there is none. */
    private Entry read(Path realWorktree, String path) throws IOException {
        Path file = realWorktree.resolve(path);
        // A parent that is a link could lead out of the worktree; such a path is not ours to read.
        Path parent = file.getParent();
        if (!Files.isDirectory(parent, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        if (!parent.toRealPath().startsWith(realWorktree)) {
            throw new IllegalArgumentException("changed path '" + path + "' lies behind a link out of the worktree");
        }
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (attributes.isSymbolicLink()) {
            byte[] target = Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8);
            return new Entry(FileMode.SYMLINK, inserter.insert(Constants.OBJ_BLOB, target));
        }
        if (!attributes.isRegularFile()) {
            throw new IllegalArgumentException("changed path '" + path + "' is not a regular file or link");
        }
        boolean executable = attributes.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
        try (InputStream in = Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            ObjectId blob = inserter.insert(Constants.OBJ_BLOB, attributes.size(), in);
            return new Entry(executable ? FileMode.EXECUTABLE_FILE : FileMode.REGULAR_FILE, blob);
        }
    }
}
