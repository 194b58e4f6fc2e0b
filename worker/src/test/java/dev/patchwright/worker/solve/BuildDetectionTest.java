package dev.patchwright.worker.solve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The usual builds, recognised from their files, with the commands their users run. */
class BuildDetectionTest {

    @TempDir
    Path temp;

    private BuildDetection.Detected detect(Map<String, String> files) throws Exception {
        Path tree = Files.createTempDirectory(temp, "tree");
        for (var file : files.entrySet()) {
            Path path = tree.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return BuildDetection.detect(tree).orElse(null);
    }

    @Test
    void javaBuildsWithAndWithoutTheirWrappers() throws Exception {
        assertThat(detect(Map.of("pom.xml", "<project/>", "mvnw", "#!/bin/sh")).test()).isEqualTo("./mvnw -B -o test");
        assertThat(detect(Map.of("pom.xml", "<project/>")).test()).isEqualTo("mvn -B -o test");
        assertThat(detect(Map.of("pom.xml", "<project/>")).setup()).as("tests run once online: surefire's provider")
                .isEqualTo("mvn -B -q test -Dmaven.test.failure.ignore=true");
        assertThat(detect(Map.of("build.gradle.kts", "", "gradlew", "")).test())
                .isEqualTo("./gradlew --no-daemon --offline test");
        assertThat(detect(Map.of("settings.gradle", "")).setup())
                .isEqualTo("gradle --no-daemon -q testClasses && { gradle --no-daemon -q test --continue || true; }");
    }

    @Test
    void javaScriptByItsLockFileAndOnlyWithARealTestScript() throws Exception {
        String tests = "{\"scripts\": {\"test\": \"mocha\"}}";
        assertThat(detect(Map.of("package.json", tests, "package-lock.json", "{}"))).extracting("setup", "test")
                .containsExactly("npm ci", "npm test");
        assertThat(detect(Map.of("package.json", tests, "yarn.lock", ""))).extracting("setup", "test")
                .containsExactly("yarn install --frozen-lockfile", "yarn test");
        assertThat(detect(Map.of("package.json", tests, "pnpm-lock.yaml", ""))).extracting("test").isEqualTo("pnpm test");
        assertThat(detect(Map.of("package.json",
                "{\"scripts\": {\"test\": \"echo \\\"Error: no test specified\\\" && exit 1\"}}"))).isNull();
    }

    @Test
    void rustGoAndPython() throws Exception {
        assertThat(detect(Map.of("Cargo.toml", "[package]"))).extracting("setup", "test")
                .containsExactly("cargo fetch", "cargo test --offline");
        assertThat(detect(Map.of("go.mod", "module x"))).extracting("setup", "test")
                .containsExactly("go mod download", "go test ./...");
        assertThat(detect(Map.of("pyproject.toml", "[tool.pytest.ini_options]\n"))).extracting("setup", "test")
                .containsExactly("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user -e .", "python3 -m pytest -q");
        assertThat(detect(Map.of("tests/test_app.py", "", "requirements.txt", "requests\n"))).extracting("setup")
                .isEqualTo("PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install --user -r requirements.txt");
        assertThat(detect(Map.of("README.md", "hello"))).isNull();
    }

    @Test
    void whatWasDetectedIsSaidWithHowToChooseOtherwise() throws Exception {
        String text = detect(Map.of("go.mod", "module x")).text();
        assertThat(text).contains("detected a Go build", "`go test ./...`", ".github/patchwright.yml",
                "setup: go mod download\ntest: go test ./...");
    }
}
