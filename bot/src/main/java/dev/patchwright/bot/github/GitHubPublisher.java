package dev.patchwright.bot.github;

import dev.patchwright.bot.github.StatusComment;
import dev.patchwright.worker.git.GitCredentials;
import dev.patchwright.worker.git.GitException;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.solve.PublishException;
import dev.patchwright.worker.solve.Publisher;
import dev.patchwright.worker.solve.Revision;
import dev.patchwright.worker.solve.SolveReport;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
import io.quarkiverse.githubapp.GitHubClientProvider;
import io.quarkiverse.githubapp.InstallationTokenProvider;
import org.jboss.logging.Logger;
import org.kohsuke.github.GHCheckRun;
import org.kohsuke.github.GHCheckRunBuilder;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHPullRequestReviewComment;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.HttpException;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.PersonIdent;
import dev.patchwright.worker.solve.SolvePipeline;

/**
 * Publishes a solve on GitHub: pushes the patch to the bot's own branch, opens (or updates) the pull
 * request, requests review from whoever asked, and edits the status comment on the issue. Safe to run
 * twice: the branch is force-pushed (it belongs to the bot) and an open pull request is reused.
 */
public final class GitHubPublisher implements Publisher {

    /** The check run that carries a pull request's evidence. */
    public static final String CHECK_NAME = "Patchwright";

    private static final Logger LOG = Logger.getLogger(GitHubPublisher.class);

    private final GitHubClientProvider clients;
    private final InstallationTokenProvider tokens;
    private final RepoMirror mirror;
    private final long installationId;
    private final String triggeredBy;
    private final BotIdentity bot;

    public GitHubPublisher(GitHubClientProvider clients, InstallationTokenProvider tokens, RepoMirror mirror,
                           long installationId, String triggeredBy, BotIdentity bot) {
        this.bot = bot;
        this.clients = clients;
        this.tokens = tokens;
        this.mirror = mirror;
        this.installationId = installationId;
        this.triggeredBy = triggeredBy;
    }

    @Override
    public String publishSolution(SolveRequest request, SolveResult result) throws PublishException {
        if (request.revision() != null) {
            return publishRevision(request, result);
        }
        String branch = request.branchName();
        try {
            Optional<PersonIdent> last = mirror.branchAuthor(request.repoKey(), branch);
            if (last.isPresent() && !SolvePipeline.AUTHOR.getEmailAddress().equals(last.get().getEmailAddress())) {
                // The branch is the bot's, but a person committed to it: never lose their work silently.
                throw new PublishException("the branch " + branch + " has a commit by " + last.get().getName()
                        + " that Patchwright did not write, so it was not overwritten; merge or delete that branch, "
                        + "then add the label again", false, null);
            }
            GitCredentials credentials = new GitCredentials("x-access-token",
                    tokens.getInstallationToken(installationId).token().toCharArray());
            mirror.push(request.repoKey(), request.cloneUrl(), result.patchCommit(), branch, credentials, true);
        } catch (GitException e) {
            throw new PublishException("pushing " + branch + " failed: " + e.getMessage(), true, e);
        }
        try {
            GitHub github = clients.getInstallationClient(installationId);
            GHRepository repository = github.getRepository(request.repoKey());
            String owner = request.repoKey().substring(0, request.repoKey().indexOf('/'));
            String body = SolveReport.pullRequestBody(request, result);
            List<GHPullRequest> open = repository.queryPullRequests().head(owner + ":" + branch)
                    .state(GHIssueState.OPEN).list().toList();
            GHPullRequest pull;
            if (open.isEmpty()) {
                // A patch no failing test vouches for (accept: tests-pass) is offered as a draft, never as verified.
                pull = repository.createPullRequest(GitHubLimits.title("Fix #" + request.issueNumber() + ": "
                        + request.issueTitle().strip()), branch, result.baseBranch(), GitHubLimits.body(body), true,
                        !verified(result));
            } else {
                pull = open.get(0);
                pull.setBody(GitHubLimits.body(body));
            }
            requestReview(github, pull);
            checkRun(repository, result);
            GHIssue issue = repository.getIssue(request.issueNumber());
            StatusComment.upsert(issue, bot.login(), "Patchwright opened " + pull.getHtmlUrl()
                    + (verified(result) ? "" : " as a draft, since no test shows the issue fixed,") + " with candidate "
                    + result.winner().ordinal() + " of " + result.candidates().size() + " tried in "
                    + Math.max(1, result.rounds()) + " round" + (result.rounds() > 1 ? "s" : "") + ": "
                    + result.winner().reason() + "." + spendLine(result.spend()));
            return pull.getHtmlUrl().toString();
        } catch (IOException e) {
            throw new PublishException("opening the pull request failed: " + GitHubLimits.describe(e), retryable(e), e);
        }
    }

    /**
     * The evidence as a check run named "Patchwright" on the pushed commit: success when a test went from failing to
     * passing and nothing broke, neutral when the repository accepts passing tests alone.
     */
    /** Whether a test went from failing to passing with the winner. */
    private static boolean verified(SolveResult result) {
        return !result.winner().evidence().fixed().isEmpty();
    }

    private static void checkRun(GHRepository repository, SolveResult result) throws IOException {
        checkRun(repository, result, verified(result));
    }

    /** @param verified whether the evidence holds up: a test fixed, or for a revision every test still passing */
    private static void checkRun(GHRepository repository, SolveResult result, boolean verified) throws IOException {
        repository.createCheckRun(CHECK_NAME, result.patchCommit().name())
                .withStatus(GHCheckRun.Status.COMPLETED)
                .withConclusion(verified ? GHCheckRun.Conclusion.SUCCESS : GHCheckRun.Conclusion.NEUTRAL)
                .withCompletedAt(new java.util.Date())
                .add(new GHCheckRunBuilder.Output(GitHubLimits.title(SolveReport.checkTitle(result)),
                        GitHubLimits.checkOutput(SolveReport.checkSummary(result))))
                .create();
    }

    /**
     * A revision: a new commit on top of the pull request's head (never a force-push: when someone pushed meanwhile,
     * nothing is pushed and the threads say so), the check run on it, and a reply in each thread it answers.
     */
    private String publishRevision(SolveRequest request, SolveResult result) throws PublishException {
        Revision revision = request.revision();
        String branch = request.branchName();
        try {
            ObjectId now = mirror.fetch(request.repoKey(), request.cloneUrl(), request.credentials(), branch);
            if (!now.equals(result.baseCommit())) {
                throw new PublishException(pushedMeanwhile(branch, result.baseCommit(), now), false, null);
            }
            GitCredentials credentials = new GitCredentials("x-access-token",
                    tokens.getInstallationToken(installationId).token().toCharArray());
            // Not forced: a commit someone pushes between the check above and this push makes the push fail.
            mirror.push(request.repoKey(), request.cloneUrl(), result.patchCommit(), branch, credentials, false);
        } catch (GitException e) {
            throw new PublishException("pushing the revision to " + branch + " failed: " + e.getMessage()
                    + "; if someone pushed to the branch meanwhile, nothing of theirs was overwritten", true, e);
        }
        try {
            GitHub github = clients.getInstallationClient(installationId);
            GHRepository repository = github.getRepository(request.repoKey());
            GHPullRequest pull = repository.getPullRequest(revision.pullNumber());
            // A revision keeps the pull request's fix: its evidence is that every test still passes.
            checkRun(repository, result, true);
            String sha = result.patchCommit().name();
            String commit = "[" + sha.substring(0, 7) + "](" + repository.getHtmlUrl() + "/commit/" + sha + ")";
            String answer = "Changed in " + commit + " (" + files(result.winner().diff()) + "): "
                    + result.winner().reason() + "." + spendLine(result.spend());
            reply(pull, revision, answer);
            if (!revision.reviewer().isBlank() && !revision.reviewer().equals(bot.login())) {
                requestReview(github, pull, revision.reviewer());
            }
            StatusComment.upsert(repository.getIssue(request.issueNumber()), bot.login(), "Patchwright revised "
                    + pull.getHtmlUrl() + " for the review" + (revision.reviewer().isBlank() ? ""
                    : " by @" + revision.reviewer()) + ": " + commit + " answers " + answered(revision) + "."
                    + spendLine(result.spend()));
            return pull.getHtmlUrl().toString();
        } catch (IOException e) {
            throw new PublishException("answering the review failed: " + GitHubLimits.describe(e), retryable(e), e);
        }
    }

    static String pushedMeanwhile(String branch, ObjectId expected, ObjectId now) {
        return "someone pushed to " + branch + " while Patchwright worked on the review (it is now at "
                + now.name().substring(0, 7) + ", not " + expected.name().substring(0, 7) + "), so nothing was pushed "
                + "and nothing of theirs was overwritten; review the new commit and comment again to revise on top of it";
    }

    /** The files a diff changes, for one line of a reply. */
    static String files(String diff) {
        List<String> paths = SolveReport.DiffStat.of(diff).stream().map(stat -> "`" + stat.path() + "`").toList();
        return paths.isEmpty() ? "no file" : String.join(", ", paths);
    }

    private static String answered(Revision revision) {
        int threads = revision.threads().size();
        return (revision.reviewBody().isBlank() ? "" : "the review" + (threads > 0 ? " and " : ""))
                + (threads == 0 ? "" : threads + " thread" + (threads == 1 ? "" : "s"));
    }

    /**
     * Says {@code text} in each thread the revision answers, and on the pull request itself when the review had text
     * of its own. Each reply is its own request: one that fails (a thread deleted meanwhile) does not stop the others.
     */
    private void reply(GHPullRequest pull, Revision revision, String text) throws IOException {
        java.util.Set<Long> wanted = new java.util.HashSet<>();
        revision.threads().forEach(thread -> wanted.add(thread.replyTo()));
        int replied = 0;
        if (!wanted.isEmpty()) {
            for (GHPullRequestReviewComment comment : pull.listReviewComments()) {
                if (wanted.contains(comment.getId())) {
                    try {
                        comment.reply(GitHubLimits.body(text));
                        replied++;
                    } catch (IOException e) {
                        LOG.warnf("Could not reply in the thread of comment %d on %s: %s", comment.getId(),
                                pull.getHtmlUrl(), e.getMessage());
                    }
                }
            }
        }
        if (!revision.reviewBody().isBlank() || replied < wanted.size()) {
            pull.comment(GitHubLimits.body((revision.reviewer().isBlank() ? "" : "@" + revision.reviewer() + " ")
                    + text));
        }
    }

    @Override
    public String reportFailure(SolveRequest request, SolveResult result) throws PublishException {
        if (request.revision() != null) {
            try {
                GitHub github = clients.getInstallationClient(installationId);
                GHRepository repository = github.getRepository(request.repoKey());
                GHPullRequest pull = repository.getPullRequest(request.revision().pullNumber());
                String why = "No change was made: " + result.reason() + "." + spendLine(result.spend());
                reply(pull, request.revision(), why);
                return StatusComment.upsert(repository.getIssue(request.issueNumber()), bot.login(), "Patchwright did"
                        + " not revise " + pull.getHtmlUrl() + ": " + result.reason() + ".").getHtmlUrl().toString();
            } catch (IOException e) {
                throw new PublishException("answering the review failed: " + GitHubLimits.describe(e), retryable(e), e);
            }
        }
        try {
            GitHub github = clients.getInstallationClient(installationId);
            GHIssue issue = github.getRepository(request.repoKey()).getIssue(request.issueNumber());
            return StatusComment.upsert(issue, bot.login(), SolveReport.failureText(request, result)).getHtmlUrl().toString();
        } catch (IOException e) {
            throw new PublishException("commenting on the issue failed: " + GitHubLimits.describe(e), retryable(e), e);
        }
    }

    @Override
    public void reportProgress(SolveRequest request, String markdown) {
        try {
            GitHub github = clients.getInstallationClient(installationId);
            Revision revision = request.revision();
            String what = revision == null ? "Patchwright is working on this issue."
                    : "Patchwright is revising #" + revision.pullNumber() + " for the review"
                    + (revision.reviewer().isBlank() ? "" : " by @" + revision.reviewer()) + ".";
            StatusComment.upsert(github.getRepository(request.repoKey()).getIssue(request.issueNumber()), bot.login(),
                    what + "\n\n" + markdown);
        } catch (IOException | RuntimeException e) {
            // Progress is a courtesy: the verdict edits the same comment again at the end.
            LOG.warnf("Could not update the status comment of %s#%d: %s", request.repoKey(), request.issueNumber(),
                    e.getMessage());
        }
    }

    private static String spendLine(SolveResult.Spend spend) {
        if (!spend.known()) {
            return "";
        }
        return " It spent " + spend.spent() + (spend.repositoryLimit().isEmpty() ? "" : "; this repository has "
                + spend.repositoryLeft() + " left of its " + spend.repositoryLimit() + " budget this month") + ".";
    }

    /** Edits the status comment to say the work stopped, and why. */
    @Override
    public void reportStopped(SolveRequest request, String text) throws PublishException {
        try {
            GitHub github = clients.getInstallationClient(installationId);
            StatusComment.upsert(github.getRepository(request.repoKey()).getIssue(request.issueNumber()), bot.login(),
                    text);
        } catch (IOException e) {
            throw new PublishException("commenting on the issue failed: " + GitHubLimits.describe(e), retryable(e), e);
        }
    }

    private void requestReview(GitHub github, GHPullRequest pull) {
        if (triggeredBy != null) {
            requestReview(github, pull, triggeredBy);
        }
    }

    private static void requestReview(GitHub github, GHPullRequest pull, String login) {
        try {
            pull.requestReviewers(List.of(github.getUser(login)));
        } catch (IOException e) {
            // A review request is a courtesy: the pull request stands without it.
            LOG.warnf("Could not request review from %s on %s: %s", login, pull.getHtmlUrl(), e.getMessage());
        }
    }

    private static boolean retryable(IOException e) {
        if (e instanceof HttpException http) {
            int status = http.getResponseCode();
            return status == 403 || status == 429 || status >= 500 || status <= 0;
        }
        return true;
    }
}
