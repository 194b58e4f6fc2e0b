package dev.patchwright.worker.solve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProtectedPathsTest {

    @Test
    void testsAreKnownByTheCommonConventions() {
        assertThat(List.of("src/test/java/a/FooTest.java", "tests/test_calc.py", "test_calc.py", "pkg/calc_test.go",
                "lib/foo.test.ts", "spec/models/user_spec.rb", "src/it/BarIT.java", "__tests__/x.js", "conftest.py",
                "crates/a/tests/parse.rs", "app/FooSpec.scala"))
                .allMatch(ProtectedPaths::isTest);
        assertThat(List.of("src/main/java/a/Foo.java", "calc.py", "contest.py", "latest/notes.md", "attestation.go",
                "src/testing_utils.py.bak.txt", "protest/x.c"))
                .noneMatch(ProtectedPaths::isTest);
    }

    @Test
    void existingTestsTheTestCommandsFilesAndGitHubFilesAreProtectedNewTestsAreNot(@TempDir Path base)
            throws Exception {
        for (String file : List.of("test_calc.py", "run-tests.sh", "Makefile", "calc.py", ".github/workflows/ci.yml")) {
            Files.createDirectories(base.resolve(file).getParent());
            Files.writeString(base.resolve(file), "x");
        }
        List<String> changed = List.of("calc.py", "test_calc.py", "test_new.py", "run-tests.sh",
                ".github/workflows/ci.yml", ".github/workflows/new.yml");

        assertThat(ProtectedPaths.touched(changed, base, "./run-tests.sh -v"))
                .containsExactly("test_calc.py", "run-tests.sh", ".github/workflows/ci.yml", ".github/workflows/new.yml");
        assertThat(ProtectedPaths.touched(List.of("Makefile", "calc.py"), base, "make test")).containsExactly("Makefile");
        assertThat(ProtectedPaths.touched(List.of("calc.py", "test_new.py"), base, "python3 -m unittest")).isEmpty();
    }
}
