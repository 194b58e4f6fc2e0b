package dev.patchwright.worker.pack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretScannerTest {

    // Built from parts so that this file itself never holds a whole credential.
    private static final String AWS_ID = "AKIA" + "Q3EGRJ7XK2M5WZPL";
    private static final String AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYz8Kd2Ma3Qe";
    private static final String GITHUB = "ghp_" + "R8mT2kQ9vX4bN7cL1pZ6wY3sJ5dF0hG8aE2u";
    private static final String FINE_GRAINED = "github_pat_" + "11ABCDEFG0" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0"
            + "u1V2w3X4y5Z6a7B8c9D0e1F2g3H4i5J6k7L8";
    private static final String SLACK = "xoxb-" + "123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx";

    @TempDir
    Path tmp;

    @Test
    void redactsPlantedCredentialsAndListsFileAndLine() throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(repo.resolve("deploy.sh"), "#!/bin/sh\nexport AWS_ACCESS_KEY_ID=" + AWS_ID + "\n"
                + "export AWS_SECRET_ACCESS_KEY=" + AWS_SECRET + "\naws s3 ls\n");
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("src/client.py"), "import os\n\nTOKEN = \"" + GITHUB + "\"\n");
        Files.writeString(repo.resolve("clean.txt"), "nothing to see\n");

        StringWriter out = new StringWriter();
        PackStats stats = new ContextPacker(PackOptions.defaults(ContextPackerTest.O200K)).pack(repo, out);

        assertThat(out.toString()).doesNotContain(AWS_ID, AWS_SECRET, GITHUB, "Q3EGRJ7XK2M5WZPL", "bPxRfiCY")
                .contains("export AWS_ACCESS_KEY_ID=[REDACTED aws-access-key-id]\n",
                        "export AWS_SECRET_ACCESS_KEY=[REDACTED aws-secret-access-key]\naws s3 ls\n",
                        "TOKEN = \"[REDACTED github-token]\"\n", "nothing to see");
        assertThat(stats.redactions()).containsExactly(
                new PackStats.Redaction("deploy.sh", 2, "aws-access-key-id"),
                new PackStats.Redaction("deploy.sh", 3, "aws-secret-access-key"),
                new PackStats.Redaction("src/client.py", 3, "github-token"));
        assertThat(stats.toString()).doesNotContain(AWS_ID, GITHUB);
        // Counted as the model will see it: redacted.
        assertThat(stats.files()).filteredOn(f -> f.path().equals("src/client.py")).singleElement()
                .extracting(PackStats.PackedFile::tokens)
                .isEqualTo(ContextPackerTest.O200K.count("import os\n\nTOKEN = \"[REDACTED github-token]\"\n"));
    }

    @Test
    void findsEachKindOfCredential() {
        String key = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x9Tq2Lk3nP0vW5yZ8bC1dE4fG7hJ0kL3mN6pQ9rS2t"
                + "\nU5vW8xY1zA4bC7dE0fG3hJ6kL9mN2pQ5rS8tU1vW4xY7zA0bC3dE6fG9h==\n-----END RSA PRIVATE KEY-----";
        String text = "line one\nkey = '''" + key + "'''\nslack: " + SLACK + "\npat=" + FINE_GRAINED + "\n"
                + "hook = \"https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/aBcDeFgHiJkLmNoPqRsTuVwX\"\n"
                + "db_password = \"x9Vq2Lr7Tz4W\"\n"
                + "api_key: 8fK2mQ9xL4vR7tZ1bN6cW3yH5jD0sG2a\n";

        SecretScanner.Result result = SecretScanner.scan(text);

        assertThat(result.text()).isEqualTo("line one\nkey = '''[REDACTED private-key]'''\nslack: "
                + "[REDACTED slack-token]\npat=[REDACTED github-token]\nhook = \"[REDACTED slack-webhook]\"\n"
                + "db_password = \"[REDACTED secret-assignment]\"\napi_key: [REDACTED secret-assignment]\n");
        assertThat(result.findings()).extracting(SecretScanner.Finding::line).containsExactly(2, 6, 7, 8, 9, 10); // lines of the file as it is, key block included
    }

    @Test
    void leavesOrdinaryCodeAlone() {
        String code = """
                String token = tokenizer.nextToken();
                int maxTokens = 128000;
                double tokens_per_second = 1234567.891;
                password = request.getParameter("password");
                private static final String PASSWORD_FIELD = "password";
                static final String SECRET_KEY_NAME = "SECRET_KEY_NAME";
                TOKEN_PATTERN = "[A-Za-z0-9]+";
                secretKeySpec = new SecretKeySpec(keyBytes, "HmacSHA256");
                auth_token = "test-token-value"
                db_password: ${DB_PASSWORD}
                api_key = os.environ["API_KEY"]
                token_class = "com.example.auth.TokenService"
                if (-----BEGIN_MARKER.equals(line)) return "-----BEGIN PRIVATE KEY-----";
                commit = "3f786850e387550fdab836ed7e6dc881de23001b"
                """;

        SecretScanner.Result result = SecretScanner.scan(code);

        assertThat(result.findings()).isEmpty();
        assertThat(result.text()).isSameAs(code);
    }

    @Test
    void findsCredentialsAfterCharactersPastLatin1() {
        // A surrogate pair and other wide characters before the credentials must not shift where they are cut.
        String text = "// \uD83D\uDE00 caf\u00e9 \u2603 \u4e2d\u6587\nTOKEN = \"" + GITHUB + "\"\n"
                + "\u2603 aws_secret_access_key = " + AWS_SECRET + "\nid = " + AWS_ID + "\n";

        SecretScanner.Result result = SecretScanner.scan(text);

        assertThat(result.text()).isEqualTo("// \uD83D\uDE00 caf\u00e9 \u2603 \u4e2d\u6587\nTOKEN = \"[REDACTED github-token]\"\n"
                + "\u2603 aws_secret_access_key = [REDACTED aws-secret-access-key]\nid = [REDACTED aws-access-key-id]\n");
        assertThat(result.findings()).extracting(SecretScanner.Finding::line).containsExactly(2, 3, 4);
    }

    @Test
    void aSecretLookingNameIsWhatTheNamePatternFinds() {
        java.util.regex.Pattern reference = java.util.regex.Pattern.compile("(?i)password|passwd|pwd|secret|token"
                + "|api[_-]?key|apikey|access[_-]?key|private[_-]?key|auth[_-]?key|credentials?");
        String[] parts = {"pass", "word", "wd", "p", "w", "d", "secret", "token", "key", "api", "access", "private", "auth",
                "credential", "s", "_", "-", "x", "a"};
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 50_000; round++) {
            StringBuilder name = new StringBuilder();
            for (int k = 1 + random.nextInt(5); k > 0; k--) {
                name.append(parts[random.nextInt(parts.length)]);
            }
            String lower = name.toString();
            boolean found = false;
            for (String trigger : java.util.List.of("pass", "pwd", "secret", "token", "key", "credential")) {
                for (int at = lower.indexOf(trigger); at >= 0 && !found; at = lower.indexOf(trigger, at + 1)) {
                    found = SecretAssignments.secretName(lower, trigger, at, 0);
                }
            }
            assertThat(found).as(lower).isEqualTo(reference.matcher(lower).find());
        }
    }

    @Test
    void namesAreMatchedWhateverTheirCaseAndWhereverTheyStand() {
        // Upper-case names at every offset modulo eight (the lower-casing works eight bytes at a time),
        // after a Latin-1 letter that must not be taken for one.
        for (int pad = 0; pad < 10; pad++) {
            String text = "\u00c0".repeat(pad) + " AUTH_KEY = 'Zx8#kLm2Qp9vW4'\n";
            assertThat(SecretScanner.scan(text).text()).as("pad %d", pad)
                    .isEqualTo("\u00c0".repeat(pad) + " AUTH_KEY = '[REDACTED secret-assignment]'\n");
        }
    }
}
