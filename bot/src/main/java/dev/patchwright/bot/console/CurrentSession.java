package dev.patchwright.bot.console;

import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** The console session of the request at hand, which {@link ConsoleGuard} checked before any page ran. */
@RequestScoped
public class CurrentSession {

    private ConsoleSessions.Session session;
    private String csrfToken;

    void set(ConsoleSessions.Session session, String csrfToken) {
        this.session = session;
        this.csrfToken = csrfToken;
    }

    ConsoleSessions.Session session() {
        return session;
    }

    /** The token this session's forms carry in their {@code csrf} field. */
    public String csrfToken() {
        return csrfToken;
    }

    /**
     * Refuses a change whose form did not carry this session's CSRF token: a page of another site can make the
     * browser post here with the cookie, but cannot read the token.
     */
    public void requireCsrf(String sent) {
        if (csrfToken == null || sent == null || !java.security.MessageDigest.isEqual(
                csrfToken.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                sent.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            throw new WebApplicationException(Response.status(403).type(MediaType.TEXT_PLAIN_TYPE.withCharset("UTF-8"))
                    .entity("Refused: the form's CSRF token is missing or not this session's. Reload the page and try "
                            + "again.").build());
        }
    }
}
