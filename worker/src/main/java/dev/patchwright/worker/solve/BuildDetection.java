package dev.patchwright.worker.solve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The setup and test commands of the usual builds, for a repository whose {@code .github/patchwright.yml} names no
 * {@code test:}. Setup runs with network and fills the per-repository cache (the sandbox's home), so the tests can
 * run offline; each detection says what it found, so the status comment can tell the maintainer what was chosen and
 * how to choose otherwise.
 */
final class BuildDetection {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** npm's placeholder for a package without tests. */
    private static final String NO_TEST_SPECIFIED = "no test specified";

    private BuildDetection() {
    }

    /**
     * What was detected.
     *
     * @param build what kind of build, e.g. "Maven (with its wrapper)"
     * @param setup the command that fills the cache, with network
     * @param test  the command that runs the tests, offline
     */
    record Detected(String build, String setup, String test) {
        /** One paragraph for the status comment and the report. */
        String text() {
            return "No `test:` in `" + RepoConfigFile.PATH + "`, so Patchwright detected a " + build
                    + " build: setup `" + setup + "` (with network, fills the cache), tests `" + test
                    + "` (offline). To choose other commands, write them in `" + RepoConfigFile.PATH
                    + "`, e.g.\n\n```yaml\nsetup: " + setup + "\ntest: " + test + "\n```";
        }
    }

    /** The build of {@code tree}, or empty when none of the usual ones is there. */
    static Optional<Detected> detect(Path tree) throws IOException {
        if (file(tree, "pom.xml")) {
            String mvn = file(tree, "mvnw") ? "./mvnw" : "mvn";
            // Surefire resolves its test provider only when tests run (dependency:go-offline misses it): the setup runs
            // them once, online, without failing on their failures.
            return Optional.of(new Detected("Maven" + (file(tree, "mvnw") ? " (with its wrapper)" : ""),
                    mvn + " -B -q test -Dmaven.test.failure.ignore=true", mvn + " -B -o test"));
        }
        if (file(tree, "build.gradle") || file(tree, "build.gradle.kts") || file(tree, "settings.gradle")
                || file(tree, "settings.gradle.kts")) {
            String gradle = file(tree, "gradlew") ? "./gradlew" : "gradle";
            return Optional.of(new Detected("Gradle" + (file(tree, "gradlew") ? " (with its wrapper)" : ""),
                    gradle + " --no-daemon -q testClasses && { " + gradle + " --no-daemon -q test --continue || true; }",
                    gradle + " --no-daemon --offline test"));
        }
        if (file(tree, "package.json") && hasTestScript(tree.resolve("package.json"))) {
            if (file(tree, "pnpm-lock.yaml")) {
                return Optional.of(new Detected("pnpm", "pnpm install --frozen-lockfile", "pnpm test"));
            }
            if (file(tree, "yarn.lock")) {
                return Optional.of(new Detected("Yarn", "yarn install --frozen-lockfile", "yarn test"));
            }
            return Optional.of(new Detected("npm", file(tree, "package-lock.json") ? "npm ci" : "npm install",
                    "npm test"));
        }
        if (file(tree, "Cargo.toml")) {
            return Optional.of(new Detected("Cargo", "cargo fetch", "cargo test --offline"));
        }
        if (file(tree, "go.mod")) {
            return Optional.of(new Detected("Go", "go mod download", "go test ./..."));
        }
        if (pytest(tree)) {
            // --user installs into the sandbox's home, the repository's own cache, never the system's; Debian 12 and
            // later refuse them all the same (PEP 668, "externally managed") unless told this.
            String pip = "PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user";
            String install = file(tree, "requirements.txt") ? pip + " -r requirements.txt"
                    : file(tree, "pyproject.toml") || file(tree, "setup.py") ? pip + " -e ." : "true";
            return Optional.of(new Detected("pytest", install, "python3 -m pytest -q"));
        }
        return Optional.empty();
    }

    /** The sentence shown when nothing was detected. */
    static String nothingDetected() {
        return "this repository names no test command and Patchwright recognised no build it knows (Maven, Gradle, "
                + "npm, Yarn, pnpm, Cargo, Go, pytest). Write the commands in `" + RepoConfigFile.PATH + "`, e.g.\n\n"
                + "```yaml\ntest: make test                # runs offline\nsetup: make deps              "
                + "# optional: runs first, with network, to fill the cache\n```";
    }

    private static boolean hasTestScript(Path packageJson) {
        try {
            JsonNode test = JSON.readTree(Files.readString(packageJson, StandardCharsets.UTF_8)).path("scripts").path("test");
            return test.isTextual() && !test.asText().isBlank() && !test.asText().contains(NO_TEST_SPECIFIED);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean pytest(Path tree) throws IOException {
        if (file(tree, "pytest.ini") || file(tree, "conftest.py")) {
            return true;
        }
        for (String config : new String[] {"pyproject.toml", "setup.cfg", "tox.ini"}) {
            if (file(tree, config) && Files.readString(tree.resolve(config), StandardCharsets.UTF_8)
                    .toLowerCase(Locale.ROOT).contains("pytest")) {
                return true;
            }
        }
        for (String dir : new String[] {".", "tests", "test"}) {
            Path folder = tree.resolve(dir);
            if (Files.isDirectory(folder, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> files = Files.list(folder)) {
                    if (files.anyMatch(f -> f.getFileName().toString().matches("test_.*\\.py|.*_test\\.py"))) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static boolean file(Path tree, String name) {
        return Files.isRegularFile(tree.resolve(name), LinkOption.NOFOLLOW_LINKS);
    }
}
