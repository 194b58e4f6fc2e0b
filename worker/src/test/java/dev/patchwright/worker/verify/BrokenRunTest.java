package dev.patchwright.worker.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs that never got to the tests, told from runs whose tests failed, in the words each tool prints. */
class BrokenRunTest {

    private static String reason(int exit, String output) {
        return BrokenRun.reason(exit, false, "exit code " + exit + " after 1 s", output, FailingTests.extract(output));
    }

    @Test
    void failingTestsAreNotABrokenBuild() {
        assertThat(reason(1, """
                [ERROR] Tests run: 3, Failures: 1, Errors: 0, Skipped: 0
                [ERROR] Failures:\s
                [ERROR]   CalcTest.adds:12 expected: <2> but was: <3>
                [ERROR] BUILD FAILURE
                """)).isNull();
        assertThat(reason(1, "FAIL: test_x (test_app.AppTest.test_x)\nRan 1 test\nFAILED (failures=1)\n")).isNull();
        assertThat(reason(0, "")).isNull();
        assertThat(reason(1, "something went wrong, no names\n")).as("unknown: the tests may have run").isNull();
    }

    @Test
    void eachToolsBuildFailureIsNamed() {
        assertThat(reason(1, "[ERROR] COMPILATION ERROR : \n[ERROR] /src/Calc.java:[3,5] cannot find symbol\n"))
                .startsWith("the code does not compile (Maven): [ERROR] COMPILATION ERROR");
        assertThat(reason(1, "[ERROR] Failed to execute goal on project calc: Could not resolve dependencies for "
                + "project x:calc:jar:1: Cannot access central in offline mode\n"))
                .startsWith("Maven could not resolve the project's dependencies");
        assertThat(reason(1, "FAILURE: Build failed with an exception.\n* What went wrong:\n"
                + "Execution failed for task ':compileJava'.\n")).startsWith("the code does not compile (Gradle)");
        assertThat(reason(2, "==== ERRORS ====\nERROR collecting tests/test_app.py\nE   ModuleNotFoundError\n"))
                .startsWith("pytest could not collect the tests");
        assertThat(reason(1, "ERROR: test_app (unittest.loader._FailedTest.test_app)\nImportError: Failed to import "
                + "test module: test_app\n")).startsWith("unittest could not import a test module");
        assertThat(reason(1, "/usr/bin/python3: No module named pytest\n"))
                .startsWith("a Python module the test command runs is not installed");
        assertThat(reason(101, "error[E0425]: cannot find value `x`\nerror: could not compile `calc` (lib)\n"))
                .startsWith("the code does not compile (cargo)");
        assertThat(reason(1, "FAIL\texample.com/calc [build failed]\n")).startsWith("the code does not build (go)");
        assertThat(reason(1, "npm error Missing script: \"test\"\n")).startsWith("the npm script the tests need");
        assertThat(reason(1, "Error: Cannot find module 'mocha'\n")).startsWith("a module the tests import");
    }

    @Test
    void aCommandThatIsNotThereOrHangsIsBroken() {
        assertThat(reason(127, "sh: 1: ./gradlew: not found\n")).startsWith("the test command could not be run");
        assertThat(BrokenRun.reason(137, true, "killed at the 600 s time limit", "", List.of()))
                .isEqualTo("the tests did not finish: killed at the 600 s time limit");
    }

    @Test
    void colourCodesDoNotHideTheSigns() {
        assertThat(reason(1, "\u001B[1;31m[ERROR] COMPILATION ERROR\u001B[m\n")).contains("does not compile (Maven)");
    }
}
