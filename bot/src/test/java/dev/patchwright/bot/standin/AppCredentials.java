package dev.patchwright.bot.standin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GitHub App's identity as GitHub holds it: the app's RSA key pair (GitHub keeps the public half
 * and hands the private half to the app owner), the JWT check for app endpoints, and the installation
 * tokens minted from a valid JWT.
 */
final class AppCredentials {

    /** GitHub refuses app JWTs whose lifetime exceeds ten minutes; allow a minute of clock drift. */
    private static final long MAX_JWT_LIFETIME_S = 600 + 60;
    private static final long TOKEN_LIFETIME_S = 3600;

    private final long appId;
    private final KeyPair keys;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final ObjectMapper json = new ObjectMapper();
    private final Map<String, Instant> tokens = new ConcurrentHashMap<>();

    AppCredentials(long appId, Clock clock) {
        this.appId = appId;
        this.clock = clock;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048, random);
            this.keys = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK cannot generate an RSA key pair", e);
        }
    }

    long appId() {
        return appId;
    }

    KeyPair keys() {
        return keys;
    }

    /** The private key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
    String privateKeyPkcs8Pem() {
        return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /**
     * The private key as PKCS#1 PEM ({@code BEGIN RSA PRIVATE KEY}), the format of the key file GitHub
     * lets an app owner download. A PKCS#8 RSA key is a DER SEQUENCE {version, algorithm, OCTET STRING
     * holding the PKCS#1 key}; this unwraps that octet string.
     */
    String privateKeyPkcs1Pem() {
        byte[] der = keys.getPrivate().getEncoded();
        int[] outer = derHeader(der, 0, 0x30);
        int at = outer[0];
        int[] version = derHeader(der, at, 0x02);
        at = version[0] + version[1];
        int[] algorithm = derHeader(der, at, 0x30);
        at = algorithm[0] + algorithm[1];
        int[] key = derHeader(der, at, 0x04);
        return pem("RSA PRIVATE KEY", Arrays.copyOfRange(der, key[0], key[0] + key[1]));
    }

    /** Returns {content offset, content length} of the DER element at {@code at}, which must have {@code tag}. */
    private static int[] derHeader(byte[] der, int at, int tag) {
        if ((der[at] & 0xff) != tag) {
            throw new IllegalStateException("unexpected DER tag " + (der[at] & 0xff) + " at " + at);
        }
        int first = der[at + 1] & 0xff;
        if (first < 0x80) {
            return new int[] {at + 2, first};
        }
        int count = first & 0x7f;
        int length = 0;
        for (int i = 0; i < count; i++) {
            length = (length << 8) | (der[at + 2 + i] & 0xff);
        }
        return new int[] {at + 2 + count, length};
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    /**
     * Checks an app JWT the way GitHub does: RS256, signed by the app's key, {@code iss} the app id,
     * {@code exp} in the future and at most ten minutes (plus drift) away.
     *
     * @return null when the JWT is acceptable, else GitHub-style reason for the 401
     */
    String jwtProblem(String jwt) {
        String[] parts = jwt.split("\\.", -1);
        if (parts.length != 3) {
            return "A JSON web token could not be decoded";
        }
        try {
            Base64.Decoder url = Base64.getUrlDecoder();
            JsonNode header = json.readTree(url.decode(parts[0]));
            JsonNode claims = json.readTree(url.decode(parts[1]));
            if (!"RS256".equals(header.path("alg").asText())) {
                return "A JSON web token could not be decoded";
            }
            Signature verifier = Signature.getInstance("SHA256withRSA");
            verifier.initVerify(keys.getPublic());
            verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!verifier.verify(url.decode(parts[2]))) {
                return "A JSON web token could not be decoded";
            }
            if (!claims.path("iss").asText().equals(Long.toString(appId))) {
                return "'Issuer' claim ('iss') must be an Integer";
            }
            long now = clock.instant().getEpochSecond();
            long exp = claims.path("exp").asLong(0);
            if (!claims.path("exp").canConvertToLong() || exp <= now) {
                return "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires";
            }
            if (exp - now > MAX_JWT_LIFETIME_S) {
                return "'Expiration time' claim ('exp') is too far in the future";
            }
            return null;
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            return "A JSON web token could not be decoded";
        }
    }

    /** Mints a new installation token ({@code ghs_} followed by 36 alphanumerics) valid one hour. */
    Map.Entry<String, Instant> mintToken() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder token = new StringBuilder("ghs_");
        for (int i = 0; i < 36; i++) {
            token.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        Instant expiry = clock.instant().plusSeconds(TOKEN_LIFETIME_S);
        tokens.put(token.toString(), expiry);
        return Map.entry(token.toString(), expiry);
    }

    boolean tokenValid(String token) {
        Instant expiry = token == null ? null : tokens.get(token);
        return expiry != null && clock.instant().isBefore(expiry);
    }

    /** Makes every token minted so far invalid, as if an hour had passed. */
    void expireTokens() {
        tokens.replaceAll((token, expiry) -> Instant.EPOCH);
    }

    /** HMAC-SHA256 of a webhook body, formatted as GitHub's {@code X-Hub-Signature-256} header. */
    static String signature(String secret, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no HmacSHA256", e);
        }
    }
}
