package dev.patchwright.inference.openai;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryAfterTest {

    private static final Duration CAP = Duration.ofSeconds(30);

    @Test
    void readsSecondsAndCapsThem() {
        assertThat(RetryAfter.parse("3", CAP)).isEqualTo(Duration.ofSeconds(3));
        assertThat(RetryAfter.parse(" 0 ", CAP)).isEqualTo(Duration.ZERO);
        assertThat(RetryAfter.parse("3600", CAP)).isEqualTo(CAP);
        assertThat(RetryAfter.parse("99999999999999999999", CAP)).isNull();
    }

    @Test
    void leavesDatesAndGarbageToTheCallersBackoff() {
        assertThat(RetryAfter.parse(null, CAP)).isNull();
        assertThat(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", CAP)).isNull();
        assertThat(RetryAfter.parse("-1", CAP)).isNull();
        assertThat(RetryAfter.parse("1.5", CAP)).isNull();
    }
}
