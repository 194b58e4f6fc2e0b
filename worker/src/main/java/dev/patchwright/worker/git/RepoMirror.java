package dev.patchwright.worker.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Stream;

import org.eclipse.jgit.diff.DiffEntry;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.URIish;

/**
 * One bare mirror per repository under a root directory, and the few git operations the solve
 * pipeline needs on it. The repository is hostile input: nothing here checks out, runs hooks,
 * filters or submodules, and nothing sensitive (URL, credentials) is kept on disk.
 *
 * <p>Thread-safe: fetches and pushes of one repository take turns; reads run alongside.
 */
public final class RepoMirror {

    private final Path root;
    private final TreeLimits treeLimits;
    private final ConcurrentMap<String, Object> locks = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, String> defaultBranches = new ConcurrentHashMap<>();

    /** @param root the directory that holds the mirrors; created on first fetch */
    public RepoMirror(Path root) {
        this(root, TreeLimits.DEFAULTS);
    }

    /**
     * @param root       the directory that holds the mirrors; created on first fetch
     * @param treeLimits how large a tree {@link #materialize} writes out
     */
    public RepoMirror(Path root, TreeLimits treeLimits) {
        this.root = root.toAbsolutePath().normalize();
        this.treeLimits = treeLimits;
    }

    /**
     * The directory of a repository's bare mirror (it may not exist yet).
     *
     * @throws IllegalArgumentException when the key is not {@code owner/name} or {@code name}
     */
    public Path directory(String repoKey) {
        return RepoKey.parse(repoKey).directory(root);
    }

    /**
     * Fetches all branches ({@code +refs/heads/*:refs/heads/*}, pruning deleted ones) into the
     * mirror, creating it on first use, and returns the commit of a branch.
     *
     * @param repoKey     {@code owner/name}
     * @param cloneUrl    where to fetch from; used for this call only, and it may not carry a password
     * @param credsOrNull credentials for this call, or null for none
     * @param branchOrNull the branch to return, or null for the remote's default branch
     * @return the commit the branch points to
     * @throws GitException when the key or URL is bad, the fetch fails or the branch is missing
     */
    public ObjectId fetch(String repoKey, URI cloneUrl, GitCredentials credsOrNull, String branchOrNull)
            throws GitException {
        String op = "fetch";
        RepoKey key = key(repoKey, op);
        URIish uri = uri(key, op, cloneUrl);
        if (branchOrNull != null) {
            checkBranch(key, op, branchOrNull);
        }
        synchronized (lock(key)) {
            Path dir = key.directory(root);
            boolean fresh = !Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
            try {
                return fetchLocked(key, dir, uri, credsOrNull, branchOrNull);
            } catch (GitException e) {
                if (fresh) {
                    MirrorStore.delete(dir);
                }
                throw e;
            }
        }
    }

    private ObjectId fetchLocked(RepoKey key, Path dir, URIish uri, GitCredentials credsOrNull, String branchOrNull)
            throws GitException {
        String op = "fetch";
        try (Repository repo = MirrorStore.openOrCreate(dir)) {
            String defaultBranch = Remote.fetch(repo, uri, credsOrNull);
            String branch = branchOrNull != null ? branchOrNull : defaultBranch;
            Ref ref = repo.exactRef(Constants.R_HEADS + branch);
            if (ref == null || ref.getObjectId() == null) {
                throw new GitException(key.key(), op, "branch '" + branch + "' does not exist on the remote");
            }
            try (RevWalk walk = new RevWalk(repo)) {
                ObjectId commit = walk.parseCommit(ref.getObjectId()).copy();
                defaultBranches.put(key.key(), defaultBranch);
                return commit;
            }
        } catch (IOException e) {
            throw failure(key, op, e, credsOrNull);
        }
    }

    /**
     * The default branch the last fetch found (from the remote's {@code HEAD}), such as
     * {@code main}, or null when the repository was never fetched into this root.
     *
     * @throws IllegalArgumentException when the key is not {@code owner/name} or {@code name}
     */
    public String defaultBranch(String repoKey) {
        RepoKey key = RepoKey.parse(repoKey);
        String known = defaultBranches.get(key.key());
        if (known != null) {
            return known;
        }
        Path dir = key.directory(root);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try (Repository repo = MirrorStore.open(dir)) {
            Ref head = repo.exactRef(Constants.HEAD);
            if (head == null || !head.isSymbolic() || head.getObjectId() == null) {
                return null;
            }
            return Repository.shortenRefName(head.getTarget().getName());
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Writes a commit's tree into an empty directory: regular files with their executable bit,
     * directories, and symbolic links whose target stays inside the tree. Links that lead out,
     * submodules and unsafe paths are left out. Nothing the repository controls runs.
     *
     * @param target an empty directory, or a path where one can be created
     * @return what was left out, each as "reason: path", in path order
     * @throws TreeTooLargeException when the tree is over the {@link TreeLimits} (nothing is written)
     * @throws GitException when the mirror or commit is missing or writing fails
     */
    public List<String> materialize(String repoKey, ObjectId commit, Path target) throws GitException {
        String op = "materialize";
        RepoKey key = key(repoKey, op);
        try (Repository repo = MirrorStore.open(existing(key, op));
             ObjectReader reader = repo.newObjectReader();
             RevWalk walk = new RevWalk(reader)) {
            RevCommit parsed = parseCommit(key, op, walk, commit);
            Path realTarget = emptyDirectory(key, op, target);
            return new TreeMaterializer(reader, treeLimits).write(parsed.getTree(), realTarget);
        } catch (TreeMaterializer.TooLarge e) {
            throw new TreeTooLargeException(key.key(), op, e.getMessage());
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
    }

    /**
     * Makes a commit on {@code base} whose tree is the base tree with exactly {@code changedPaths}
     * taken from the worktree (deleted where the worktree has no file). Author and committer are
     * {@code author}. Hooks never run; the mirror's refs are not moved.
     *
     * @param changedPaths slash-separated paths relative to the worktree
     * @return the new commit, stored in the mirror
     * @throws GitException when a path is unsafe or unreadable, or the base is missing
     */
    public ObjectId commit(String repoKey, ObjectId base, Path worktree, Collection<String> changedPaths,
                           String message, PersonIdent author) throws GitException {
        String op = "commit";
        RepoKey key = key(repoKey, op);
        try (Repository repo = MirrorStore.open(existing(key, op));
             ObjectReader reader = repo.newObjectReader();
             ObjectInserter inserter = repo.newObjectInserter();
             RevWalk walk = new RevWalk(reader)) {
            RevCommit parent = parseCommit(key, op, walk, base);
            ObjectId tree = new TreeOverlay(reader, inserter).write(parent.getTree(), worktree, changedPaths);
            CommitBuilder builder = new CommitBuilder();
            builder.setTreeId(tree);
            builder.setParentId(parent);
            builder.setAuthor(author);
            builder.setCommitter(author);
            builder.setEncoding(StandardCharsets.UTF_8);
            builder.setMessage(message);
            ObjectId id = inserter.insert(builder);
            inserter.flush();
            return id;
        } catch (IllegalArgumentException e) {
            throw new GitException(key.key(), op, e.getMessage(), e);
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
    }

    /**
     * Pushes a commit of the mirror to {@code refs/heads/<branch>} of a remote.
     *
     * @param url   where to push; used for this call only, and it may not carry a password
     * @param creds credentials for this call, or null for none
     * @param force whether a non-fast-forward update is allowed
     * @throws GitException when the push fails or the remote rejects the update (with its reason)
     */
    public void push(String repoKey, URI url, ObjectId commit, String branch, GitCredentials creds, boolean force)
            throws GitException {
        String op = "push";
        RepoKey key = key(repoKey, op);
        URIish uri = uri(key, op, url);
        checkBranch(key, op, branch);
        synchronized (lock(key)) {
            try (Repository repo = MirrorStore.open(existing(key, op))) {
                if (!repo.getObjectDatabase().has(commit)) {
                    throw new GitException(key.key(), op, "commit " + commit.name() + " is not in the mirror");
                }
                String refused = Remote.push(repo, uri, creds, commit, Constants.R_HEADS + branch, force);
                if (refused != null) {
                    throw new GitException(key.key(), op, refused);
                }
            } catch (IOException e) {
                throw failure(key, op, e, creds);
            }
        }
    }

    /**
     * The commit {@code branch} pointed at as of the last fetch, or empty when the mirror has no such branch.
     *
     * @throws GitException when the mirror is missing or unreadable
     */
    public Optional<ObjectId> branchHead(String repoKey, String branch) throws GitException {
        String op = "read branch " + branch;
        RepoKey key = key(repoKey, op);
        try (Repository repo = MirrorStore.open(existing(key, op))) {
            Ref ref = repo.exactRef(Constants.R_HEADS + branch);
            return ref == null ? Optional.empty() : Optional.ofNullable(ref.getObjectId());
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
    }

    /**
     * The author of the newest commit on {@code branch} as of the last fetch, or empty when the
     * mirror has no such branch. Lets a publisher see that someone else committed to its branch.
     *
     * @throws GitException when the mirror is missing or unreadable
     */
    public Optional<PersonIdent> branchAuthor(String repoKey, String branch) throws GitException {
        String op = "read branch " + branch;
        RepoKey key = key(repoKey, op);
        try (Repository repo = MirrorStore.open(existing(key, op)); RevWalk walk = new RevWalk(repo)) {
            Ref ref = repo.exactRef(Constants.R_HEADS + branch);
            if (ref == null || ref.getObjectId() == null) {
                return Optional.empty();
            }
            return Optional.of(walk.parseCommit(ref.getObjectId()).getAuthorIdent());
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
    }

    /**
     * A git-style unified diff ({@code diff --git a/... b/...} headers, three lines of context,
     * no rename detection) from one commit or tree to another.
     *
     * @throws GitException when the mirror or either object is missing
     */
    public String diff(String repoKey, ObjectId from, ObjectId to) throws GitException {
        String op = "diff";
        RepoKey key = key(repoKey, op);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Repository repo = MirrorStore.open(existing(key, op));
             DiffFormatter formatter = new DiffFormatter(out)) {
            formatter.setRepository(repo);
            formatter.setDetectRenames(false);
            formatter.format(from, to);
            formatter.flush();
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * What a branch changed since it left {@code target}: the diff from their merge base to {@code head}, as
     * {@link #diff} writes it (from {@code target} itself when they share no history).
     *
     * @throws GitException when the mirror or either commit is missing
     */
    public String changesSince(String repoKey, ObjectId target, ObjectId head) throws GitException {
        String op = "merge base";
        RepoKey key = key(repoKey, op);
        ObjectId from = target;
        try (Repository repo = MirrorStore.open(existing(key, op)); RevWalk walk = new RevWalk(repo)) {
            walk.setRevFilter(org.eclipse.jgit.revwalk.filter.RevFilter.MERGE_BASE);
            walk.markStart(walk.parseCommit(target));
            walk.markStart(walk.parseCommit(head));
            org.eclipse.jgit.revwalk.RevCommit base = walk.next();
            if (base != null) {
                from = base.getId();
            }
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
        return diff(repoKey, from, head);
    }

    /**
     * The commits reachable from {@code head} along first parents, newest first, that have exactly one parent and were
     * committed at or after {@code since}, each with the paths it changed; at most {@code limit} of them.
     *
     * @throws GitException when the mirror or the commit is missing
     */
    public List<CommitChange> history(String repoKey, ObjectId head, Instant since, int limit) throws GitException {
        String op = "history";
        RepoKey key = key(repoKey, op);
        List<CommitChange> changes = new ArrayList<>();
        try (Repository repo = MirrorStore.open(existing(key, op));
             RevWalk walk = new RevWalk(repo);
             DiffFormatter differ = new DiffFormatter(OutputStream.nullOutputStream())) {
            differ.setRepository(repo);
            differ.setDetectRenames(false);
            walk.setFirstParent(true);
            walk.markStart(parseCommit(key, op, walk, head));
            for (RevCommit commit : walk) {
                Instant time = Instant.ofEpochSecond(commit.getCommitTime());
                if (since != null && time.isBefore(since) || changes.size() >= limit) {
                    break;
                }
                if (commit.getParentCount() != 1) {
                    continue;
                }
                RevCommit parent = walk.parseCommit(commit.getParent(0));
                List<String> paths = new ArrayList<>();
                List<String> deleted = new ArrayList<>();
                for (DiffEntry entry : differ.scan(parent.getTree(), commit.getTree())) {
                    boolean delete = entry.getChangeType() == DiffEntry.ChangeType.DELETE;
                    paths.add(delete ? entry.getOldPath() : entry.getNewPath());
                    if (delete) {
                        deleted.add(entry.getOldPath());
                    }
                }
                paths.sort(null);
                deleted.sort(null);
                changes.add(new CommitChange(commit.copy(), parent.copy(), time, commit.getFullMessage(), paths,
                        deleted));
            }
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
        return changes;
    }

    /**
     * Points branch {@code branch} of the mirror at {@code commit}, creating or moving it: a replay of history starts
     * from a past commit by naming it as a branch the mirror (used as a remote) offers.
     *
     * @throws GitException when the name is not a valid branch, or the mirror or commit is missing
     */
    public void pinBranch(String repoKey, String branch, ObjectId commit) throws GitException {
        String op = "pin branch";
        RepoKey key = key(repoKey, op);
        checkBranch(key, op, branch);
        try (Repository repo = MirrorStore.open(existing(key, op)); RevWalk walk = new RevWalk(repo)) {
            parseCommit(key, op, walk, commit);
            RefUpdate update = repo.updateRef(Constants.R_HEADS + branch);
            update.setNewObjectId(commit);
            update.setForceUpdate(true);
            RefUpdate.Result result = update.update(walk);
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED
                    && result != RefUpdate.Result.NO_CHANGE && result != RefUpdate.Result.FAST_FORWARD) {
                throw new GitException(key.key(), op, "branch '" + branch + "' could not be set: " + result);
            }
        } catch (IOException e) {
            throw failure(key, op, e, null);
        }
    }

    private Object lock(RepoKey key) {
        return locks.computeIfAbsent(key.key(), k -> new Object());
    }

    private static RepoKey key(String repoKey, String op) throws GitException {
        try {
            return RepoKey.parse(repoKey);
        } catch (IllegalArgumentException e) {
            throw new GitException(String.valueOf(repoKey), op, e.getMessage(), e);
        }
    }

    private static URIish uri(RepoKey key, String op, URI url) throws GitException {
        if (url == null) {
            throw new GitException(key.key(), op, "no URL given");
        }
        String userInfo = url.getRawUserInfo();
        if (userInfo != null && userInfo.contains(":")) {
            throw new GitException(key.key(), op, "the URL carries a password; pass credentials separately");
        }
        try {
            return new URIish(url.toASCIIString());
        } catch (URISyntaxException e) {
            throw new GitException(key.key(), op, "the URL is not one git understands", e);
        }
    }

    private static void checkBranch(RepoKey key, String op, String branch) throws GitException {
        if (branch == null || !Repository.isValidRefName(Constants.R_HEADS + branch)) {
            throw new GitException(key.key(), op, "'" + branch + "' is not a valid branch name");
        }
    }

    private Path existing(RepoKey key, String op) throws GitException {
        Path dir = key.directory(root);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new GitException(key.key(), op, "the repository was never fetched into " + root);
        }
        return dir;
    }

    private static RevCommit parseCommit(RepoKey key, String op, RevWalk walk, ObjectId id)
            throws GitException, IOException {
        if (id == null) {
            throw new GitException(key.key(), op, "no commit given");
        }
        if (!walk.getObjectReader().has(id)) {
            throw new GitException(key.key(), op, "commit " + id.name() + " is not in the mirror");
        }
        return walk.parseCommit(id);
    }

    private static Path emptyDirectory(RepoKey key, String op, Path target) throws GitException, IOException {
        if (Files.isSymbolicLink(target)) {
            throw new GitException(key.key(), op, "target " + target + " is a symbolic link");
        }
        Files.createDirectories(target);
        try (Stream<Path> entries = Files.list(target)) {
            if (entries.findAny().isPresent()) {
                throw new GitException(key.key(), op, "target " + target + " is not empty");
            }
        }
        return target.toRealPath();
    }

    /** Wraps a failure; drops a cause whose text would show the password. */
    private static GitException failure(RepoKey key, String op, IOException e, GitCredentials creds) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (creds != null && creds.appearsIn(t.getMessage())) {
                return new GitException(key.key(), op, e.getClass().getSimpleName() + " (details withheld)");
            }
        }
        return new GitException(key.key(), op, detail, e);
    }
}
