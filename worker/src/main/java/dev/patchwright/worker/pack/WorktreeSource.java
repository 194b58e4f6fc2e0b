package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * A directory on disk, treated as hostile: links are never followed, nothing whose real path is
 * outside the root is read, {@code .git} is never packed.
 */
final class WorktreeSource extends PackSource {

    private record Child(Path path, String name, BasicFileAttributes attributes) {
    }

    private final Path root;
    /** Directories whose real path was checked to lie under the root; a walk never enters a link. */
    private final Set<Path> checked = ConcurrentHashMap.newKeySet();

    WorktreeSource(Path root) throws IOException {
        Path real = root.toRealPath();
        if (!Files.isDirectory(real)) {
            throw new IOException("cannot pack " + root + ": not a directory");
        }
        this.root = real;
    }

    @Override
    public String describe() {
        return root.toString();
    }

    @Override
    void walk(IgnoreRules rules, long maxFileBytes, Visitor visitor) throws IOException {
        Path exclude = root.resolve(".git/info/exclude");
        if (regular(exclude, maxFileBytes)) {
            try (InputStream in = open(exclude)) {
                rules.exclude(in);
            }
        }
        walk(root, "", rules, maxFileBytes, visitor);
    }

    private void walk(Path dir, String relative, IgnoreRules rules, long maxFileBytes, Visitor visitor)
            throws IOException {
        List<Child> children = new ArrayList<>();
        Child gitignore = null;
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                Child read = new Child(child, child.getFileName().toString(), Files.readAttributes(child,
                        BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
                children.add(read);
                gitignore = read.name().equals(".gitignore") ? read : gitignore;
            }
        }
        // The listing says whether the directory has a .gitignore: no lookup (and no exception) for the
        // many directories that have none.
        if (gitignore != null && gitignore.attributes().isRegularFile() && gitignore.attributes().size() <= maxFileBytes) {
            try (InputStream in = open(gitignore.path())) {
                rules.enter(relative, in);
            }
        } else {
            rules.enter(relative, null);
        }
        children.sort((a, b) -> gitOrder(a.name(), a.attributes().isDirectory(), b.name(),
                b.attributes().isDirectory()));
        for (Child child : children) {
            if (child.name().equals(".git")) {
                continue;
            }
            String path = relative.isEmpty() ? child.name() : relative + "/" + child.name();
            BasicFileAttributes attributes = child.attributes();
            if (attributes.isSymbolicLink()) {
                visitor.skipped(path, new Skip(Skip.Reason.NOT_A_FILE, "symbolic link, not followed"));
            } else if (attributes.isDirectory()) {
                Skip skip = rules.reason(path, true);
                skip = skip != null ? skip : byName(child.name(), true);
                if (skip != null) {
                    visitor.skipped(path + "/", skip);
                } else {
                    walk(child.path(), path, rules, maxFileBytes, visitor);
                }
            } else if (!attributes.isRegularFile()) {
                visitor.skipped(path, new Skip(Skip.Reason.NOT_A_FILE, "not a regular file"));
            } else {
                Skip skip = rules.reason(path, false);
                skip = skip != null ? skip : byName(child.name(), false);
                if (skip == null && attributes.size() > maxFileBytes) {
                    skip = SkipRules.tooLarge(maxFileBytes, attributes.size());
                }
                if (skip != null) {
                    visitor.skipped(path, skip);
                } else {
                    visitor.file(new Entry(path, attributes.size(), null, FileStamp.of(attributes)));
                }
            }
        }
        rules.leave();
    }

    private static boolean regular(Path file, long maxBytes) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.isRegularFile() && attributes.size() <= maxBytes;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    byte[] read(Entry entry, long maxBytes) throws IOException {
        try (InputStream in = open(root.resolve(entry.path()))) {
            return in.readNBytes((int) Math.min(maxBytes, Integer.MAX_VALUE - 8));
        }
    }

    @Override
    byte[] head(Entry entry, int maxBytes) throws IOException {
        try (InputStream in = open(root.resolve(entry.path()))) {
            return in.readNBytes(maxBytes);
        }
    }

    /** Opens a file without following a link, after checking that its directory's real path is under the root. */
    private InputStream open(Path file) throws IOException {
        Path parent = file.getParent();
        if (!checked.contains(parent)) {
            if (!parent.toRealPath().startsWith(root)) {
                throw new IOException("refusing to read " + file + ": it lies outside " + root);
            }
            checked.add(parent);
        }
        return Files.newInputStream(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    }

    @Override
    List<String> recentlyChanged(int commits) throws IOException {
        if (!Files.isDirectory(root.resolve(".git"), LinkOption.NOFOLLOW_LINKS)) {
            return List.of();
        }
        try (Repository repository = new FileRepositoryBuilder().setGitDir(root.resolve(".git").toFile())
                .setMustExist(true).build()) {
            ObjectId head = repository.resolve("HEAD");
            return head == null ? List.of() : History.recentlyChanged(repository, head, commits);
        }
    }
}
