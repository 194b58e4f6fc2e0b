package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputCaptureTest {

    private static OutputCapture capture(String text, int limit) throws InterruptedException {
        OutputCapture capture = new OutputCapture(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                limit, "test-capture");
        assertThat(capture.await(5_000)).isTrue();
        return capture;
    }

    @Test
    void shortOutputIsKeptWhole() throws Exception {
        OutputCapture capture = capture("hello\nworld\n", 100);

        assertThat(capture.text()).isEqualTo("hello\nworld\n");
        assertThat(capture.truncated()).isFalse();
    }

    @Test
    void outputOfExactlyTheLimitIsNotCut() throws Exception {
        OutputCapture capture = capture("0123456789", 10);

        assertThat(capture.text()).isEqualTo("0123456789");
        assertThat(capture.truncated()).isFalse();
    }

    @Test
    void longOutputKeepsHeadAndTailAndSaysWhatWasCut() throws Exception {
        String text = "HEAD" + "x".repeat(100_000) + "TAIL";

        OutputCapture capture = capture(text, 20);

        assertThat(capture.truncated()).isTrue();
        assertThat(capture.text()).isEqualTo("HEADxxxxxx\n[... output truncated: 99988 bytes cut, 100008"
                + " bytes in all ...]\nxxxxxxTAIL");
    }
}
