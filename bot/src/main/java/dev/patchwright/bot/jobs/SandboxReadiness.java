package dev.patchwright.bot.jobs;

import dev.patchwright.bot.config.PatchwrightConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

import java.util.Optional;

/**
 * A worker node whose sandbox is weaker than required is not ready: it refuses to run jobs. A webhook
 * node runs no job, so its readiness never depends on the sandbox (Kubernetes routes webhooks to it
 * on nodes without bwrap).
 */
@Readiness
@ApplicationScoped
public class SandboxReadiness implements HealthCheck {

    @Inject
    PatchwrightConfig config;

    @Inject
    WorkerNode runner;

    @Override
    public HealthCheckResponse call() {
        return check(config.role(), runner.sandboxProblem());
    }

    static HealthCheckResponse check(PatchwrightConfig.Role role, Optional<String> problem) {
        if (role == PatchwrightConfig.Role.WEBHOOK) {
            return HealthCheckResponse.named("sandbox").up().withData("role", "webhook: runs no sandbox").build();
        }
        return problem
                .map(reason -> HealthCheckResponse.named("sandbox").down().withData("problem", reason).build())
                .orElseGet(() -> HealthCheckResponse.named("sandbox").up().build());
    }
}
