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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

import org.eclipse.jgit.lib.AnyObjectId;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.util.Paths;

/**
 * A base tree with some paths replaced by what a worktree holds now. Only the trees on the way to
 * a changed path are rewritten; every other entry of the base tree is kept byte for byte, even one
 * that could never be checked out here ({@code .GIT/config}, a name git itself would refuse), so a
 * repository holding such entries can still be committed to. The mirror's own index, working tree
 * and hooks never come into play.
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
        Path realWorktree = worktree.toRealPath();
        SortedMap<String, Entry> changes = new TreeMap<>();
        for (String path : new TreeSet<>(changedPaths)) {
            String unsafe = TreePaths.unsafeReason(path);
            if (unsafe != null) {
                throw new IllegalArgumentException("changed path '" + path + "' is unsafe: " + unsafe);
            }
            changes.put(path, read(realWorktree, path));
        }
        ObjectId tree = rewrite(base, changes);
        return tree != null ? tree : inserter.insert(new TreeFormatter());
    }

    /**
     * The tree {@code treeOrNull} with {@code changes} (paths relative to it; a null entry deletes)
     * applied, or null when nothing is left in it.
     */
    private ObjectId rewrite(AnyObjectId treeOrNull, SortedMap<String, Entry> changes) throws IOException {
        List<Item> items = new ArrayList<>();
        if (treeOrNull != null) {
            CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, treeOrNull);
            for (; !parser.eof(); parser.next()) {
                byte[] name = Arrays.copyOf(parser.getEntryPathBuffer(), parser.getEntryPathLength());
                items.add(new Item(name, parser.getEntryFileMode(), parser.getEntryObjectId()));
            }
        }
        Map<String, SortedMap<String, Entry>> below = new TreeMap<>();
        for (Map.Entry<String, Entry> change : changes.entrySet()) {
            String path = change.getKey();
            int slash = path.indexOf('/');
            if (slash < 0) {
                byte[] name = Constants.encode(path);
                items.removeIf(item -> Arrays.equals(item.name(), name));
                if (change.getValue() != null) {
                    items.add(new Item(name, change.getValue().mode(), change.getValue().blob()));
                }
            } else {
                below.computeIfAbsent(path.substring(0, slash), k -> new TreeMap<>())
                        .put(path.substring(slash + 1), change.getValue());
            }
        }
        for (Map.Entry<String, SortedMap<String, Entry>> directory : below.entrySet()) {
            byte[] name = Constants.encode(directory.getKey());
            ObjectId subtree = null;
            for (Item item : items) {
                if (Arrays.equals(item.name(), name) && item.isTree()) {
                    subtree = item.id();
                }
            }
            // A file of that name gives way to the directory the worktree now has there.
            items.removeIf(item -> Arrays.equals(item.name(), name));
            ObjectId rewritten = rewrite(subtree, directory.getValue());
            if (rewritten != null) {
                items.add(new Item(name, FileMode.TREE, rewritten));
            }
        }
        if (items.isEmpty()) {
            return null;
        }
        items.sort(Item::compareTo);
        TreeFormatter formatter = new TreeFormatter();
        for (Item item : items) {
            formatter.append(item.name(), item.mode(), item.id());
        }
        return inserter.insert(formatter);
    }

    /** One entry of a tree, its name as the raw bytes git stored. */
    private record Item(byte[] name, FileMode mode, ObjectId id) implements Comparable<Item> {
        boolean isTree() {
            return (mode.getBits() & FileMode.TYPE_MASK) == FileMode.TYPE_TREE;
        }

        /** Git's order: a tree sorts as if its name ended in a slash. */
        @Override
        public int compareTo(Item other) {
            return Paths.compare(name, 0, name.length, mode.getBits(),
                    other.name, 0, other.name.length, other.mode.getBits());
        }
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
