package dev.patchwright.bot.standin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEditor;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;

/** A bare git repository on disk, read and written with JGit the way GitHub's storage would answer. */
final class BareRepository {

    /** One entry of a tree or a blob, as the contents API describes it. */
    record Entry(String path, String type, ObjectId id, byte[] data, List<Entry> children) {}

    private final Path gitDir;

    private BareRepository(Path gitDir) {
        this.gitDir = gitDir;
    }

    /** Creates an empty bare repository whose HEAD names {@code defaultBranch}. */
    static BareRepository create(Path gitDir, String defaultBranch) {
        try (Repository repo = FileRepositoryBuilder.create(gitDir.toFile())) {
            repo.create(true);
            RefUpdate head = repo.updateRef(Constants.HEAD);
            head.link(Constants.R_HEADS + defaultBranch);
            return new BareRepository(gitDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create bare repository " + gitDir, e);
        }
    }

    Path gitDir() {
        return gitDir;
    }

    Repository open() throws IOException {
        return new FileRepositoryBuilder().setGitDir(gitDir.toFile()).setBare().build();
    }

    /** The commit a branch points at, if the branch exists. */
    Optional<ObjectId> branch(String name) {
        try (Repository repo = open()) {
            return Optional.ofNullable(repo.resolve(Constants.R_HEADS + name + "^{commit}"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when the repository holds commit {@code id}. */
    boolean hasCommit(ObjectId id) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            walk.parseCommit(id);
            return true;
        } catch (org.eclipse.jgit.errors.MissingObjectException | org.eclipse.jgit.errors.IncorrectObjectTypeException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** True when {@code head} has a commit that {@code base} lacks. */
    boolean hasCommitsBetween(ObjectId base, ObjectId head) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            return !walk.isMergedInto(walk.parseCommit(head), walk.parseCommit(base));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Commits {@code files} (path to UTF-8 text; a null value deletes the path) on top of {@code branch},
     * creating the branch if it does not exist yet.
     *
     * @return the new commit's id
     */
    ObjectId commitFiles(String branch, Map<String, String> files, String message) {
        try (Repository repo = open(); ObjectInserter inserter = repo.newObjectInserter();
             ObjectReader reader = repo.newObjectReader(); RevWalk walk = new RevWalk(reader)) {
            ObjectId parent = repo.resolve(Constants.R_HEADS + branch + "^{commit}");
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            if (parent != null) {
                builder.addTree(new byte[0], DirCacheEntry.STAGE_0, reader, walk.parseCommit(parent).getTree());
            }
            builder.finish();
            DirCacheEditor editor = index.editor();
            for (Map.Entry<String, String> file : files.entrySet()) {
                if (file.getValue() == null) {
                    editor.add(new DirCacheEditor.DeletePath(file.getKey()));
                    continue;
                }
                ObjectId blob = inserter.insert(Constants.OBJ_BLOB, file.getValue().getBytes(StandardCharsets.UTF_8));
                editor.add(new DirCacheEditor.PathEdit(file.getKey()) {
                    @Override
                    public void apply(DirCacheEntry entry) {
                        entry.setFileMode(FileMode.REGULAR_FILE);
                        entry.setObjectId(blob);
                    }
                });
            }
            editor.finish();
            CommitBuilder commit = new CommitBuilder();
            PersonIdent author = new PersonIdent("Stand-in", "stand-in@example.invalid");
            commit.setAuthor(author);
            commit.setCommitter(author);
            commit.setMessage(message);
            commit.setTreeId(index.writeTree(inserter));
            if (parent != null) {
                commit.setParentId(parent);
            }
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
            update.setNewObjectId(id);
            update.setExpectedOldObjectId(parent == null ? ObjectId.zeroId() : parent);
            RefUpdate.Result result = update.update(walk);
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FAST_FORWARD) {
                throw new IllegalStateException("updating " + branch + " failed: " + result);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot commit to " + gitDir, e);
        }
    }

    /** Resolves a branch, tag or commit id; empty when nothing by that name exists. */
    Optional<RevCommit> commit(String ref) {
        try (Repository repo = open(); RevWalk walk = new RevWalk(repo)) {
            ObjectId id = repo.resolve(ref + "^{commit}");
            return id == null ? Optional.empty() : Optional.of(walk.parseCommit(id));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Reads a file or directory at {@code path} in {@code commit}; empty when the path is absent. */
    Optional<Entry> read(RevCommit commit, String path) {
        try (Repository repo = open(); TreeWalk walk = TreeWalk.forPath(repo, path, commit.getTree())) {
            if (walk == null) {
                return Optional.empty();
            }
            FileMode mode = walk.getFileMode(0);
            ObjectId id = walk.getObjectId(0);
            if (mode == FileMode.TREE) {
                List<Entry> children = new ArrayList<>();
                try (TreeWalk inside = new TreeWalk(repo)) {
                    inside.addTree(id);
                    while (inside.next()) {
                        FileMode childMode = inside.getFileMode(0);
                        ObjectId child = inside.getObjectId(0);
                        byte[] data = childMode == FileMode.TREE || childMode == FileMode.GITLINK
                                ? null : repo.open(child).getBytes();
                        children.add(new Entry(path + "/" + inside.getPathString(), type(childMode), child, data, null));
                    }
                }
                return Optional.of(new Entry(path, "dir", id, null, children));
            }
            byte[] data = mode == FileMode.GITLINK ? null : repo.open(id).getBytes();
            return Optional.of(new Entry(path, type(mode), id, data, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String type(FileMode mode) {
        if (mode == FileMode.TREE) {
            return "dir";
        }
        if (mode == FileMode.SYMLINK) {
            return "symlink";
        }
        return mode == FileMode.GITLINK ? "submodule" : "file";
    }
}
