package dev.patchwright.bot.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.patchwright.inference.tokenizer.Tokenizers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code patchwright pack} end to end, on a git repository built here. */
class PackCommandIT {

    private static final String GITHUB = "ghp_" + "R8mT2kQ9vX4bN7cL1pZ6wY3sJ5dF0hG8aE2u";

    @TempDir
    Path temp;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    private Path repository() throws Exception {
        Path repo = temp.resolve("repo");
        Files.createDirectories(repo.resolve("src"));
        Files.writeString(repo.resolve("src/Calc.java"), "class Calc {\n    int add(int a, int b) { return a - b; }\n}\n");
        Files.writeString(repo.resolve("src/Config.java"), "class Config {\n    String token = \"" + GITHUB + "\";\n}\n");
        for (int i = 0; i < 12; i++) {
            StringBuilder body = new StringBuilder("class Report" + i + " {\n");
            for (int m = 0; m < 10; m++) {
                body.append("    long total").append(m).append("(long[] rows) { long t = 0; for (long r : rows) t += r * ")
                        .append(m).append("; return t; }\n");
            }
            Files.writeString(repo.resolve("src/Report" + i + ".java"), body.append("}\n").toString());
        }
        Files.write(repo.resolve("logo.txt"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        Files.writeString(repo.resolve("yarn.lock"), "# yarn lockfile v1\n");
        GitRepos.commitAll(repo, "Calculator");
        return repo;
    }

    @Test
    void packsARepositoryAndPrintsItsStatisticsAsJson() throws Exception {
        Path repo = repository();
        Path out = temp.resolve("context.xml");
        String[] args = {"pack", repo.toString(), "--out", out.toString(), "--stats=json", "--cache-dir",
                temp.resolve("cache").toString()};

        CliRun first = run(args);

        assertThat(first.exit()).as(first.stderr()).isZero();
        String packed = Files.readString(out);
        assertThat(packed).startsWith("<directory_tree>\n").contains("<file path=\"src/Calc.java\">",
                "String token = \"[REDACTED github-token]\";").doesNotContain(GITHUB, "PNG", "yarn lockfile");
        JsonNode stats = new ObjectMapper().readTree(first.stdout());
        assertThat(stats.get("tokenizer").asText()).isEqualTo("o200k_base");
        assertThat(stats.get("files").asInt()).isEqualTo(14);
        assertThat(stats.get("bytes").asLong()).isEqualTo(Files.size(out));
        assertThat(stats.get("skippedByReason").toString()).isEqualTo("{\"binary\":1,\"lock_file\":1}");
        assertThat(stats.get("redactions").toString())
                .isEqualTo("[{\"path\":\"src/Config.java\",\"line\":2,\"kind\":\"github-token\"}]");
        JsonNode calc = stats.get("packed").get(0);
        assertThat(calc.get("path").asText()).isEqualTo("src/Calc.java");
        assertThat(calc.get("tokens").asInt()).isEqualTo(Tokenizers.load("o200k_base")
                .count(Files.readString(repo.resolve("src/Calc.java"))));
        long sum = 0;
        for (JsonNode file : stats.get("packed")) {
            sum += file.get("tokens").asLong();
        }
        assertThat(stats.get("tokens").asLong()).isGreaterThan(sum);
        assertThat(stats.get("cacheHits").asInt()).isZero();

        CliRun second = run(args);
        JsonNode again = new ObjectMapper().readTree(second.stdout());
        assertThat(again.get("cacheHits").asInt()).isEqualTo(14);
        assertThat(again.get("redactions")).as("a cached file with a credential is still scanned and listed")
                .isEqualTo(stats.get("redactions"));
        assertThat(Files.readString(out)).isEqualTo(packed);
    }

    @Test
    void cutsToTheWindowByTheTaskAndPrintsATable() throws Exception {
        Path repo = repository();
        Path task = temp.resolve("issue.md");
        Files.writeString(task, "# Calc.add subtracts\n\n`add(2, 3)` returns -1 instead of 5.\n");
        Path out = temp.resolve("context.md");

        CliRun run = run("pack", repo.toString(), "--out", out.toString(), "--format", "markdown", "--max-tokens", "700",
                "--task-file", task.toString(), "--cache-dir", temp.resolve("cache").toString());

        assertThat(run.exit()).as(run.stderr()).isZero();
        String packed = Files.readString(out);
        assertThat(packed).startsWith("# Directory tree\n").contains("## File: src/Calc.java\n\n```java\n",
                "## Declarations of the files left out to fit the window");
        assertThat(Tokenizers.load("o200k_base").count(packed)).isLessThanOrEqualTo(700);
        assertThat(run.stdout()).contains("packed", "o200k_base, markdown", "skipped       2: binary 1, lock file 1",
                "logo.txt  binary (NUL byte)", "redacted      ", "cut           ", "tokens/s");
    }

    @Test
    void refusesBadInputWithTheReason() throws Exception {
        Path repo = repository();

        CliRun tokenizer = run("pack", repo.toString(), "--tokenizer", "gpt2");
        CliRun format = run("pack", repo.toString(), "--format", "html");
        CliRun missing = run("pack", temp.resolve("nowhere").toString());

        assertThat(tokenizer.exit()).isEqualTo(2);
        assertThat(tokenizer.stderr()).contains("gpt2", "o200k_base");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.stderr()).contains("html", "markdown");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.stderr()).contains("nowhere", "not a directory");
    }
}
