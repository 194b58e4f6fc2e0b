package dev.patchwright.worker.git;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.jgit.errors.LargeObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevTree;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Writes a tree's blobs straight from the object database onto disk. No checkout machinery is
 * involved, so nothing the repository controls (filters, attributes, hooks, submodules) can run.
 */
final class TreeMaterializer {

    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> REGULAR = PosixFilePermissions.fromString("rw-r--r--");
    // Linux refuses longer link targets (PATH_MAX), and following more links than this is a loop.
    private static final int MAX_LINK_TARGET_BYTES = 4096;
    private static final int MAX_LINK_HOPS = 40;

    private final ObjectReader reader;
    private final TreeLimits limits;

    TreeMaterializer(ObjectReader reader, TreeLimits limits) {
        this.reader = reader;
        this.limits = limits;
    }

    /** A file or link to write, found on the first pass. */
    private record Planned(String path, ObjectId blob, FileMode mode) {
    }

    /**
     * Writes {@code tree} under {@code root}, an existing empty directory given by its real path.
     * The sizes of all files are read from the object headers first: over a limit, nothing is written.
     *
     * @return what was left out, each with its reason, in path order
     * @throws TooLarge when the tree is over the limits, naming the path and the limit
     */
    List<String> write(RevTree tree, Path root) throws IOException, TooLarge {
        List<String> skipped = new ArrayList<>();
        List<Planned> files = plan(tree, skipped);
        Map<String, String> links = new TreeMap<>();
        for (Planned file : files) {
            if (file.mode() == FileMode.SYMLINK) {
                try {
                    byte[] target = reader.open(file.blob()).getCachedBytes(MAX_LINK_TARGET_BYTES);
                    links.put(file.path(), new String(target, StandardCharsets.UTF_8));
                } catch (LargeObjectException e) {
                    skipped.add("link target is too long: " + file.path());
                }
            } else {
                writeFile(root, file.path(), file.blob(), file.mode() == FileMode.EXECUTABLE_FILE, skipped);
            }
        }
        // Links go last, so that no file above was written through one.
        for (Map.Entry<String, String> link : links.entrySet()) {
            writeLink(root, link.getKey(), link.getValue(), links, skipped);
        }
        return skipped;
    }

    /** The files and links to write, checked against the limits; what is left out goes to {@code skipped}. */
    private List<Planned> plan(RevTree tree, List<String> skipped) throws IOException, TooLarge {
        List<Planned> planned = new ArrayList<>();
        long total = 0;
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(tree);
            walk.setRecursive(true);
            while (walk.next()) {
                String path = walk.getPathString();
                String unsafe = TreePaths.unsafeReason(path);
                if (unsafe != null) {
                    skipped.add("unsafe path (" + unsafe + "): " + path);
                    continue;
                }
                FileMode mode = walk.getFileMode(0);
                if (mode == FileMode.GITLINK) {
                    skipped.add("submodule not included: " + path);
                    continue;
                }
                if (mode != FileMode.REGULAR_FILE && mode != FileMode.EXECUTABLE_FILE && mode != FileMode.SYMLINK) {
                    skipped.add("unsupported entry (mode " + mode + "): " + path);
                    continue;
                }
                if (planned.size() == limits.maxFiles()) {
                    throw new TooLarge("the tree holds more than " + limits.maxFiles() + " files, the limit "
                            + "(counting stopped at " + path + ")");
                }
                ObjectId blob = walk.getObjectId(0);
                if (mode != FileMode.SYMLINK) {
                    long size = reader.getObjectSize(blob, Constants.OBJ_BLOB);
                    if (size > limits.maxBlobBytes()) {
                        throw new TooLarge(path + " (blob " + blob.name() + ") is " + size + " bytes, over the limit of "
                                + limits.maxBlobBytes() + " bytes per file");
                    }
                    total += size;
                    if (total > limits.maxTreeBytes()) {
                        throw new TooLarge("the tree's files come to more than " + limits.maxTreeBytes() + " bytes (the "
                                + "limit) by " + path + " (blob " + blob.name() + ", " + size + " bytes)");
                    }
                }
                planned.add(new Planned(path, blob, mode));
            }
        }
        return planned;
    }

    /** The tree is over a limit; the message names the path and the limit. */
    static final class TooLarge extends Exception {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    private void writeFile(Path root, String path, ObjectId blob, boolean executable, List<String> skipped)
            throws IOException {
        Path file = root.resolve(path);
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
                reader.open(blob).copyTo(out);
            }
        } catch (FileAlreadyExistsException e) {
            skipped.add("conflicts with another entry of the tree: " + path);
            return;
        }
        Files.setPosixFilePermissions(file, executable ? EXECUTABLE : REGULAR);
    }

    private static void writeLink(Path root, String path, String target, Map<String, String> links,
                                  List<String> skipped) throws IOException {
        String shown = path + " -> " + target;
        if (target.isEmpty() || target.indexOf('\0') >= 0) {
            skipped.add("link has an invalid target: " + shown);
            return;
        }
        if (!staysInside(path, target, links)) {
            skipped.add("link escapes the tree: " + shown);
            return;
        }
        Path link = root.resolve(path);
        try {
            Files.createDirectories(link.getParent());
            Files.createSymbolicLink(link, Path.of(target));
        } catch (FileAlreadyExistsException e) {
            skipped.add("conflicts with another entry of the tree: " + path);
        } catch (InvalidPathException e) {
            skipped.add("link has an invalid target: " + shown);
        }
    }

    /**
     * Resolves a link the way the kernel would in the finished tree, following the tree's other
     * links, and says whether every step stays inside the tree. A purely lexical check is not
     * enough: with {@code d -> .}, the link {@code a -> d/../etc} looks inside but is not.
     * Components that do not exist are taken as plain directories; resolution cannot climb out
     * through them.
     */
    static boolean staysInside(String linkPath, String target, Map<String, String> links) {
        Deque<String> resolved = new ArrayDeque<>(List.of(linkPath.split("/")));
        resolved.removeLast();
        Deque<String> pending = new ArrayDeque<>();
        if (!push(target, pending)) {
            return false;
        }
        int hops = 0;
        while (!pending.isEmpty()) {
            String component = pending.removeFirst();
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                if (resolved.isEmpty()) {
                    return false;
                }
                resolved.removeLast();
                continue;
            }
            resolved.addLast(component);
            String next = links.get(String.join("/", resolved));
            if (next != null) {
                if (++hops > MAX_LINK_HOPS) {
                    return false;
                }
                resolved.removeLast();
                if (!push(next, pending)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Puts a link target's components in front of the pending ones; false when it is absolute. */
    private static boolean push(String target, Deque<String> pending) {
        if (target.startsWith("/")) {
            return false;
        }
        String[] components = target.split("/");
        for (int i = components.length - 1; i >= 0; i--) {
            pending.addFirst(components[i]);
        }
        return true;
    }
}
