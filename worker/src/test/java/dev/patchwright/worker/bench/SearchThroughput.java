package dev.patchwright.worker.bench;

import dev.patchwright.inference.model.ChatRequest;
import dev.patchwright.inference.model.Completion;
import dev.patchwright.inference.model.Model;
import dev.patchwright.inference.model.Usage;
import dev.patchwright.worker.git.RepoMirror;
import dev.patchwright.worker.solve.JobRecorder;
import dev.patchwright.worker.solve.SolvePipeline;
import dev.patchwright.worker.solve.SolveRequest;
import dev.patchwright.worker.solve.SolveResult;
import dev.patchwright.worker.solve.SolveSettings;
import dev.patchwright.worker.solve.SolveFixture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The search loop's throughput, run by {@code bench/search-throughput.sh}: one round of distinct wrong candidates
 * (each with its own reproduction test, so each is fully verified: the whole patch, then its test alone on the base
 * code) on three small projects, with one sandbox and then two at once:
 * <ul>
 * <li>{@code true}: a test command that does nothing, so the time per candidate is the loop's own overhead (parse,
 * copy of the built tree, apply, commit, diff) plus two sandbox starts;</li>
 * <li>a shell project whose tests are a shell script;</li>
 * <li>a Maven project (JUnit 5, three classes) whose setup fills the cache online once.</li>
 * </ul>
 * Prints a Markdown table: candidates verified per minute and seconds per candidate. Not a test: it asserts nothing.
 */
public final class SearchThroughput {

    private static final int CANDIDATES = 6;

    public static void main(String[] args) throws Exception {
        Path temp = Files.createTempDirectory("search-bench");
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwx--x--x"));
        Map<String, Map<String, String>> projects = new LinkedHashMap<>();
        projects.put("no-op tests (`true`)", shell("true"));
        projects.put("shell project", shell("sh test.sh"));
        projects.put("Maven project", maven());
        List<String> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> project : projects.entrySet()) {
            double[] perMinute = new double[2];
            for (int sandboxes = 1; sandboxes <= 2; sandboxes++) {
                Path dir = Files.createTempDirectory(temp, "run");
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
                Path repo = SolveFixture.repository(dir, project.getValue());
                SolveSettings settings = SolveSettings.defaults(SolveFixture.work(dir))
                        .withDefaultCandidates(CANDIDATES).withRounds(1, sandboxes);
                SolvePipeline pipeline = new SolvePipeline(new RepoMirror(dir.resolve("mirrors")),
                        SolveFixture.sandbox(), new DistinctWrongAnswers(), settings);
                SolveResult result = pipeline.solve(new SolveRequest("bench/" + sandboxes, repo.toUri(), null, null, 0,
                        "value should be 42", "The value is wrong.", null), JobRecorder.NONE);
                long round = result.phases().stream().filter(p -> p.name().equals("round 1"))
                        .mapToLong(SolveResult.Phase::millis).sum();
                long verified = result.candidates().stream().filter(c -> c.evidence().votes() > 0).count();
                if (verified != CANDIDATES) {
                    throw new IllegalStateException(project.getKey() + ": " + verified + " of " + CANDIDATES
                            + " candidates verified: " + result.reason());
                }
                perMinute[sandboxes - 1] = verified * 60_000.0 / round;
                rows.add(String.format(Locale.ROOT, "| %s | %d | %d | %.1f s | %.2f s | %.1f |", project.getKey(),
                        sandboxes, verified, round / 1000.0, round / 1000.0 / verified, perMinute[sandboxes - 1]));
            }
            rows.add(String.format(Locale.ROOT, "| %s | 2 vs 1 | | | | %.2f× |", project.getKey(),
                    perMinute[1] / perMinute[0]));
        }
        System.out.println("| project | sandboxes | candidates verified | round | per candidate | per minute |");
        System.out.println("|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println("\n" + Instant.now() + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
    }

    /** A repository whose tests are {@code command} over a shell function; the fix is to return 42. */
    private static Map<String, String> shell(String command) {
        return Map.of("value.sh", "value() { echo 41; }\n",
                "test.sh", "set -e\n. ./value.sh\n[ \"$(value)\" -ge 0 ]\nfor t in tests/*.sh; do sh \"$t\"; done\n",
                "tests/keep.sh", ". ./value.sh\n[ \"$(value)\" != '' ]\n",
                ".github/patchwright.yml", "test: '" + command + "'\nrounds: 1\n");
    }

    private static Map<String, String> maven() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("pom.xml", """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>bench</groupId><artifactId>value</artifactId><version>1</version>
                  <properties>
                    <maven.compiler.release>17</maven.compiler.release>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <dependencies>
                    <dependency><groupId>org.junit.jupiter</groupId><artifactId>junit-jupiter</artifactId>
                      <version>5.11.4</version><scope>test</scope></dependency>
                  </dependencies>
                  <build><plugins>
                    <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.14.0</version></plugin>
                    <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.5.4</version></plugin>
                  </plugins></build>
                </project>
                """);
        files.put("src/main/java/bench/Value.java", "package bench;\npublic class Value {\n"
                + "    public static int value() { return 41; }\n}\n");
        files.put("src/main/java/bench/Twice.java", "package bench;\npublic class Twice {\n"
                + "    public static int twice() { return 2 * Value.value(); }\n}\n");
        files.put("src/test/java/bench/TwiceTest.java", "package bench;\nimport org.junit.jupiter.api.Test;\n"
                + "import static org.junit.jupiter.api.Assertions.assertTrue;\nclass TwiceTest {\n"
                + "    @Test void even() { assertTrue(Twice.twice() % 2 == 0); }\n}\n");
        files.put(".github/patchwright.yml", "setup: mvn -B -q test -Dmaven.test.failure.ignore=true\n"
                + "test: mvn -B -q -o test\nrounds: 1\n");
        return files;
    }

    /**
     * Answers each sample with a different wrong value and a reproduction test for 42: every candidate is distinct,
     * runs its whole patch and its test alone, and is rejected (its own test fails with its patch).
     */
    private static final class DistinctWrongAnswers implements Model {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public String name() {
            return "bench";
        }

        @Override
        public Completion complete(ChatRequest request) {
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < request.n(); i++) {
                answers.add(answer(next.incrementAndGet(), request.messages().get(1).content().contains("pom.xml")));
            }
            return new Completion("bench", answers, new Usage(1000, 0, 100));
        }

        private static String answer(int i, boolean maven) {
            if (maven) {
                return "src/main/java/bench/Value.java\n<<<<<<< SEARCH\n    public static int value() { return 41; }\n"
                        + "=======\n    public static int value() { return " + (42 + i) + "; }\n>>>>>>> REPLACE\n"
                        + "src/test/java/bench/Value" + i + "Test.java\n<<<<<<< SEARCH\n=======\npackage bench;\n"
                        + "import org.junit.jupiter.api.Test;\nimport static org.junit.jupiter.api.Assertions.assertEquals;\n"
                        + "class Value" + i + "Test {\n    @Test void is42() { assertEquals(42, Value.value()); }\n}\n"
                        + ">>>>>>> REPLACE\n";
            }
            return "value.sh\n<<<<<<< SEARCH\nvalue() { echo 41; }\n=======\nvalue() { echo " + (42 + i) + "; }\n"
                    + ">>>>>>> REPLACE\ntests/value_" + i + "_test.sh\n<<<<<<< SEARCH\n=======\n. ./value.sh\n"
                    + "[ \"$(value)\" = 42 ]\n>>>>>>> REPLACE\n";
        }
    }
}
