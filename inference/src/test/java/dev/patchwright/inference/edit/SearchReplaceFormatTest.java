package dev.patchwright.inference.edit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SearchReplaceFormatTest {

    @Test
    void readsOneBlockWithEveryLineTerminated() throws Exception {
        String answer = """
                src/Calc.java
                <<<<<<< SEARCH
                    return a + b;
                =======
                    return a - b;
                >>>>>>> REPLACE
                """;

        assertThat(SearchReplaceFormat.parse(answer))
                .containsExactly(new FileEdit("src/Calc.java", "    return a + b;\n", "    return a - b;\n"));
    }

    @Test
    void readsSeveralBlocksInOrderAndIgnoresProseAndFences() throws Exception {
        String answer = """
                The bug is in subtract. Here is the fix:

                ```java
                src/Calc.java
                <<<<<<< SEARCH
                a
                =======
                b
                >>>>>>> REPLACE
                ```

                And a test:

                **`src/CalcTest.java`**
                ```java
                <<<<<<< SEARCH
                c
                d
                =======
                >>>>>>> REPLACE
                ```
                Done.
                """;

        List<FileEdit> edits = SearchReplaceFormat.parse(answer);

        assertThat(edits).containsExactly(
                new FileEdit("src/Calc.java", "a\n", "b\n"),
                new FileEdit("src/CalcTest.java", "c\nd\n", ""));
    }

    @Test
    void anEmptySearchSectionCreatesAFile() throws Exception {
        String answer = "`docs/NEW.md`\n<<<<<<< SEARCH\n=======\n# New\n\ntext\n>>>>>>> REPLACE\n";

        FileEdit edit = SearchReplaceFormat.parse(answer).get(0);

        assertThat(edit.path()).isEqualTo("docs/NEW.md");
        assertThat(edit.createsFile()).isTrue();
        assertThat(edit.replace()).isEqualTo("# New\n\ntext\n");
    }

    @Test
    void crlfAnswersGiveLfEdits() throws Exception {
        String answer = "A.java\r\n<<<<<<< SEARCH\r\nx\r\n=======\r\ny\r\n>>>>>>> REPLACE\r\n";

        assertThat(SearchReplaceFormat.parse(answer)).containsExactly(new FileEdit("A.java", "x\n", "y\n"));
    }

    @Test
    void anAnswerWithoutBlocksIsRejected() {
        assertThatThrownBy(() -> SearchReplaceFormat.parse("I think the bug is in Calc.java, change + to -."))
                .isInstanceOf(EditFormatException.class)
                .hasMessage("the model's answer contains no SEARCH/REPLACE block");
    }

    @Test
    void aBlockWithoutAPathNamesTheBlockAndLine() {
        String answer = "A.java\n<<<<<<< SEARCH\na\n=======\nb\n>>>>>>> REPLACE\n\n```\n<<<<<<< SEARCH\nc\n"
                + "=======\nd\n>>>>>>> REPLACE\n";

        assertThatThrownBy(() -> SearchReplaceFormat.parse(answer))
                .isInstanceOf(EditFormatException.class)
                .hasMessageContaining("block 2")
                .hasMessageContaining("no file path")
                .hasMessageContaining("line 9");
    }

    @Test
    void aMissingDividerIsNamed() {
        String answer = "x\nsrc/A.java\n<<<<<<< SEARCH\na\nb\n>>>>>>> REPLACE\n";

        assertThatThrownBy(() -> SearchReplaceFormat.parse(answer))
                .isInstanceOf(EditFormatException.class)
                .hasMessageContaining("block 1 (src/A.java)")
                .hasMessageContaining("unexpected >>>>>>> REPLACE at line 6")
                .hasMessageContaining("expected =======");
    }

    @Test
    void aBlockCutOffBeforeTheDividerIsNamed() {
        assertThatThrownBy(() -> SearchReplaceFormat.parse("src/A.java\n<<<<<<< SEARCH\na\n"))
                .isInstanceOf(EditFormatException.class)
                .hasMessage("block 1 (src/A.java): missing ======= after the <<<<<<< SEARCH of the block that"
                        + " starts at line 2");
    }

    @Test
    void aMissingReplaceMarkerIsNamed() {
        assertThatThrownBy(() -> SearchReplaceFormat.parse("src/A.java\n<<<<<<< SEARCH\na\n=======\nb\n"))
                .isInstanceOf(EditFormatException.class)
                .hasMessage("block 1 (src/A.java): missing >>>>>>> REPLACE after the ======= of the block that"
                        + " starts at line 2");
    }

    @Test
    void aNestedSearchMarkerIsRejected() {
        String answer = "src/A.java\n<<<<<<< SEARCH\na\n=======\nsrc/B.java\n<<<<<<< SEARCH\nb\n=======\nc\n"
                + ">>>>>>> REPLACE\n";

        assertThatThrownBy(() -> SearchReplaceFormat.parse(answer))
                .isInstanceOf(EditFormatException.class)
                .hasMessageContaining("block 1 (src/A.java): unexpected <<<<<<< SEARCH at line 6");
    }

    @Test
    void aReplaceMarkerWithoutABlockIsRejected() {
        assertThatThrownBy(() -> SearchReplaceFormat.parse("src/A.java\na\n=======\nb\n>>>>>>> REPLACE\n"))
                .isInstanceOf(EditFormatException.class)
                .hasMessageContaining("line 5: >>>>>>> REPLACE without a <<<<<<< SEARCH");
    }

    @Test
    void linesOfEqualSignsOtherThanSevenAreContent() throws Exception {
        String answer = "README.rst\n<<<<<<< SEARCH\nTitle\n=====\n=======\nName\n====\n>>>>>>> REPLACE\n";

        assertThat(SearchReplaceFormat.parse(answer))
                .containsExactly(new FileEdit("README.rst", "Title\n=====\n", "Name\n====\n"));
    }

    @Test
    void instructionsExplainTheMarkersAndParseAsAnExample() throws Exception {
        String text = SearchReplaceFormat.instructions();

        assertThat(text).contains("<<<<<<< SEARCH", "=======", ">>>>>>> REPLACE", "leave SEARCH empty");
        List<FileEdit> example = SearchReplaceFormat.parse(text.substring(text.indexOf("Example")));
        assertThat(example).hasSize(1);
        assertThat(example.get(0).path()).isEqualTo("src/main/java/demo/Calc.java");
        assertThat(example.get(0).replace()).contains("return a - b;");
    }
}
