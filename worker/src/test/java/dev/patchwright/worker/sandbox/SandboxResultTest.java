package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SandboxResultTest {

    @Test
    void describesEachEnding() {
        assertThat(new SandboxResult(1, false, false, "", false, Duration.ofMillis(2_300), 512L << 20,
                Duration.ofSeconds(60)).describe()).isEqualTo("exit code 1 after 2.3 s");
        assertThat(new SandboxResult(137, true, false, "", false, Duration.ofMillis(60_004), 512L << 20,
                Duration.ofSeconds(60)).describe()).isEqualTo("killed at the 60 s time limit");
        assertThat(new SandboxResult(137, false, true, "", false, Duration.ofMillis(800), 512L << 20,
                Duration.ofSeconds(60)).describe()).isEqualTo("killed: memory limit of 512 MiB exceeded");
        assertThat(new SandboxResult(139, false, false, "", false, Duration.ofSeconds(3)).describe())
                .isEqualTo("killed by signal 11 after 3 s");
        assertThat(new SandboxResult(0, true, false, "", false, Duration.ofMillis(5_050)).describe())
                .isEqualTo("killed at the time limit after 5.1 s");
        assertThat(new SandboxResult(0, false, true, "", false, Duration.ofSeconds(1)).describe())
                .isEqualTo("killed: memory limit exceeded");
    }

    @Test
    void succeedsOnlyOnExitZeroWithinLimits() {
        assertThat(new SandboxResult(0, false, false, "", true, Duration.ZERO).succeeded()).isTrue();
        assertThat(new SandboxResult(0, true, false, "", false, Duration.ZERO).succeeded()).isFalse();
        assertThat(new SandboxResult(0, false, true, "", false, Duration.ZERO).succeeded()).isFalse();
        assertThat(new SandboxResult(2, false, false, "", false, Duration.ZERO).succeeded()).isFalse();
    }
}
