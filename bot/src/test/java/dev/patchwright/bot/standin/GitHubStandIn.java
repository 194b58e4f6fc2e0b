package dev.patchwright.bot.standin;

import com.fasterxml.jackson.core.type.TypeReference;
import io.undertow.Undertow;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.ObjectId;

/**
 * A local stand-in for GitHub, for end-to-end tests of the real bot: one Undertow server on 127.0.0.1
 * (random port) serving git smart HTTP at {@code /{owner}/{repo}.git} over bare repositories in a
 * temporary folder, and the REST operations the bot uses under {@code /api/v3}, the prefix of GitHub
 * Enterprise Server. One app with one installation covering every repository; its installation tokens
 * (from a JWT signed with {@link #privateKeyPem()}) open both git and REST. Every REST request is
 * journaled as a JSON line in the file given to the constructor, for {@link GitHubRestAudit}.
 *
 * <p>The bot reaches it with {@code quarkus.github-app.instance-endpoint=}{@link #apiUrl()},
 * {@code quarkus.github-app.app-id=}{@link #appId()} and {@code quarkus.github-app.private-key=}
 * {@link #privateKeyPem()}; webhooks name installation {@link #installationId()}.
 */
public final class GitHubStandIn implements AutoCloseable {

    /** The app's slug; its comments and pull requests are authored by {@code patchwright[bot]}. */
    public static final String APP_SLUG = "patchwright";

    private static final long APP_ID = 424_242;
    private static final long INSTALLATION_ID = 31_337_001;

    private final GitHubState state;
    private final RequestJournal journal;
    private final Path storage;
    private final DeploymentManager deployment;
    private final Undertow server;
    private final String baseUrl;

    /**
     * Starts the stand-in.
     *
     * @param requestLog the JSONL file for the REST requests; created (or emptied) now
     * @throws UncheckedIOException when the storage folder or the journal cannot be created
     * @throws IllegalStateException when the server cannot start
     */
    public GitHubStandIn(Path requestLog) {
        this.state = new GitHubState(Clock.systemUTC(), APP_ID, INSTALLATION_ID, APP_SLUG);
        this.journal = new RequestJournal(requestLog);
        try {
            this.storage = Files.createTempDirectory("github-stand-in");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the stand-in's storage folder", e);
        }
        GitServlet git = new GitServlet();
        git.setRepositoryResolver((request, name) -> {
            HostedRepository repo;
            synchronized (state) {
                repo = name.endsWith(".git") ? state.repos.get(name.substring(0, name.length() - 4)) : null;
            }
            if (repo == null) {
                throw new RepositoryNotFoundException(name);
            }
            try {
                return repo.git.open();
            } catch (IOException e) {
                throw new RepositoryNotFoundException(name, e);
            }
        });
        deployment = Servlets.defaultContainer().addDeployment(Servlets.deployment()
                .setClassLoader(GitHubStandIn.class.getClassLoader())
                .setContextPath("")
                .setDeploymentName("github-stand-in")
                .addServlet(Servlets.servlet("rest", RestApi.class,
                        new ImmediateInstanceFactory<>(new RestApi(state, journal))).addMapping(RestApi.PREFIX + "/*"))
                .addServlet(Servlets.servlet("git", GitServlet.class, new ImmediateInstanceFactory<>(git)).addMapping("/*"))
                .addFilter(Servlets.filter("git-access", GitAccessFilter.class,
                        new ImmediateInstanceFactory<>(new GitAccessFilter(state.credentials))))
                .addFilterServletNameMapping("git-access", "git", DispatcherType.REQUEST));
        deployment.deploy();
        try {
            server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(deployment.start()).build();
        } catch (ServletException e) {
            throw new IllegalStateException("the stand-in's servlets failed to start", e);
        }
        server.start();
        InetSocketAddress address = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        baseUrl = "http://127.0.0.1:" + address.getPort();
        state.bodies.baseUrl(baseUrl);
    }

    /** The REST endpoint, for {@code quarkus.github-app.instance-endpoint}: {@code http://127.0.0.1:PORT/api/v3}. */
    public String apiUrl() {
        return baseUrl + RestApi.PREFIX;
    }

    /** The web and git root, {@code http://127.0.0.1:PORT}. */
    public String baseUrl() {
        return baseUrl;
    }

    public long appId() {
        return APP_ID;
    }

    public long installationId() {
        return INSTALLATION_ID;
    }

    /** The login of the app's bot user, {@code patchwright[bot]}. */
    public String botLogin() {
        return state.bodies.botLogin();
    }

    /** The app's private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}); quarkus-github-app 2.13.0 reads it. */
    public String privateKeyPem() {
        return state.credentials.privateKeyPkcs8Pem();
    }

    /** The same key as PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}), the format of the file GitHub hands out. */
    public String privateKeyPemPkcs1() {
        return state.credentials.privateKeyPkcs1Pem();
    }

    /** The {@code X-Hub-Signature-256} value GitHub sends with a webhook body: {@code sha256=<hex HMAC>}. */
    public static String signature(String secret, byte[] body) {
        return AppCredentials.signature(secret, body);
    }

    /**
     * Creates an empty public bare repository served at {@link #cloneUrl}.
     *
     * @return the bare repository's folder
     * @throws IllegalArgumentException when the repository exists already
     */
    public Path createRepo(String owner, String name, String defaultBranch) {
        synchronized (state) {
            if (state.repos.containsKey(owner + "/" + name)) {
                throw new IllegalArgumentException("repository " + owner + "/" + name + " exists already");
            }
            Path dir = storage.resolve(owner).resolve(name + ".git");
            HostedRepository repo = new HostedRepository(state.nextId(), owner, name,
                    BareRepository.create(dir, defaultBranch), state.clock.instant());
            state.repos.put(owner + "/" + name, repo);
            return dir;
        }
    }

    /**
     * Holds the next REST request {@code METHOD path} (e.g. {@code GET /repos/o/r/collaborators/u/permission}) until
     * the returned hold is released; then it is answered as usual.
     */
    public Hold holdNext(String method, String path) {
        Hold hold = new Hold(method + " " + path);
        state.holds.put(method + " " + path, hold);
        return hold;
    }

    /** Makes a repository private (users without a role then get {@code none}) or public. */
    public void setPrivate(String owner, String name, boolean isPrivate) {
        synchronized (state) {
            state.repo(owner, name).isPrivate = isPrivate;
        }
    }

    /**
     * Commits files onto a branch (created when missing) directly in the bare repository.
     *
     * @param files path to UTF-8 content; a null content deletes the path
     * @return the new commit's id, hex
     */
    public String commitFiles(String owner, String name, String branch, Map<String, String> files, String message) {
        BareRepository git;
        synchronized (state) {
            git = state.repo(owner, name).git;
        }
        return git.commitFiles(branch, files, message).name();
    }

    /** The commit a branch points at, hex; empty when the branch does not exist. */
    public Optional<String> branchSha(String owner, String name, String branch) {
        BareRepository git;
        synchronized (state) {
            git = state.repo(owner, name).git;
        }
        return git.branch(branch).map(ObjectId::name);
    }

    /** A file's UTF-8 text at a branch, tag or commit; empty when the ref or the file is missing. */
    public Optional<String> readFile(String owner, String name, String ref, String path) {
        BareRepository git;
        synchronized (state) {
            git = state.repo(owner, name).git;
        }
        return git.commit(ref).flatMap(commit -> git.read(commit, path))
                .filter(entry -> entry.data() != null && entry.children() == null)
                .map(entry -> new String(entry.data(), StandardCharsets.UTF_8));
    }

    /** The HTTPS-style clone URL GitHub reports as {@code clone_url}: {@code http://127.0.0.1:PORT/owner/name.git}. */
    public String cloneUrl(String owner, String name) {
        return baseUrl + "/" + owner + "/" + name + ".git";
    }

    /** Opens an issue as {@code authorLogin}; its number must be unused. */
    public void addIssue(String owner, String name, int number, String title, String body, String authorLogin) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            if (repo.issues.containsKey(number)) {
                throw new IllegalArgumentException("issue #" + number + " exists already in " + owner + "/" + name);
            }
            HostedRepository.Issue issue = new HostedRepository.Issue();
            issue.id = state.nextId();
            issue.number = number;
            issue.title = title;
            issue.body = body;
            issue.author = authorLogin;
            issue.createdAt = state.clock.instant();
            issue.updatedAt = issue.createdAt;
            repo.issues.put(number, issue);
        }
    }

    /**
     * Grants a role: {@code admin}, {@code maintain}, {@code write}, {@code triage}, {@code read} or
     * {@code none}.
     *
     * @throws IllegalArgumentException for any other role
     */
    public void setPermission(String owner, String name, String login, String permission) {
        if (!List.of("admin", "maintain", "write", "triage", "read", "none").contains(permission)) {
            throw new IllegalArgumentException("unknown permission '" + permission
                    + "'; use admin, maintain, write, triage, read or none");
        }
        synchronized (state) {
            state.repo(owner, name).roles.put(login, permission);
        }
    }

    /** The comments on an issue or pull request, oldest first, as GitHub's REST API shows them. */
    public List<Map<String, Object>> comments(String owner, String name, int issue) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            return repo.comments.stream().filter(c -> c.issue == issue)
                    .map(c -> asMap(state.bodies.comment(repo, c))).toList();
        }
    }

    /** One comment on a line of a pull request's diff, for {@link #addReview}. */
    public record LineComment(String path, int line, String diffHunk, String body) {
    }

    /** A submitted review: its id and the ids of its comments, in order. */
    public record Review(long id, List<Long> commentIds) {
    }

    /**
     * Submits a review with line comments on a pull request as {@code authorLogin}, at the head of its branch, as a
     * person would in the browser (a lone line comment is a review with one comment on GitHub too).
     */
    public Review addReview(String owner, String name, int pull, String authorLogin, List<LineComment> comments) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            HostedRepository.Issue issue = repo.issues.get(pull);
            if (issue == null || issue.pull == null) {
                throw new IllegalArgumentException("no pull request #" + pull + " in " + owner + "/" + name);
            }
            String head = repo.git.branch(issue.pull.head).orElseThrow().name();
            long reviewId = state.nextId();
            List<Long> ids = new ArrayList<>();
            for (LineComment line : comments) {
                HostedRepository.ReviewComment comment = new HostedRepository.ReviewComment();
                comment.id = state.nextId();
                comment.pull = pull;
                comment.reviewId = reviewId;
                comment.author = authorLogin;
                comment.body = line.body();
                comment.path = line.path();
                comment.line = line.line();
                comment.diffHunk = line.diffHunk();
                comment.commitId = head;
                comment.createdAt = state.clock.instant();
                comment.updatedAt = comment.createdAt;
                repo.reviewComments.add(comment);
                ids.add(comment.id);
            }
            return new Review(reviewId, ids);
        }
    }

    /** The review comments of a pull request, oldest first, as {@code GET /pulls/{n}/comments} shows them. */
    public List<Map<String, Object>> reviewComments(String owner, String name, int pull) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            return repo.reviewComments.stream().filter(c -> c.pull == pull)
                    .map(c -> asMap(state.bodies.reviewComment(repo, c))).toList();
        }
    }

    /** Every pull request, lowest number first, as GitHub's {@code GET /pulls/{n}} shows it. */
    public List<Map<String, Object>> pullRequests(String owner, String name) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            return repo.issues.values().stream().filter(issue -> issue.pull != null)
                    .map(issue -> asMap(state.issueBodies.pull(repo, issue))).toList();
        }
    }

    /** The check runs on a commit, oldest first, as GitHub's {@code GET /commits/{ref}/check-runs} shows them. */
    public List<Map<String, Object>> checkRuns(String owner, String name, String sha) {
        synchronized (state) {
            return state.repo(owner, name).checkRuns.stream().filter(run -> run.path("head_sha").asText().equals(sha))
                    .map(GitHubStandIn::asMap).toList();
        }
    }

    /**
     * Posts a comment on an issue or pull request as {@code authorLogin}, as a person would in the browser.
     *
     * @return the comment's id, for the {@code issue_comment} delivery that tells the bot about it
     */
    public long addComment(String owner, String name, int issue, String authorLogin, String body) {
        synchronized (state) {
            HostedRepository repo = state.repo(owner, name);
            if (!repo.issues.containsKey(issue)) {
                throw new IllegalArgumentException("no issue #" + issue + " in " + owner + "/" + name);
            }
            HostedRepository.Comment comment = new HostedRepository.Comment();
            comment.id = state.nextId();
            comment.issue = issue;
            comment.author = authorLogin;
            comment.body = body;
            comment.createdAt = state.clock.instant();
            comment.updatedAt = comment.createdAt;
            repo.comments.add(comment);
            return comment.id;
        }
    }

    /** Makes {@code login} an active member of the team {@code org/teamSlug}. */
    public void addTeamMember(String org, String teamSlug, String login) {
        synchronized (state) {
            state.teams.computeIfAbsent(org + "/" + teamSlug, k -> new java.util.HashSet<>()).add(login);
        }
    }

    /** The reaction contents on one issue comment, in the order they were made. */
    public List<String> commentReactions(String owner, String name, long commentId) {
        synchronized (state) {
            return state.repo(owner, name).commentReactions.getOrDefault(commentId, List.of()).stream()
                    .map(HostedRepository.Reaction::content).toList();
        }
    }

    /** The reaction contents on an issue ({@code eyes}, {@code +1}, ...), in the order they were made. */
    public List<String> reactions(String owner, String name, int issue) {
        synchronized (state) {
            return state.repo(owner, name).reactions.stream().filter(r -> r.issue() == issue)
                    .map(HostedRepository.Reaction::content).toList();
        }
    }

    /** Every REST request answered so far, in order. */
    public List<RecordedRequest> requests() {
        return journal.requests();
    }

    /** Refuses the next {@code calls} repository calls as GitHub does when the rate limit is spent. */
    public void exhaustRateLimit(int calls) {
        state.rateLimitedCalls.set(calls);
    }

    /** Invalidates every installation token minted so far, as if they had run out. */
    public void expireTokens() {
        state.credentials.expireTokens();
    }

    private static Map<String, Object> asMap(Object node) {
        return GitHubBodies.JSON.convertValue(node, new TypeReference<Map<String, Object>>() {});
    }

    /** Stops the server and deletes the repositories. */
    @Override
    public void close() {
        state.holds.values().forEach(Hold::release);
        server.stop();
        try {
            deployment.stop();
        } catch (ServletException e) {
            throw new IllegalStateException("the stand-in's servlets failed to stop", e);
        } finally {
            deployment.undeploy();
            deleteStorage();
        }
    }

    private void deleteStorage() {
        try (Stream<Path> paths = Files.walk(storage)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the stand-in's storage " + storage, e);
        }
    }
}
