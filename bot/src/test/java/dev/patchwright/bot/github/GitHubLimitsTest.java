package dev.patchwright.bot.github;

import org.junit.jupiter.api.Test;
import org.kohsuke.github.HttpException;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

class GitHubLimitsTest {

    @Test
    void aTitleIsCutToGitHubsLimitWithoutSplittingACharacter() {
        String fits = "x".repeat(256);
        assertThat(GitHubLimits.title(fits)).isSameAs(fits);

        String emoji = "🐛".repeat(300); // two UTF-16 units each: GitHub counts characters
        String cut = GitHubLimits.title(emoji);
        assertThat(cut.codePointCount(0, cut.length())).isEqualTo(256);
        assertThat(cut).endsWith("🐛…");
    }

    @Test
    void aBodyIsCutToGitHubsLimitAndSaysSo() {
        String body = "line\n".repeat(20_000);
        String cut = GitHubLimits.body(body);
        assertThat(cut.length()).isEqualTo(65_536);
        assertThat(cut).startsWith("line\nline\n").endsWith("is kept by Patchwright.)*\n");
        assertThat(GitHubLimits.body("short")).isEqualTo("short");
    }

    @Test
    void gitHubsValidationErrorsBecomeASentence() {
        IOException refused = new HttpException("{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
                + "\"PullRequest\",\"code\":\"custom\",\"field\":\"title\",\"message\":\"title is too long (maximum is "
                + "256 characters)\"}],\"documentation_url\":\"https://docs.github.com/rest/pulls/pulls\","
                + "\"status\":\"422\"}", 422, "Unprocessable Entity", "https://api.github.com/repos/a/b/pulls");
        assertThat(GitHubLimits.describe(refused)).isEqualTo(
                "GitHub answered 422 (Validation Failed): title is too long (maximum is 256 characters)");

        IOException missing = new HttpException("{\"message\":\"Validation Failed\",\"errors\":[{\"resource\":"
                + "\"PullRequest\",\"code\":\"missing_field\",\"field\":\"head\"}]}", 422, "Unprocessable Entity", "u");
        assertThat(GitHubLimits.describe(missing)).isEqualTo("GitHub answered 422 (Validation Failed): head is missing field");

        assertThat(GitHubLimits.describe(new HttpException("<html>Bad gateway</html>\nmore", 502, "Bad Gateway", "u")))
                .isEqualTo("GitHub answered 502: <html>Bad gateway</html>");
        assertThat(GitHubLimits.describe(new IOException("connection reset"))).isEqualTo("connection reset");
    }
}
