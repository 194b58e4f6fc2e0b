package dev.patchwright.worker.solve;

import dev.patchwright.worker.config.RepoConfig;
import dev.patchwright.worker.git.GitCredentials;

import java.net.URI;
import java.util.Objects;

/**
 * One issue to solve, in plain terms: no GitHub types reach the worker.
 *
 * @param repoKey     {@code owner/name}, names the mirror and the dependency cache
 * @param cloneUrl    where to fetch from (https, file, ...); never carries credentials
 * @param credentials installation token for fetch and push, or null for public or local repos
 * @param baseBranch  branch to start from, or null for the remote's default branch
 * @param issueNumber the issue's number (0 when there is none, as in a local {@code solve})
 * @param issueTitle  the issue's title
 * @param issueBody   the issue's text, untrusted
 * @param config      the repository's configuration, or null to read {@code .github/patchwright.yml}
 *                    from the base commit
 * @param revision    the review to answer on the bot's pull request, whose branch is then the base; null for a solve
 */
public record SolveRequest(String repoKey, URI cloneUrl, GitCredentials credentials, String baseBranch,
                           int issueNumber, String issueTitle, String issueBody, RepoConfig config,
                           Revision revision) {

    /** A request to solve an issue (no review to answer). */
    public SolveRequest(String repoKey, URI cloneUrl, GitCredentials credentials, String baseBranch, int issueNumber,
                        String issueTitle, String issueBody, RepoConfig config) {
        this(repoKey, cloneUrl, credentials, baseBranch, issueNumber, issueTitle, issueBody, config, null);
    }

    public SolveRequest {
        Objects.requireNonNull(repoKey, "repoKey");
        Objects.requireNonNull(cloneUrl, "cloneUrl");
        issueTitle = issueTitle == null ? "" : issueTitle;
        issueBody = issueBody == null ? "" : issueBody;
    }

    /**
     * The text the context is ranked by: the issue, and for a revision the review too, since the files it names
     * are the ones to open.
     */
    public String taskText() {
        return issueTitle + "\n\n" + issueBody + (revision == null ? "" : "\n\n" + revision.describe());
    }

    /** The branch the bot pushes its patch to. */
    public String branchName() {
        return branchFor(issueNumber);
    }

    /** The bot's branch for an issue. */
    public static String branchFor(int issueNumber) {
        return "patchwright/issue-" + issueNumber;
    }

    /** The same request with credentials for fetch and push. */
    public SolveRequest withCredentials(GitCredentials gitCredentials) {
        return new SolveRequest(repoKey, cloneUrl, gitCredentials, baseBranch, issueNumber, issueTitle, issueBody,
                config, revision);
    }

    /** The same request answering {@code review}. */
    public SolveRequest withRevision(Revision review) {
        return new SolveRequest(repoKey, cloneUrl, credentials, baseBranch, issueNumber, issueTitle, issueBody,
                config, review);
    }

    /** The same request with the repository configuration filled in. */
    public SolveRequest withConfig(RepoConfig repoConfig) {
        return new SolveRequest(repoKey, cloneUrl, credentials, baseBranch, issueNumber, issueTitle, issueBody,
                repoConfig, revision);
    }
}
