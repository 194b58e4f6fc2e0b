package dev.patchwright.bot.webhook;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Readiness check "intake": down while the node rehearses its intake ({@link IntakeRehearsal}). */
@Readiness
@ApplicationScoped
public class IntakeReadiness implements HealthCheck {

    @Inject
    IntakeRehearsal rehearsal;

    @Override
    public HealthCheckResponse call() {
        return rehearsal.readiness();
    }
}
