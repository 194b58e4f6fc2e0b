package dev.patchwright.bot.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkiverse.githubapp.runtime.signing.PrivateKeyUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.kohsuke.github.GHAppInstallationToken;
import org.kohsuke.github.GHContent;
import org.kohsuke.github.GHFileNotFoundException;
import org.kohsuke.github.GHIssue;
import org.kohsuke.github.GHIssueComment;
import org.kohsuke.github.GHIssueState;
import org.kohsuke.github.GHPermissionType;
import org.kohsuke.github.GHPullRequest;
import org.kohsuke.github.GHRepository;
import org.kohsuke.github.GitHub;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.HttpException;
import org.kohsuke.github.ReactionContent;
import org.kohsuke.github.extras.HttpClientGitHubConnector;

/**
 * Drives the stand-in with github-api 1.330 over java.net.http, the client and connector the Quarkus
 * GitHub App extension uses, and checks every request and response against GitHub's description.
 */
class GitHubStandInIT {

    private static final AtomicInteger REPOS = new AtomicInteger();
    private static GitHubStandIn standIn;
    private static GitHubRestAudit audit;
    private static PrivateKey appKey;

    private String repoName;
    private int requestsBefore;

    @BeforeAll
    static void start() throws Exception {
        standIn = new GitHubStandIn(Path.of("target", "standin", "github-standin-it.jsonl"));
        audit = GitHubRestAudit.load();
        appKey = PrivateKeyUtil.loadKey(standIn.privateKeyPem());
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    @BeforeEach
    void repository() {
        repoName = "widget-" + REPOS.incrementAndGet();
        standIn.createRepo("octo-org", repoName, "main");
        standIn.commitFiles("octo-org", repoName, "main", Map.of(
                "README.md", "# Widget\n",
                ".github/patchwright.yml", "test: ./mvnw -q verify\n"), "Initial commit");
        standIn.addIssue("octo-org", repoName, 7, "Crash on empty input", "Steps: run with no input.", "alice");
        standIn.setPermission("octo-org", repoName, "alice", "write");
        requestsBefore = standIn.requests().size();
    }

    @AfterEach
    void everyRequestAndResponseIsDocumented() {
        List<RecordedRequest> made = standIn.requests().subList(requestsBefore, standIn.requests().size());
        List<String> violations = new ArrayList<>(audit.check(made));
        made.forEach(request -> violations.addAll(audit.checkResponse(request)));
        assertThat(violations).isEmpty();
    }

    private static GitHub appClient(String jwt) throws IOException {
        return new GitHubBuilder().withEndpoint(standIn.apiUrl()).withJwtToken(jwt)
                .withConnector(new HttpClientGitHubConnector()).build();
    }

    private static GHAppInstallationToken installationToken() throws IOException {
        return appClient(AppJwt.sign(appKey, standIn.appId())).getApp()
                .getInstallationById(standIn.installationId()).createToken().create();
    }

    private GHRepository repo() throws IOException {
        GitHub gitHub = new GitHubBuilder().withEndpoint(standIn.apiUrl())
                .withAppInstallationToken(installationToken().getToken())
                .withConnector(new HttpClientGitHubConnector()).build();
        return gitHub.getRepository("octo-org/" + repoName);
    }

    @Test
    void aJwtSignedWithTheAppKeyMintsAnHourLongInstallationToken() throws IOException {
        var app = appClient(AppJwt.sign(appKey, standIn.appId())).getApp();
        assertThat(app.getId()).isEqualTo(standIn.appId());
        assertThat(app.getSlug()).isEqualTo(GitHubStandIn.APP_SLUG);

        GHAppInstallationToken token = installationToken();

        assertThat(token.getToken()).matches("ghs_[A-Za-z0-9]{36}");
        assertThat(Duration.between(Instant.now(), token.getExpiresAt().toInstant()))
                .isBetween(Duration.ofMinutes(59), Duration.ofMinutes(61));
    }

    @Test
    void thePkcs1KeyGitHubHandsOutIsTheSameKey() throws Exception {
        PrivateKey pkcs1 = PrivateKeyUtil.loadKey(standIn.privateKeyPemPkcs1());

        assertThat(standIn.privateKeyPemPkcs1()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(pkcs1.getEncoded()).isEqualTo(appKey.getEncoded());
    }

    @Test
    void jwtsThatAreForgedExpiredOrForAnotherAppAreRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        PrivateKey stranger = generator.generateKeyPair().getPrivate();
        Instant now = Instant.now();
        List<String> refused = List.of(
                AppJwt.sign(stranger, standIn.appId()),
                AppJwt.sign(appKey, Long.toString(standIn.appId()), now.minusSeconds(900), now.minusSeconds(300)),
                AppJwt.sign(appKey, Long.toString(standIn.appId()), now, now.plusSeconds(3600)),
                AppJwt.sign(appKey, "999", now, now.plusSeconds(300)),
                installationToken().getToken());

        for (String jwt : refused) {
            assertThatThrownBy(() -> appClient(jwt).getApp())
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.getResponseCode()).isEqualTo(401));
        }
    }

    @Test
    void anInstallationTokenReadsTheRepositoryAndItsIssue() throws IOException {
        GHRepository repo = repo();
        GHIssue issue = repo.getIssue(7);

        assertThat(repo.getDefaultBranch()).isEqualTo("main");
        assertThat(repo.getHttpTransportUrl()).isEqualTo(standIn.cloneUrl("octo-org", repoName));
        assertThat(issue.getTitle()).isEqualTo("Crash on empty input");
        assertThat(issue.getBody()).isEqualTo("Steps: run with no input.");
        assertThat(issue.getUser().getLogin()).isEqualTo("alice");
        assertThat(issue.getState()).isEqualTo(GHIssueState.OPEN);
    }

    @Test
    void theBotCommentsThenEditsItsCommentInPlace() throws IOException {
        GHIssue issue = repo().getIssue(7);

        GHIssueComment comment = issue.comment("Working on it.");
        comment.update("Opened a pull request.");

        List<Map<String, Object>> comments = standIn.comments("octo-org", repoName, 7);
        assertThat(comments).singleElement().satisfies(c -> {
            assertThat(c.get("body")).isEqualTo("Opened a pull request.");
            assertThat(((Number) c.get("id")).longValue()).isEqualTo(comment.getId());
            assertThat(((Map<?, ?>) c.get("user")).get("login")).isEqualTo("patchwright[bot]");
        });
        assertThat(issue.getComments()).extracting(GHIssueComment::getBody).containsExactly("Opened a pull request.");
    }

    @Test
    void aReactionIsMadeOnceAndRepeatingItReturnsTheSameOne() throws IOException {
        GHIssue issue = repo().getIssue(7);

        long first = issue.createReaction(ReactionContent.EYES).getId();
        long again = issue.createReaction(ReactionContent.EYES).getId();

        assertThat(again).isEqualTo(first);
        assertThat(standIn.reactions("octo-org", repoName, 7)).containsExactly("eyes");
        assertThat(standIn.requests().subList(requestsBefore, standIn.requests().size()))
                .filteredOn(r -> r.path().endsWith("/reactions")).extracting(RecordedRequest::status)
                .containsExactly(201, 200);
    }

    @Test
    void fileContentIsReadAtARefAndAMissingFileIsNotFound() throws IOException {
        standIn.commitFiles("octo-org", repoName, "feature", Map.of("README.md", "# Widget, improved\n"), "Improve");
        GHRepository repo = repo();

        GHContent config = repo.getFileContent(".github/patchwright.yml", "main");
        GHContent readme = repo.getFileContent("README.md", "feature");

        assertThat(new String(config.read().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("test: ./mvnw -q verify\n");
        assertThat(new String(readme.read().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("# Widget, improved\n");
        assertThatThrownBy(() -> repo.getFileContent(".github/missing.yml", "main"))
                .isInstanceOf(GHFileNotFoundException.class);
    }

    @Test
    void permissionsFollowGitHubsLegacyRoles() throws IOException {
        standIn.setPermission("octo-org", repoName, "carol", "maintain");
        standIn.setPermission("octo-org", repoName, "dave", "triage");
        GHRepository repo = repo();

        assertThat(repo.getPermission("alice")).isEqualTo(GHPermissionType.WRITE);
        assertThat(repo.getPermission("carol")).isEqualTo(GHPermissionType.WRITE);
        assertThat(repo.getPermission("dave")).isEqualTo(GHPermissionType.READ);
        assertThat(repo.getPermission("octo-org")).isEqualTo(GHPermissionType.ADMIN);
        assertThat(repo.getPermission("mallory")).isEqualTo(GHPermissionType.READ);
        standIn.setPrivate("octo-org", repoName, true);
        assertThat(repo.getPermission("mallory")).isEqualTo(GHPermissionType.NONE);
    }

    @Test
    void aPullRequestIsOpenedOnceForAPushedBranchAndFoundByHead() throws IOException {
        String head = standIn.commitFiles("octo-org", repoName, "patchwright/issue-7",
                Map.of("src/Fix.java", "class Fix {}\n"), "Fix #7");
        GHRepository repo = repo();
        GHIssue issue = repo.getIssue(7);

        GHPullRequest pr = repo.createPullRequest("Fix crash on empty input", "patchwright/issue-7", "main",
                "Fixes #7", true, true);
        pr.requestReviewers(List.of(issue.getUser()));

        assertThat(pr.getNumber()).isEqualTo(8);
        assertThat(pr.isDraft()).isTrue();
        assertThat(pr.getHead().getSha()).isEqualTo(head);
        assertThat(pr.getBase().getRef()).isEqualTo("main");
        assertThat(repo.queryPullRequests().head("octo-org:patchwright/issue-7").state(GHIssueState.OPEN).list().toList())
                .extracting(GHPullRequest::getNumber).containsExactly(8);
        assertThat(repo.getPullRequest(8).getRequestedReviewers()).extracting(u -> u.getLogin()).containsExactly("alice");
        assertThat(standIn.pullRequests("octo-org", repoName)).singleElement()
                .satisfies(p -> assertThat(p.get("body")).isEqualTo("Fixes #7"));
        assertThatThrownBy(() -> repo.createPullRequest("Again", "patchwright/issue-7", "main", "Fixes #7"))
                .isInstanceOfSatisfying(HttpException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("A pull request already exists for octo-org:patchwright/issue-7.");
                });
        assertThatThrownBy(() -> repo.createPullRequest("Ghost", "patchwright/issue-99", "main", ""))
                .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.getResponseCode()).isEqualTo(422));
        assertThatThrownBy(() -> pr.requestReviewers(List.of(pr.getUser())))
                .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.getResponseCode()).isEqualTo(422));
    }

    @Test
    void expiredTokensAreRefused() throws IOException {
        GHRepository repo = repo();
        standIn.expireTokens();

        assertThatThrownBy(() -> repo.getIssue(7))
                .isInstanceOfSatisfying(HttpException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(401);
                    assertThat(e.getMessage()).contains("Bad credentials");
                });
    }
}
