package dev.patchwright.bot.standin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quarkiverse.githubapp.runtime.signing.PrivateKeyUtil;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.kohsuke.github.GitHubBuilder;
import org.kohsuke.github.extras.HttpClientGitHubConnector;

/** JGit clones and pushes over the stand-in's smart HTTP with an installation token, and is refused without. */
class GitOverHttpIT {

    private static GitHubStandIn standIn;
    private static String token;

    @BeforeAll
    static void start() throws Exception {
        standIn = new GitHubStandIn(Path.of("target", "standin", "git-over-http-it.jsonl"));
        standIn.createRepo("octo-org", "widget", "main");
        standIn.commitFiles("octo-org", "widget", "main", Map.of("README.md", "# Widget\n"), "Initial commit");
        String jwt = AppJwt.sign(PrivateKeyUtil.loadKey(standIn.privateKeyPem()), standIn.appId());
        token = new GitHubBuilder().withEndpoint(standIn.apiUrl()).withJwtToken(jwt)
                .withConnector(new HttpClientGitHubConnector()).build()
                .getApp().getInstallationById(standIn.installationId()).createToken().create().getToken();
    }

    @AfterAll
    static void stop() {
        standIn.close();
    }

    private static UsernamePasswordCredentialsProvider credentials(String password) {
        return new UsernamePasswordCredentialsProvider("x-access-token", password);
    }

    @Test
    void aCloneWithTheTokenGetsTheFilesAndAPushLandsInTheRepository(@TempDir Path work) throws Exception {
        try (Git git = Git.cloneRepository().setURI(standIn.cloneUrl("octo-org", "widget"))
                .setCredentialsProvider(credentials(token)).setDirectory(work.toFile()).call()) {
            assertThat(Files.readString(work.resolve("README.md"))).isEqualTo("# Widget\n");

            Files.writeString(work.resolve("README.md"), "# Widget\n\nFixed.\n");
            git.checkout().setCreateBranch(true).setName("patchwright/issue-7").call();
            git.add().addFilepattern("README.md").call();
            String sha = git.commit().setMessage("Fix #7").setAuthor("bot", "bot@example.invalid")
                    .setCommitter("bot", "bot@example.invalid").setSign(false).call().name();
            Iterable<PushResult> results = git.push().setRemote("origin").add("patchwright/issue-7")
                    .setCredentialsProvider(credentials(token)).call();

            for (PushResult result : results) {
                assertThat(result.getRemoteUpdates()).extracting(RemoteRefUpdate::getStatus)
                        .containsOnly(RemoteRefUpdate.Status.OK);
            }
            assertThat(standIn.branchSha("octo-org", "widget", "patchwright/issue-7")).contains(sha);
            assertThat(standIn.readFile("octo-org", "widget", "patchwright/issue-7", "README.md"))
                    .contains("# Widget\n\nFixed.\n");
        }
    }

    @Test
    void aCloneWithoutTheTokenOrWithAWrongOneIsRefused(@TempDir Path work) {
        assertThatThrownBy(() -> Git.cloneRepository().setURI(standIn.cloneUrl("octo-org", "widget"))
                .setDirectory(work.resolve("anonymous").toFile()).call())
                .isInstanceOf(TransportException.class).hasMessageContaining("Authentication is required");
        assertThatThrownBy(() -> Git.cloneRepository().setURI(standIn.cloneUrl("octo-org", "widget"))
                .setCredentialsProvider(credentials("ghs_notAValidTokenAtAll000000000000000"))
                .setDirectory(work.resolve("wrong").toFile()).call())
                .isInstanceOf(TransportException.class).hasMessageContaining("not authorized");
    }

    @Test
    void aPushWithAWrongTokenIsRefusedAndChangesNothing(@TempDir Path work) throws Exception {
        String before = standIn.branchSha("octo-org", "widget", "main").orElseThrow();
        try (Git git = Git.cloneRepository().setURI(standIn.cloneUrl("octo-org", "widget"))
                .setCredentialsProvider(credentials(token)).setDirectory(work.toFile()).call()) {
            Files.writeString(work.resolve("EVIL.md"), "nope\n");
            git.add().addFilepattern("EVIL.md").call();
            git.commit().setMessage("Sneak in").setAuthor("x", "x@example.invalid")
                    .setCommitter("x", "x@example.invalid").setSign(false).call();

            assertThatThrownBy(() -> git.push().setRemote("origin")
                    .setCredentialsProvider(credentials("ghs_notAValidTokenAtAll000000000000000")).call())
                    .isInstanceOf(TransportException.class);
        }
        assertThat(standIn.branchSha("octo-org", "widget", "main")).contains(before);
    }

    @Test
    void smartHttpAnswersABasicChallengeAndServesRefsToTheTokenHolder() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI refs = URI.create(standIn.cloneUrl("octo-org", "widget") + "/info/refs?service=git-upload-pack");

        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(refs).build(), HttpResponse.BodyHandlers.ofString());
        String basic = "Basic " + Base64.getEncoder().encodeToString(("x-access-token:" + token).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> authorized = http.send(HttpRequest.newBuilder(refs).header("Authorization", basic).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(standIn.cloneUrl("octo-org", "ghost")
                + "/info/refs?service=git-upload-pack")).header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Basic realm=\"GitHub\"");
        assertThat(authorized.statusCode()).isEqualTo(200);
        assertThat(authorized.headers().firstValue("Content-Type")).contains("application/x-git-upload-pack-advertisement");
        assertThat(authorized.body()).contains("# service=git-upload-pack").contains("refs/heads/main");
        assertThat(unknown.statusCode()).isEqualTo(404);
    }
}
