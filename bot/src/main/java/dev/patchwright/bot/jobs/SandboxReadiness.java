package dev.patchwright.bot.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** A worker node whose sandbox is weaker than required is not ready: it refuses to run jobs. */
@Readiness
@ApplicationScoped
public class SandboxReadiness implements HealthCheck {

    @Inject
    WorkerNode runner;

    @Override
    public HealthCheckResponse call() {
        return runner.sandboxProblem()
                .map(problem -> HealthCheckResponse.named("sandbox").down().withData("problem", problem).build())
                .orElseGet(() -> HealthCheckResponse.named("sandbox").up().build());
    }
}
