package dev.patchwright.worker.pack;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.jgit.errors.IncorrectObjectTypeException;
import org.eclipse.jgit.errors.MissingObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;

/** A commit read from a repository's object store: no checkout, nothing written. */
final class MirrorSource extends PackSource {

    private record Child(String name, FileMode mode, ObjectId id) {
    }

    private final Repository repository;
    private final RevCommit commit;

    MirrorSource(Repository repository, ObjectId commit) throws IOException {
        this.repository = repository;
        try (RevWalk walk = new RevWalk(repository)) {
            this.commit = walk.parseCommit(commit);
        } catch (MissingObjectException | IncorrectObjectTypeException e) {
            throw new IOException("cannot pack " + commit.name() + ": not a commit of " + repository.getDirectory(), e);
        }
    }

    @Override
    public String describe() {
        return repository.getDirectory() + " at " + commit.name();
    }

    @Override
    void walk(IgnoreRules rules, long maxFileBytes, Visitor visitor) throws IOException {
        Path exclude = repository.getDirectory().toPath().resolve("info/exclude");
        if (Files.isRegularFile(exclude) && Files.size(exclude) <= maxFileBytes) {
            try (InputStream in = Files.newInputStream(exclude)) {
                rules.exclude(in);
            }
        }
        try (ObjectReader reader = repository.newObjectReader()) {
            walk(reader, commit.getTree(), "", rules, maxFileBytes, visitor);
        }
    }

    private void walk(ObjectReader reader, ObjectId tree, String relative, IgnoreRules rules, long maxFileBytes,
                      Visitor visitor) throws IOException {
        List<Child> children = new ArrayList<>();
        Child gitignore = null;
        for (CanonicalTreeParser parser = new CanonicalTreeParser(null, reader, tree); !parser.eof(); parser.next()) {
            Child child = new Child(parser.getEntryPathString(), parser.getEntryFileMode(), parser.getEntryObjectId());
            children.add(child);
            if (child.name().equals(".gitignore") && (child.mode() == FileMode.REGULAR_FILE
                    || child.mode() == FileMode.EXECUTABLE_FILE)) {
                gitignore = child;
            }
        }
        if (gitignore != null && reader.getObjectSize(gitignore.id(), Constants.OBJ_BLOB) <= maxFileBytes) {
            try (InputStream in = reader.open(gitignore.id(), Constants.OBJ_BLOB).openStream()) {
                rules.enter(relative, in);
            }
        } else {
            rules.enter(relative, null);
        }
        for (Child child : children) {
            String path = relative.isEmpty() ? child.name() : relative + "/" + child.name();
            FileMode mode = child.mode();
            if (mode == FileMode.TREE) {
                Skip skip = rules.reason(path, true);
                skip = skip != null ? skip : byName(child.name(), true);
                if (skip != null) {
                    visitor.skipped(path + "/", skip);
                } else {
                    walk(reader, child.id(), path, rules, maxFileBytes, visitor);
                }
            } else if (mode == FileMode.SYMLINK) {
                visitor.skipped(path, new Skip(Skip.Reason.NOT_A_FILE, "symbolic link, not followed"));
            } else if (mode == FileMode.GITLINK) {
                visitor.skipped(path, new Skip(Skip.Reason.NOT_A_FILE, "submodule, not packed"));
            } else {
                Skip skip = rules.reason(path, false);
                skip = skip != null ? skip : byName(child.name(), false);
                long size = skip == null ? reader.getObjectSize(child.id(), Constants.OBJ_BLOB) : 0;
                if (skip == null && size > maxFileBytes) {
                    skip = SkipRules.tooLarge(maxFileBytes, size);
                }
                if (skip != null) {
                    visitor.skipped(path, skip);
                } else {
                    visitor.file(new Entry(path, size, child.id().copy(), null));
                }
            }
        }
        rules.leave();
    }

    /** Reads through a reader of its own: readers are not shared between threads. */
    @Override
    byte[] read(Entry entry, long maxBytes) throws IOException {
        try (ObjectReader reader = repository.newObjectReader()) {
            ObjectLoader loader = reader.open(entry.blob(), Constants.OBJ_BLOB);
            if (loader.getSize() > maxBytes) {
                throw new IOException(entry.path() + " is larger than " + maxBytes + " bytes");
            }
            return loader.getCachedBytes(Integer.MAX_VALUE);
        }
    }

    @Override
    List<String> recentlyChanged(int commits) throws IOException {
        return History.recentlyChanged(repository, commit, commits);
    }
}
