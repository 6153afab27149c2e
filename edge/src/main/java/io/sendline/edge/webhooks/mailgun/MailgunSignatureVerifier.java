package io.sendline.edge.webhooks.mailgun;

import io.sendline.edge.webhooks.DedupeCache;
import io.sendline.edge.webhooks.Webhooks;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies Mailgun's webhook signature: hex HMAC-SHA256, keyed with the HTTP webhook signing key,
 * over {@code timestamp + token}. A timestamp further than the tolerance from now is refused, and
 * so is a token seen before (Mailgun's token is random per call: seeing it twice means a replay).
 * Tokens are remembered in a bounded cache; a token old enough to have left it is refused by the
 * timestamp check anyway, as long as the cache holds more tokens than arrive within the tolerance.
 */
public final class MailgunSignatureVerifier {

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration tolerance;
    private final DedupeCache tokens;

    public MailgunSignatureVerifier(
            byte[] signingKey, Clock clock, Duration tolerance, int tokenCapacity) {
        this.key = new SecretKeySpec(signingKey.clone(), "HmacSHA256");
        this.clock = clock;
        this.tolerance = tolerance;
        this.tokens = new DedupeCache(tokenCapacity);
    }

    /** Returns normally when the call is authentic, fresh and not a replay; otherwise 401/403. */
    public void verify(String timestamp, String token, String signature) {
        if (timestamp == null || token == null || signature == null) {
            throw Webhooks.unsigned(
                    "missing signature.timestamp, signature.token or signature.signature");
        }
        if (token.length() > 256 || timestamp.length() > 32) {
            throw Webhooks.rejected("malformed signature fields");
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            expected =
                    HexFormat.of()
                            .formatHex(mac.doFinal(token.getBytes(StandardCharsets.UTF_8)))
                            .getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] given =
                signature.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw Webhooks.rejected("webhook signature does not verify");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw Webhooks.rejected("webhook timestamp is not a number");
        }
        Instant at = Instant.ofEpochSecond(ts);
        Instant now = clock.instant();
        if (at.isBefore(now.minus(tolerance)) || at.isAfter(now.plus(tolerance))) {
            throw Webhooks.rejected(
                    "webhook timestamp is outside the accepted window: replay refused");
        }
        if (!tokens.claim(token)) {
            throw Webhooks.rejected("webhook token was already used: replay refused");
        }
    }

    /** Forgets a token whose events could not be published, so Mailgun's retry is accepted. */
    public void release(String token) {
        tokens.release(token);
    }
}
