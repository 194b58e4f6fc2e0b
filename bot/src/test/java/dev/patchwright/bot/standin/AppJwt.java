package dev.patchwright.bot.standin;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/** Signs GitHub App JWTs (RS256) the way an app does, for tests that play the app against the stand-in. */
final class AppJwt {

    private AppJwt() {
    }

    /** A JWT for {@code appId}, issued a minute ago and expiring in nine minutes, as GitHub recommends. */
    static String sign(PrivateKey key, long appId) {
        Instant now = Instant.now();
        return sign(key, Long.toString(appId), now.minusSeconds(60), now.plusSeconds(540));
    }

    static String sign(PrivateKey key, String issuer, Instant issuedAt, Instant expiresAt) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String header = url.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        String claims = url.encodeToString(("{\"iat\":" + issuedAt.getEpochSecond() + ",\"exp\":" + expiresAt.getEpochSecond()
                + ",\"iss\":\"" + issuer + "\"}").getBytes(StandardCharsets.UTF_8));
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(key);
            signer.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
            return header + "." + claims + "." + url.encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a JWT", e);
        }
    }
}
