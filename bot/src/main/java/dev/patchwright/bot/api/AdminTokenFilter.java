package dev.patchwright.bot.api;

import dev.patchwright.bot.config.PatchwrightConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

/**
 * Every request under {@code /api/} must carry {@code Authorization: Bearer <PATCHWRIGHT_ADMIN_TOKEN>}: without
 * one it gets 401, with another 403. Without a configured token the API refuses everything. Tokens are compared
 * in constant time and never logged.
 */
@ApplicationScoped
public class AdminTokenFilter {

    @Inject
    PatchwrightConfig config;

    @ServerRequestFilter
    public Response filter(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/api/")) {
            return null;
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7) || header.substring(7).isBlank()) {
            return Response.status(401).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"patchwright\"")
                    .type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "this API needs 'Authorization: Bearer <admin token>'")).build();
        }
        String expected = config.adminToken().filter(token -> !token.isBlank()).orElse(null);
        if (expected == null) {
            return refuse("the admin API is turned off: the operator has not set PATCHWRIGHT_ADMIN_TOKEN");
        }
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                header.substring(7).strip().getBytes(StandardCharsets.UTF_8))) {
            return refuse("the bearer token is not this bot's admin token");
        }
        return null; // let it through
    }

    private static Response refuse(String why) {
        return Response.status(403).type(MediaType.APPLICATION_JSON).entity(Map.of("error", why)).build();
    }
}
