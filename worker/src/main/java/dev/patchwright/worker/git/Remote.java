package dev.patchwright.worker.git;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.FetchResult;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TrackingRefUpdate;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;

/**
 * Fetch and push through JGit's {@link Transport} directly: no remote is written to the config,
 * and unlike the porcelain commands, no pre-push hook is ever looked up.
 */
final class Remote {

    private static final RefSpec ALL_BRANCHES = new RefSpec("+refs/heads/*:refs/heads/*");
    // Seconds without progress before a network read or write gives up.
    private static final int TIMEOUT_SECONDS = 300;

    private Remote() {
    }

    /**
     * Mirrors the remote's branches (pruning deleted ones), points the mirror's HEAD at the
     * remote's default branch, and returns that branch's short name.
     */
    static String fetch(Repository repo, URIish uri, GitCredentials creds) throws IOException {
        UsernamePasswordCredentialsProvider provider = creds == null ? null : creds.provider();
        FetchResult result;
        try (Transport transport = Transport.open(repo, uri)) {
            if (provider != null) {
                transport.setCredentialsProvider(provider);
            }
            transport.setTimeout(TIMEOUT_SECONDS);
            transport.setTagOpt(TagOpt.NO_TAGS);
            transport.setRemoveDeletedRefs(true);
            result = transport.fetch(NullProgressMonitor.INSTANCE, List.of(ALL_BRANCHES));
        } finally {
            if (provider != null) {
                provider.clear();
            }
        }
        // JGit writes the URL into FETCH_HEAD; the mirror keeps no URL, and nothing reads the file.
        Files.deleteIfExists(repo.getDirectory().toPath().resolve("FETCH_HEAD"));
        for (TrackingRefUpdate update : result.getTrackingRefUpdates()) {
            switch (update.getResult()) {
                case LOCK_FAILURE, IO_FAILURE, REJECTED, REJECTED_CURRENT_BRANCH, REJECTED_MISSING_OBJECT,
                        REJECTED_OTHER_REASON -> throw new IOException(
                        "could not update " + update.getLocalName() + ": " + update.getResult());
                default -> { }
            }
        }
        String branch = defaultBranch(result);
        Ref head = repo.exactRef(Constants.HEAD);
        String target = Constants.R_HEADS + branch;
        if (head == null || !head.isSymbolic() || !head.getTarget().getName().equals(target)) {
            RefUpdate link = repo.updateRef(Constants.HEAD);
            link.disableRefLog();
            RefUpdate.Result linked = link.link(target);
            if (linked != RefUpdate.Result.NEW && linked != RefUpdate.Result.FORCED
                    && linked != RefUpdate.Result.NO_CHANGE) {
                throw new IOException("could not point HEAD at " + target + ": " + linked);
            }
        }
        return branch;
    }

    /**
     * The remote's default branch: what its HEAD names, else the branch HEAD's commit matches,
     * else {@code main}, {@code master} or the only branch there is.
     */
    private static String defaultBranch(FetchResult result) throws IOException {
        Map<String, ObjectId> branches = new TreeMap<>();
        for (Ref ref : result.getAdvertisedRefs()) {
            if (ref.getName().startsWith(Constants.R_HEADS) && ref.getObjectId() != null) {
                branches.put(Repository.shortenRefName(ref.getName()), ref.getObjectId());
            }
        }
        if (branches.isEmpty()) {
            throw new IOException("the remote has no branches");
        }
        Ref head = result.getAdvertisedRef(Constants.HEAD);
        if (head != null && head.isSymbolic()) {
            String named = Repository.shortenRefName(head.getTarget().getName());
            if (branches.containsKey(named)) {
                return named;
            }
        }
        List<String> candidates = branches.keySet().stream()
                .filter(b -> head == null || head.getObjectId() == null || branches.get(b).equals(head.getObjectId()))
                .toList();
        for (String preferred : List.of("main", "master")) {
            if (candidates.contains(preferred)) {
                return preferred;
            }
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        throw new IOException("cannot tell the remote's default branch among " + branches.keySet());
    }

    /** Pushes one commit to one ref; returns null on success, else why the remote refused. */
    static String push(Repository repo, URIish uri, GitCredentials creds, ObjectId commit, String ref,
                       boolean force) throws IOException {
        UsernamePasswordCredentialsProvider provider = creds == null ? null : creds.provider();
        try (Transport transport = Transport.open(repo, uri)) {
            if (provider != null) {
                transport.setCredentialsProvider(provider);
            }
            transport.setTimeout(TIMEOUT_SECONDS);
            RemoteRefUpdate update = new RemoteRefUpdate(repo, null, commit, ref, force, null, null);
            PushResult result = transport.push(NullProgressMonitor.INSTANCE, List.of(update));
            RemoteRefUpdate done = result.getRemoteUpdate(ref);
            RemoteRefUpdate.Status status = done == null ? null : done.getStatus();
            if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
                return null;
            }
            String reason = done == null || done.getMessage() == null ? "" : " (" + done.getMessage() + ")";
            return "the remote did not update " + ref + ": " + status + reason;
        } finally {
            if (provider != null) {
                provider.clear();
            }
        }
    }
}
