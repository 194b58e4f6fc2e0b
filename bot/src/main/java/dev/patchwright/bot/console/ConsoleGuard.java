package dev.patchwright.bot.console;

import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * Nothing under {@code /console} answers without a session, except the login page and its stylesheet: a page
 * request is sent to the login page, a JSON request gets 401. A change (any method but GET and HEAD) from another
 * origin is refused before it reaches a page, whatever cookie it carries; the pages then check the form's CSRF
 * token ({@link CurrentSession#requireCsrf}).
 */
@ApplicationScoped
public class ConsoleGuard {

    private static final Set<String> PUBLIC = Set.of("/console/login", "/console/assets/console.css");

    @Inject
    ConsoleSessions sessions;

    @Inject
    CurrentSession current;

    /** The chart library's jar would also serve itself under /webjars to anyone; the console serves it instead. */
    void hideWebJars(@Observes Router router) {
        router.route("/webjars/*").order(Integer.MIN_VALUE).handler(context -> context.response().setStatusCode(404)
                .end());
    }

    @ServerRequestFilter(preMatching = true)
    public Response filter(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/console") && !path.startsWith("/console/")) {
            return null;
        }
        boolean change = !request.getMethod().equals("GET") && !request.getMethod().equals("HEAD");
        if (change && crossOrigin(request)) {
            return Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity("Refused: a change to the console must come from the console's own pages.").build();
        }
        if (PUBLIC.contains(path)) {
            return null;
        }
        Cookie cookie = request.getCookies().get(ConsoleSessions.COOKIE);
        var session = sessions.verify(cookie == null ? null : cookie.getValue());
        if (session.isPresent()) {
            current.set(session.get(), sessions.csrfToken(session.get()));
            return null;
        }
        if (path.endsWith(".json") || accepts(request, MediaType.APPLICATION_JSON)) {
            return Response.status(401).type(MediaType.APPLICATION_JSON)
                    .entity(Map.of("error", "log in to the console first (/console/login)")).build();
        }
        String next = change ? "/console" : path;
        return Response.seeOther(URI.create("/console/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)))
                .build();
    }

    /**
     * Every console answer: scripts and styles from the console only (an injected tag would not run even if escaping
     * failed), no framing (clickjacking of the buttons), nothing kept by caches, no console address sent to other sites.
     */
    @ServerResponseFilter
    public void headers(ContainerRequestContext request, ContainerResponseContext response) {
        String path = request.getUriInfo().getPath();
        if (!path.equals("/console") && !path.startsWith("/console/")) {
            return;
        }
        var headers = response.getHeaders();
        headers.putSingle("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; "
                + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'");
        headers.putSingle("X-Frame-Options", "DENY");
        headers.putSingle("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: under no-referrer a browser sends "Origin: null" with the console's own posts.
        headers.putSingle("Referrer-Policy", "same-origin");
        if (!path.startsWith("/console/assets/")) {
            headers.putSingle("Cache-Control", "no-store");
        }
    }

    /** Whether the browser says the request comes from another site, or its Origin is not this host. */
    private static boolean crossOrigin(ContainerRequestContext request) {
        // Browsers that send Sec-Fetch-Site say it outright; older ones are judged by Origin against Host.
        String site = request.getHeaderString("Sec-Fetch-Site");
        if (site != null) {
            return !site.equals("same-origin") && !site.equals("none");
        }
        String origin = request.getHeaderString("Origin");
        if (origin == null) {
            return false; // not a browser's cross-origin form post; the CSRF token still has to match
        }
        String host = request.getHeaderString(HttpHeaders.HOST);
        try {
            URI uri = URI.create(origin);
            String authority = uri.getPort() == -1 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
            return host == null || !host.equalsIgnoreCase(authority);
        } catch (IllegalArgumentException e) {
            return true; // "null" or garbage: an opaque origin, e.g. a sandboxed frame
        }
    }

    private static boolean accepts(ContainerRequestContext request, String type) {
        String accept = request.getHeaderString(HttpHeaders.ACCEPT);
        return accept != null && accept.contains(type) && !accept.contains(MediaType.TEXT_HTML);
    }
}
