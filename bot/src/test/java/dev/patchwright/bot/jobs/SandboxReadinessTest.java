package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig.Role;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** Readiness by role: the sandbox counts where jobs run, and never on a webhook node. */
class SandboxReadinessTest {

    private static final Optional<String> NO_BWRAP = Optional.of("bubblewrap (bwrap) is not installed");

    @Test
    void aWorkerWithoutASandboxIsNotReadyAndSaysWhy() {
        for (Role role : new Role[] {Role.WORKER, Role.ALL}) {
            HealthCheckResponse response = SandboxReadiness.check(role, NO_BWRAP);

            assertThat(response.getStatus()).as(role.name()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(response.getData().orElseThrow()).containsEntry("problem", NO_BWRAP.get());
        }
    }

    @Test
    void aWorkerWithItsSandboxIsReady() {
        assertThat(SandboxReadiness.check(Role.WORKER, Optional.empty()).getStatus())
                .isEqualTo(HealthCheckResponse.Status.UP);
    }

    @Test
    void aWebhookNodeIsReadyWhateverItsSandbox() {
        HealthCheckResponse response = SandboxReadiness.check(Role.WEBHOOK, NO_BWRAP);

        assertThat(response.getStatus()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(response.getData().orElseThrow()).containsEntry("role", "webhook: runs no sandbox");
    }
}
