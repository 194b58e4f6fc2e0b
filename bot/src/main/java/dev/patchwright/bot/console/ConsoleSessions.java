package dev.patchwright.bot.console;

import dev.patchwright.bot.config.PatchwrightConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's sessions, kept in a cookie and checked without any server-side table: the cookie holds a random
 * session id, when it was issued, and an HMAC of both under a key derived from the operator token. So the cookie is
 * never the API token, it stops working when the operator changes the token, and any node of a cluster that knows
 * the token can check it. Logging out revokes the id on this node (the cookie also expires after {@link #LIFETIME}).
 * Each session's CSRF token is another HMAC of its id, so forms carry a value that only this session's owner sees.
 */
@ApplicationScoped
public class ConsoleSessions {

    /** The cookie's name. */
    public static final String COOKIE = "patchwright_console";
    /** How long a login lasts. */
    public static final Duration LIFETIME = Duration.ofHours(12);

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();

    @Inject
    PatchwrightConfig config;

    Clock clock = Clock.systemUTC();

    /** A logged-in operator's session: its random id and when it began (epoch seconds). */
    public record Session(String id, long issuedAt) {
    }

    /** Whether the operator set a token; without one nobody can log in. */
    public boolean enabled() {
        return token().isPresent();
    }

    /** Whether {@code typed} is the operator token, compared in constant time. */
    public boolean isOperatorToken(String typed) {
        return token().map(expected -> typed != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), typed.strip().getBytes(StandardCharsets.UTF_8))).orElse(false);
    }

    /** A new session and the cookie value that carries it. */
    public String issue() {
        byte[] id = new byte[18];
        random.nextBytes(id);
        String body = B64.encodeToString(id) + "." + clock.instant().getEpochSecond();
        return body + "." + mac("session:" + body);
    }

    /** The session a cookie value carries, if it is ours, unexpired and not logged out. */
    public Optional<Session> verify(String cookie) {
        if (cookie == null || !enabled()) {
            return Optional.empty();
        }
        String[] parts = cookie.split("\\.", -1);
        if (parts.length != 3 || !parts[1].matches("\\d{1,12}")) {
            return Optional.empty();
        }
        String body = parts[0] + "." + parts[1];
        if (!MessageDigest.isEqual(mac("session:" + body).getBytes(StandardCharsets.US_ASCII),
                parts[2].getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long issuedAt = Long.parseLong(parts[1]);
        long now = clock.instant().getEpochSecond();
        if (now - issuedAt > LIFETIME.toSeconds() || issuedAt > now + 60 || revoked.containsKey(parts[0])) {
            return Optional.empty();
        }
        return Optional.of(new Session(parts[0], issuedAt));
    }

    /** The CSRF token that this session's forms carry. */
    public String csrfToken(Session session) {
        return mac("csrf:" + session.id());
    }

    /** Whether {@code sent} is this session's CSRF token, compared in constant time. */
    public boolean isCsrfToken(Session session, String sent) {
        return sent != null && MessageDigest.isEqual(csrfToken(session).getBytes(StandardCharsets.US_ASCII),
                sent.getBytes(StandardCharsets.US_ASCII));
    }

    /** Ends a session: its cookie is refused from now on, even if someone kept a copy. */
    public void revoke(Session session) {
        long now = clock.instant().getEpochSecond();
        revoked.values().removeIf(issuedAt -> now - issuedAt > LIFETIME.toSeconds()); // expired anyway
        revoked.put(session.id(), session.issuedAt());
    }

    private Optional<String> token() {
        return config.adminToken().filter(token -> !token.isBlank());
    }

    /** HMAC-SHA256 under a key derived from the operator token, so no cookie or form value reveals the token. */
    private String mac(String message) {
        try {
            Mac derive = Mac.getInstance("HmacSHA256");
            derive.init(new SecretKeySpec(token().orElseThrow().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] key = derive.doFinal("patchwright console key v1".getBytes(StandardCharsets.UTF_8));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return B64.encodeToString(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
        }
    }
}
