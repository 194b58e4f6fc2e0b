package dev.patchwright.worker.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FailingTestsTest {

    @Test
    void mavenSurefire3() {
        String output = """
                [INFO] Running com.example.calc.CalcTest
                [ERROR] Tests run: 4, Failures: 1, Errors: 1, Skipped: 0, Time elapsed: 0.061 s <<< FAILURE! -- in com.example.calc.CalcTest
                [ERROR] com.example.calc.CalcTest.adds -- Time elapsed: 0.012 s <<< FAILURE!
                org.opentest4j.AssertionFailedError: expected: <4> but was: <5>
                \tat org.junit.jupiter.api.AssertionFailureBuilder.build(AssertionFailureBuilder.java:151)
                \tat com.example.calc.CalcTest.adds(CalcTest.java:12)

                [ERROR] com.example.calc.CalcTest.divides -- Time elapsed: 0.002 s <<< ERROR!
                java.lang.ArithmeticException: / by zero
                \tat com.example.calc.Calc.divide(Calc.java:9)

                [INFO]
                [INFO] Results:
                [INFO]
                [ERROR] Failures:\s
                [ERROR]   CalcTest.adds:12 expected: <4> but was: <5>
                [ERROR] Errors:\s
                [ERROR]   CalcTest.divides:20 » Arithmetic / by zero
                [ERROR]   ParserTest.parsesNested:31->Parser.parse:44 » IllegalState unexpected ')'
                [INFO]
                [ERROR] Tests run: 9, Failures: 1, Errors: 2, Skipped: 0
                [INFO] BUILD FAILURE
                """;

        assertThat(FailingTests.extract(output))
                .containsExactly("CalcTest.adds", "CalcTest.divides", "ParserTest.parsesNested");
    }

    @Test
    void mavenSurefireSummaryLineAlone() {
        assertThat(FailingTests.extract("[ERROR]   CalcTest.adds:12 expected: <4> but was: <5>\n"))
                .containsExactly("CalcTest.adds");
    }

    @Test
    void mavenSurefire2Sections() {
        String output = """
                Running com.example.CalcTest
                Tests run: 3, Failures: 1, Errors: 1, Skipped: 0, Time elapsed: 0.021 sec <<< FAILURE! - in com.example.CalcTest
                adds(com.example.CalcTest)  Time elapsed: 0.004 sec  <<< FAILURE!
                java.lang.AssertionError: expected:<4> but was:<5>

                Results :

                Failed tests:\s
                  CalcTest.adds:12 expected:<4> but was:<5>
                  StackTest.pops:40 null

                Tests in error:\s
                  CalcTest.divides:20 » Arithmetic / by zero

                Tests run: 3, Failures: 2, Errors: 1, Skipped: 0
                """;

        assertThat(FailingTests.extract(output))
                .containsExactly("CalcTest.adds", "StackTest.pops", "CalcTest.divides");
    }

    @Test
    void gradle() {
        String output = """
                > Task :test

                com.example.CalcTest > adds() FAILED
                    org.opentest4j.AssertionFailedError at CalcTest.java:12

                com.example.CalcTest > divides() FAILED
                    java.lang.ArithmeticException at CalcTest.java:20

                CalcSpec > adds two numbers FAILED
                    org.spockframework.runtime.SpockComparisonFailure at CalcSpec.groovy:9

                5 tests completed, 3 failed

                FAILURE: Build failed with an exception.
                """;

        assertThat(FailingTests.extract(output))
                .containsExactly("CalcTest.adds", "CalcTest.divides", "CalcSpec.adds two numbers");
    }

    @Test
    void pythonUnittest() {
        String output = """
                .FE
                ======================================================================
                ERROR: test_divide (test_calc.CalcTest.test_divide)
                ----------------------------------------------------------------------
                Traceback (most recent call last):
                  File "/workspace/test_calc.py", line 14, in test_divide
                    self.assertEqual(divide(1, 0), 0)
                ZeroDivisionError: division by zero

                ======================================================================
                FAIL: test_add (test_calc.CalcTest)
                ----------------------------------------------------------------------
                Traceback (most recent call last):
                  File "/workspace/test_calc.py", line 8, in test_add
                    self.assertEqual(add(2, 2), 5)
                AssertionError: 4 != 5

                ----------------------------------------------------------------------
                Ran 3 tests in 0.001s

                FAILED (failures=1, errors=1)
                """;

        assertThat(FailingTests.extract(output))
                .containsExactly("test_calc.CalcTest.test_divide", "test_calc.CalcTest.test_add");
    }

    @Test
    void pytest() {
        String output = """
                ============================= test session starts ==============================
                platform linux -- Python 3.11.2, pytest-8.3.3, pluggy-1.5.0
                collected 5 items

                tests/test_calc.py::test_add PASSED                                      [ 20%]
                tests/test_calc.py::test_sub FAILED                                      [ 40%]
                tests/test_calc.py::TestDiv::test_zero[0-1] FAILED                       [ 60%]

                =================================== FAILURES ===================================
                ___________________________________ test_sub ___________________________________
                    def test_sub():
                >       assert sub(3, 1) == 1
                E       assert 2 == 1
                =========================== short test summary info ============================
                FAILED tests/test_calc.py::test_sub - assert 2 == 1
                FAILED tests/test_calc.py::TestDiv::test_zero[0-1] - ZeroDivisionError: division by zero
                ERROR tests/test_io.py - ModuleNotFoundError: No module named 'yaml'
                ========================= 2 failed, 1 passed, 1 error in 0.12s =========================
                """;

        assertThat(FailingTests.extract(output)).containsExactly("tests/test_calc.py::test_sub",
                "tests/test_calc.py::TestDiv::test_zero[0-1]", "tests/test_io.py");
    }

    @Test
    void goTest() {
        String output = """
                === RUN   TestAdd
                --- PASS: TestAdd (0.00s)
                === RUN   TestParse
                === RUN   TestParse/empty_input
                    parse_test.go:21: got error "unexpected EOF", want nil
                --- FAIL: TestParse (0.00s)
                    --- FAIL: TestParse/empty_input (0.00s)
                --- FAIL: TestDivide (0.01s)
                FAIL
                FAIL\texample.com/calc\t0.012s
                """;

        assertThat(FailingTests.extract(output)).containsExactly("TestParse", "TestParse/empty_input", "TestDivide");
    }

    @Test
    void nodeTestRunnerTap() {
        String output = """
                TAP version 13
                # Subtest: adds
                ok 1 - adds
                  ---
                  duration_ms: 0.6
                  ...
                # Subtest: divides by zero
                not ok 2 - divides by zero
                  ---
                  duration_ms: 0.9
                  failureType: 'testCodeFailure'
                  error: 'Expected values to be strictly equal'
                  ...
                not ok 3 - parses dates # TODO not yet
                not ok 4 formats money
                1..4
                # pass 1
                # fail 2
                """;

        assertThat(FailingTests.extract(output)).containsExactly("divides by zero", "formats money");
    }

    @Test
    void jestWithColours() {
        String output = """
                 FAIL  src/calc.test.js
                  calc
                    \u001B[32m✓\u001B[39m \u001B[2madds (3 ms)\u001B[22m
                    \u001B[31m✕\u001B[39m \u001B[2msubtracts (4 ms)\u001B[22m
                    ✕ divides by zero (1 ms)

                  ● calc › subtracts

                    expect(received).toBe(expected) // Object.is equality

                Tests:       2 failed, 1 passed, 3 total
                """;

        assertThat(FailingTests.extract(output)).containsExactly("subtracts", "divides by zero");
    }

    @Test
    void mochaSpecReporter() {
        String output = """
                  calc
                    ✔ adds
                    1) subtracts
                    nested
                      2) divides by zero

                  1 passing (6ms)
                  2 failing

                  1) calc
                       subtracts:

                      AssertionError [ERR_ASSERTION]: -1 == 5
                      at Context.<anonymous> (test/calc.test.js:9:12)

                  2) calc
                       nested
                         divides by zero:
                     Error: boom
                """;

        assertThat(FailingTests.extract(output)).containsExactly("calc subtracts", "calc nested divides by zero");
    }

    @Test
    void cargo() {
        String output = """
                running 3 tests
                test tests::adds ... ok
                test tests::parses_empty ... FAILED
                test parser::tests::nested ... FAILED

                failures:

                ---- tests::parses_empty stdout ----
                thread 'tests::parses_empty' panicked at src/lib.rs:20:9:
                assertion `left == right` failed

                failures:
                    tests::parses_empty
                    parser::tests::nested

                test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
                """;

        assertThat(FailingTests.extract(output)).containsExactly("tests::parses_empty", "parser::tests::nested");
    }

    @Test
    void passingOutputNamesNothing() {
        String output = """
                [INFO] Tests run: 12, Failures: 0, Errors: 0, Skipped: 0
                [INFO] BUILD SUCCESS
                ok  \texample.com/calc\t0.010s
                test result: ok. 3 passed; 0 failed
                ERROR: could not reach the mirror, retrying
                """;

        assertThat(FailingTests.extract(output)).isEmpty();
        assertThat(FailingTests.extract("")).isEmpty();
    }

    @Test
    void manyFailuresAreCapped() {
        String output = IntStream.range(0, 80).mapToObj(i -> "--- FAIL: Test" + i + " (0.00s)")
                .collect(Collectors.joining("\n"));

        assertThat(FailingTests.extract(output)).hasSize(FailingTests.LIMIT).startsWith("Test0", "Test1")
                .endsWith("Test49");
    }
}
