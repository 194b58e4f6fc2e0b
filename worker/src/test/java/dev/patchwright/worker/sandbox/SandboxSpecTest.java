package dev.patchwright.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SandboxSpecTest {

    private static final Path WORK = Path.of("/tmp/work");

    @Test
    void defaults() {
        SandboxSpec spec = SandboxSpec.of("make test", WORK);

        assertThat(spec.network()).isFalse();
        assertThat(spec.cacheDir()).isNull();
        assertThat(spec.timeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.memoryLimitBytes()).isEqualTo(2L << 30);
        assertThat(spec.outputLimitBytes()).isEqualTo(1 << 20);
        assertThat(spec.env()).isEmpty();
    }

    @Test
    void rejectsWhatCannotRun() {
        assertThatThrownBy(() -> SandboxSpec.of("  ", WORK)).hasMessage("sandbox command is blank");
        assertThatThrownBy(() -> SandboxSpec.builder("make", WORK).timeout(Duration.ZERO).build())
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> SandboxSpec.builder("make", WORK).memoryLimitBytes(1024).build())
                .hasMessageContaining("memory limit must be at least");
        assertThatThrownBy(() -> SandboxSpec.builder("make", WORK).outputLimitBytes(0).build())
                .hasMessageContaining("output limit must be positive");
        assertThatThrownBy(() -> SandboxSpec.builder("make", WORK).env("A=B", "c").build())
                .hasMessage("sandbox environment variable name is invalid: 'A=B'");
    }
}
