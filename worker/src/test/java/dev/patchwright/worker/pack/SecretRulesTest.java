package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * One test per credential format of {@link SecretRules} (and the URL passwords the scanner finds
 * itself): a credential as it appears in code or in a test's output is redacted to its kind, and a
 * near miss that is ordinary text is left alone. Credentials are built from parts so that this file
 * never holds a whole one.
 */
class SecretRulesTest {

    private static final String ALNUM = "Zq8Xv2Lm4Np6Rt0Yw3Bc5Df7Gh9Jk1";

    private static String redacted(String text) {
        return SecretScanner.scan(text).text();
    }

    private static void assertRedacted(String before, String secret, String after, String kind) {
        assertThat(redacted(before + secret + after)).isEqualTo(before + "[REDACTED " + kind + "]" + after);
    }

    @Test
    void openAiProjectServiceAccountAndUserKeys() {
        String project = "sk-" + "proj-" + ALNUM + ALNUM + "_-" + ALNUM;
        assertRedacted("OPENAI_API_KEY=", project, "\n", "openai-api-key");
        assertRedacted("client = OpenAI(api_key=\"", "sk-" + "svcacct-" + ALNUM + ALNUM, "\")", "openai-api-key");
        assertRedacted("Incorrect API key provided: ", "sk-" + ALNUM + "T3BlbkFJ" + "abcdefghij", ".", "openai-api-key");
        assertThat(redacted("String prefix = \"sk-\" + name; // sk-learn, disk-io")).isEqualTo(
                "String prefix = \"sk-\" + name; // sk-learn, disk-io");
    }

    @Test
    void anthropicKeys() {
        assertRedacted("export ANTHROPIC_API_KEY=", "sk-" + "ant-api03-" + ALNUM + ALNUM + ALNUM + "-AA", "\n",
                "anthropic-api-key");
        assertThat(redacted("the sk-ant- prefix")).isEqualTo("the sk-ant- prefix");
    }

    @Test
    void stripeLiveAndRestrictedKeys() {
        assertRedacted("Stripe.apiKey = \"", "sk_" + "live_" + ALNUM, "\";", "stripe-key");
        assertRedacted("key: ", "rk_" + "live_" + ALNUM, "\n", "stripe-key");
        assertThat(redacted("mask_live_view = true;")).isEqualTo("mask_live_view = true;");
    }

    @Test
    void googleApiKeys() {
        assertRedacted("<meta name=\"maps-key\" content=\"", "AIza" + "Sy" + ALNUM + "abc", "\">", "google-api-key");
        assertThat(redacted("AIzaShortValue")).isEqualTo("AIzaShortValue");
    }

    @Test
    void gitlabPersonalAccessTokens() {
        assertRedacted("git clone https://oauth2:", "glpat-" + "xY3_kL9-mN2pQ8rS5tV1", "@gitlab.com/x.git",
                "gitlab-token");
        assertThat(redacted("glpat-short")).isEqualTo("glpat-short");
    }

    @Test
    void npmTokens() {
        assertRedacted("//registry.npmjs.org/:_authToken=", "npm_" + ALNUM + "abcdef", "\n", "npm-token");
        assertThat(redacted("run npm_config_cache=/tmp npm test")).isEqualTo("run npm_config_cache=/tmp npm test");
    }

    @Test
    void jsonWebTokens() {
        String jwt = "eyJ" + "hbGciOiJIUzI1NiJ9" + ".eyJ" + "zdWIiOiJib2IiLCJhZG1pbiI6dHJ1ZX0" + "."
                + "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assertRedacted("Authorization: Bearer ", jwt, "\n", "jwt");
        assertRedacted("{\"id_token\": \"", "eyJ" + "hbGciOiJub25lIn0" + ".eyJ" + "zdWIiOiJib2IifQ" + ".", "\"}", "jwt");
        assertThat(redacted("var keyJ = surveyJson.eyJ;")).isEqualTo("var keyJ = surveyJson.eyJ;");
    }

    @Test
    void passwordsInUrls() {
        assertThat(redacted("DATABASE_URL=postgres://app:" + "s3cr3t-P4ss" + "@db.internal:5432/app\n"))
                .isEqualTo("DATABASE_URL=postgres://app:[REDACTED password-in-url]@db.internal:5432/app\n");
        assertThat(redacted("fetching https://deploy:" + "hunter2hunter2" + "@example.com/repo.git failed"))
                .isEqualTo("fetching https://deploy:[REDACTED password-in-url]@example.com/repo.git failed");
        String ordinary = "see https://example.com:8443/a@b, ssh://git@github.com:22/x, http://[::1]:80/,"
                + " https://${USER}:${PASSWORD}@host, jdbc:postgresql://localhost:5432/db, mailto:a@b.c";
        assertThat(redacted(ordinary)).isEqualTo(ordinary);
    }

    @Test
    void privateKeyBlocksWithAndWithoutTheirEndLine() {
        String body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7" + "\n" + ALNUM + ALNUM + "\n";
        assertRedacted("key:\n", "-----BEGIN " + "PRIVATE KEY-----\n" + body + "-----END " + "PRIVATE KEY-----",
                "\nnext", "private-key");
        // Cut off (a truncated log line, half a pasted key): redacted to the end of its body.
        assertRedacted("AssertionError: bad key ", "-----BEGIN " + "OPENSSH PRIVATE KEY-----\n" + body, "(at line 3)",
                "private-key");
    }
}
