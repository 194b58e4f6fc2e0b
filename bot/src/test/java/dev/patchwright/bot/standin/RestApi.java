package dev.patchwright.bot.standin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * GitHub's REST API under {@code /api/v3}, the prefix GitHub Enterprise Server uses: routes each request,
 * checks its credential, answers with GitHub's bodies and headers, and journals it.
 */
final class RestApi extends HttpServlet {

    static final String PREFIX = "/api/v3";

    private final GitHubState state;
    private final RequestJournal journal;
    private final List<Route> routes = new ArrayList<>();

    RestApi(GitHubState state, RequestJournal journal) {
        this.state = state;
        this.journal = journal;
        routes.addAll(new AppEndpoints(state).routes());
        routes.addAll(new IssueEndpoints(state).routes());
        routes.addAll(new PullEndpoints(state).routes());
        routes.addAll(new ReviewEndpoints(state).routes());
        routes.addAll(new CheckRunEndpoints(state).routes());
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getRequestURI().substring(PREFIX.length());
        if (path.isEmpty()) {
            path = "/";
        }
        String method = request.getMethod().toUpperCase(Locale.ROOT);
        byte[] raw = request.getInputStream().readAllBytes();
        Hold hold = state.holds.remove(method + " " + path);
        if (hold != null) {
            hold.arrive();
        }
        JsonNode body = null;
        Route.Reply reply;
        try {
            body = parse(raw);
            if (path.startsWith("/repos/") && state.rateLimitedCalls.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                // GitHub's primary rate limit: 403, remaining 0, and this message.
                throw new Route.ApiError(403, "API rate limit exceeded for installation ID " + state.installationId
                        + ".");
            }
            reply = dispatch(method, path, request, body);
        } catch (Route.ApiError error) {
            reply = new Route.Reply(error.status, error.body);
        }
        journal.record(new RecordedRequest(method, path, request.getQueryString(), body, reply.status(), reply.body()));
        write(response, reply);
    }

    private static JsonNode parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.UTF_8);
        if (text.isBlank()) {
            return null;
        }
        try {
            return GitHubBodies.JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new Route.ApiError(400, "Problems parsing JSON");
        }
    }

    private Route.Reply dispatch(String method, String path, HttpServletRequest request, JsonNode body) {
        for (Route route : routes) {
            if (!route.method().equals(method)) {
                continue;
            }
            Map<String, String> params = route.match(path);
            if (params == null) {
                continue;
            }
            if (route.auth() == Route.Auth.PUBLIC_READ && request.getHeader("Authorization") == null) {
                boolean readable;
                synchronized (state) {
                    HostedRepository repo = state.repos.get(params.get("owner") + "/" + params.get("repo"));
                    readable = repo != null && !repo.isPrivate;
                }
                if (!readable) {
                    throw Route.ApiError.notFound();
                }
            } else {
                authorize(route.auth() == Route.Auth.PUBLIC_READ ? Route.Auth.INSTALLATION : route.auth(),
                        request.getHeader("Authorization"));
            }
            Route.Call call = new Route.Call(params, new RecordedRequest(method, path, request.getQueryString(),
                    body, 0, null).queryParameters(), body);
            synchronized (state) {
                return route.handler().handle(call);
            }
        }
        throw Route.ApiError.notFound();
    }

    /** Applies GitHub's rules: app routes want a JWT, repository routes an installation token. */
    private void authorize(Route.Auth auth, String header) {
        String credential = null;
        if (header != null) {
            String[] parts = header.trim().split("\\s+", 2);
            String scheme = parts[0].toLowerCase(Locale.ROOT);
            if (parts.length == 2 && (scheme.equals("token") || scheme.equals("bearer"))) {
                credential = parts[1].trim();
            } else {
                throw new Route.ApiError(401, "Bad credentials");
            }
        }
        boolean looksLikeJwt = credential != null && credential.chars().filter(c -> c == '.').count() == 2;
        switch (auth) {
            case APP -> {
                if (credential == null) {
                    throw new Route.ApiError(401, "A JSON web token could not be decoded");
                }
                String problem = looksLikeJwt ? state.credentials.jwtProblem(credential)
                        : "A JSON web token could not be decoded";
                if (problem != null) {
                    throw new Route.ApiError(401, problem);
                }
            }
            case INSTALLATION -> {
                if (credential == null) {
                    throw new Route.ApiError(401, "Requires authentication");
                }
                if (!state.credentials.tokenValid(credential)) {
                    throw new Route.ApiError(401, "Bad credentials");
                }
            }
            case ANY -> {
                if (credential != null && !state.credentials.tokenValid(credential)
                        && !(looksLikeJwt && state.credentials.jwtProblem(credential) == null)) {
                    throw new Route.ApiError(401, "Bad credentials");
                }
            }
        }
    }

    private void write(HttpServletResponse response, Route.Reply reply) throws IOException {
        long reset = state.clock.instant().getEpochSecond() + 3600;
        response.setStatus(reply.status());
        response.setContentType("application/json; charset=utf-8");
        response.setHeader("X-GitHub-Media-Type", "github.v3; format=json");
        response.setHeader("X-GitHub-Api-Version-Selected", "2022-11-28");
        response.setHeader("X-GitHub-Request-Id", UUID.randomUUID().toString().toUpperCase(Locale.ROOT));
        response.setHeader("X-RateLimit-Limit", "5000");
        response.setHeader("X-RateLimit-Remaining", reply.status() == 403 ? "0" : "4999");
        response.setHeader("X-RateLimit-Reset", Long.toString(reset));
        response.setHeader("X-RateLimit-Used", "1");
        response.setHeader("X-RateLimit-Resource", "core");
        byte[] bytes = reply.body() == null ? new byte[0] : GitHubBodies.JSON.writeValueAsBytes(reply.body());
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
