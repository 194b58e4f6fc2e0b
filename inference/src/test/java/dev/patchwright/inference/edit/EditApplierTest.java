package dev.patchwright.inference.edit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EditApplierTest {

    private static final String CALC = """
            class Calc {
                int add(int a, int b) {
                    return a + b;
                }

                int subtract(int a, int b) {
                    return a + b;
                }
            }
            """;

    @TempDir
    Path temp;

    private Path root;

    @BeforeEach
    void createRepository() throws IOException {
        root = Files.createDirectories(temp.resolve("repo"));
        write("src/Calc.java", CALC);
    }

    @Test
    void replacesTheOnePlaceThatMatches() throws Exception {
        List<String> changed = EditApplier.apply(root, SearchReplaceFormat.parse("""
                src/Calc.java
                <<<<<<< SEARCH
                    int subtract(int a, int b) {
                        return a + b;
                =======
                    int subtract(int a, int b) {
                        return a - b;
                >>>>>>> REPLACE
                """));

        assertThat(changed).containsExactly("src/Calc.java");
        assertThat(read("src/Calc.java")).isEqualTo("""
                class Calc {
                    int add(int a, int b) {
                        return a + b;
                    }

                    int subtract(int a, int b) {
                        return a - b;
                    }
                }
                """);
    }

    @Test
    void createsANewFileAndItsDirectories() throws Exception {
        List<String> changed = EditApplier.apply(root,
                List.of(new FileEdit("test/unit/CalcTest.java", "", "class CalcTest {}\n")));

        assertThat(changed).containsExactly("test/unit/CalcTest.java");
        assertThat(read("test/unit/CalcTest.java")).isEqualTo("class CalcTest {}\n");
    }

    @Test
    void refusesToCreateAFileThatAlreadyHasContent() {
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("src/Calc.java", "", "x\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessageStartingWith("src/Calc.java: already exists");
    }

    @Test
    void reportsSearchTextThatIsNotInTheFile() {
        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit("src/Calc.java", "return a * b;\n", "return 0;\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessageStartingWith("src/Calc.java: SEARCH text not found (edit 1 of 1");
    }

    @Test
    void reportsSearchTextThatMatchesSeveralPlaces() {
        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit("src/Calc.java", "        return a + b;\n", "        return 0;\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessageStartingWith("src/Calc.java: SEARCH text found 2 times")
                .hasMessageContaining("include more context");
    }

    @Test
    void keepsCrlfLineEndingsAndToleratesTrailingSpaces() throws Exception {
        write("Win.java", "class Win {  \r\n    int x = 1;   \r\n}\r\n");

        EditApplier.apply(root, List.of(new FileEdit("Win.java", "class Win {\n    int x = 1;\n", "class Win {\n"
                + "    int x = 2;\n    int y = 3;\n")));

        assertThat(read("Win.java")).isEqualTo("class Win {\r\n    int x = 2;\r\n    int y = 3;\r\n}\r\n");
    }

    @Test
    void neverIgnoresIndentation() {
        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit("src/Calc.java", "int subtract(int a, int b) {\nreturn a + b;\n", "x\n"))))
                .hasMessageStartingWith("src/Calc.java: SEARCH text not found");
    }

    @Test
    void keepsAMissingFinalNewline() throws Exception {
        write("a.txt", "one\ntwo");

        EditApplier.apply(root, List.of(new FileEdit("a.txt", "two\n", "three\n")));

        assertThat(read("a.txt")).isEqualTo("one\nthree");
    }

    @Test
    void appliesSeveralEditsToOneFileInOrder() throws Exception {
        List<String> changed = EditApplier.apply(root, List.of(
                new FileEdit("src/Calc.java", "class Calc {\n", "final class Calc {\n"),
                new FileEdit("src/Calc.java", "final class Calc {\n    int add", "final class Calc {\n    long add"),
                new FileEdit("./src/New.java", "", "class New {}\n")));

        assertThat(changed).containsExactly("src/Calc.java", "src/New.java");
        assertThat(read("src/Calc.java")).startsWith("final class Calc {\n    long add(int a, int b) {\n");
    }

    @Test
    void changesNothingWhenALaterEditFails() throws Exception {
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(
                new FileEdit("src/Calc.java", "class Calc {\n", "class Broken {\n"),
                new FileEdit("src/Other.java", "", "class Other {}\n"),
                new FileEdit("src/Calc.java", "no such line\n", "x\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessageStartingWith("src/Calc.java: SEARCH text not found (edit 3 of 3");

        assertThat(read("src/Calc.java")).isEqualTo(CALC);
        assertThat(root.resolve("src/Other.java")).doesNotExist();
    }

    @Test
    void refusesPathsThatLeaveTheRepository() throws Exception {
        Files.writeString(temp.resolve("x"), "outside\n");

        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("../x", "outside\n", "pwned\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessage("../x: leaves the repository; paths must stay inside it");
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("src/../../x", "outside\n", "p\n"))))
                .hasMessageContaining("leaves the repository");
        assertThat(Files.readString(temp.resolve("x"))).isEqualTo("outside\n");
    }

    @Test
    void refusesAbsolutePaths() throws Exception {
        Path outside = Files.writeString(temp.resolve("abs.txt"), "outside\n");

        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit(outside.toString(), "outside\n", "pwned\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessageContaining("absolute paths are not allowed");
        assertThat(Files.readString(outside)).isEqualTo("outside\n");
    }

    @Test
    void refusesFilesUnderGit() throws Exception {
        write(".git/config", "[core]\n");

        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit(".git/config", "[core]\n", "[core]\n\tfsmonitor = evil\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessage(".git/config: files under .git may not be edited");
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("sub/.GIT/hooks/pre-commit", "", "x"))))
                .hasMessageContaining("files under .git may not be edited");
        assertThat(read(".git/config")).isEqualTo("[core]\n");
    }

    @Test
    void refusesToWriteThroughASymlinkedDirectory() throws Exception {
        Path outside = Files.createDirectories(temp.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), "host file\n");
        Files.createSymbolicLink(root.resolve("src/link"), outside);

        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit("src/link/secret.txt", "host file\n", "pwned\n"))))
                .isInstanceOf(EditApplyException.class)
                .hasMessage("src/link/secret.txt: src/link is a symbolic link; edits may not go through links");
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("src/link/new.txt", "", "x\n"))))
                .hasMessageContaining("src/link is a symbolic link");
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo("host file\n");
        assertThat(outside.resolve("new.txt")).doesNotExist();
    }

    @Test
    void refusesASymlinkedFile() throws Exception {
        Path outside = Files.writeString(temp.resolve("target.txt"), "host file\n");
        Files.createSymbolicLink(root.resolve("notes.txt"), outside);

        assertThatThrownBy(() -> EditApplier.apply(root,
                List.of(new FileEdit("notes.txt", "host file\n", "pwned\n"))))
                .hasMessage("notes.txt: notes.txt is a symbolic link; edits may not go through links");
        assertThat(Files.readString(outside)).isEqualTo("host file\n");
    }

    @Test
    void refusesAFileThatIsNotUtf8() throws Exception {
        Files.write(root.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9, '\n'});

        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("latin1.txt", "caf", "tea"))))
                .hasMessage("latin1.txt: not UTF-8 text, so it cannot be edited");
    }

    @Test
    void refusesToEditAFileThatDoesNotExist() {
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(new FileEdit("src/Gone.java", "x\n", "y\n"))))
                .hasMessageStartingWith("src/Gone.java: no such file")
                .hasMessageContaining("leave SEARCH empty");
    }

    @Test
    void refusesAFileThatAnotherEditUsesAsADirectory() {
        assertThatThrownBy(() -> EditApplier.apply(root, List.of(
                new FileEdit("lib/a", "", "file\n"),
                new FileEdit("lib/a/b.txt", "", "nested\n"))))
                .hasMessage("lib/a/b.txt: lib/a is a file, so it cannot be a directory");
        assertThat(root.resolve("lib")).doesNotExist();
    }

    private void write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, UTF_8);
    }

    private String read(String relative) throws IOException {
        return Files.readString(root.resolve(relative), UTF_8);
    }
}
