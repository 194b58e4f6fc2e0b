package dev.patchwright.bot.standin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Base64;

/**
 * Guards git smart HTTP as GitHub does for an app: HTTP Basic auth whose password is a live installation
 * token (any user name; GitHub's convention is {@code x-access-token}), else 401 with a Basic challenge.
 * The authenticated user is handed on so that JGit's {@code GitServlet} accepts pushes.
 */
final class GitAccessFilter extends HttpFilter {

    private final AppCredentials credentials;

    GitAccessFilter(AppCredentials credentials) {
        this.credentials = credentials;
    }

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String user = authenticatedUser(request.getHeader("Authorization"));
        if (user == null) {
            response.setHeader("WWW-Authenticate", "Basic realm=\"GitHub\"");
            response.setContentType("text/plain; charset=utf-8");
            response.setStatus(401);
            response.getOutputStream().write("Invalid username or token.\n".getBytes(StandardCharsets.UTF_8));
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            @Override
            public String getRemoteUser() {
                return user;
            }

            @Override
            public Principal getUserPrincipal() {
                return () -> user;
            }

            @Override
            public String getAuthType() {
                return HttpServletRequest.BASIC_AUTH;
            }
        }, response);
    }

    private String authenticatedUser(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !credentials.tokenValid(decoded.substring(colon + 1))) {
            return null;
        }
        String user = decoded.substring(0, colon);
        return user.isEmpty() ? "x-access-token" : user;
    }
}
