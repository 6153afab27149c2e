package io.sendline.edge.webhooks.sendgrid;

import io.sendline.edge.webhooks.Webhooks;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

/**
 * Verifies SendGrid's signed Event Webhook: an ECDSA P-256 signature (SHA256withECDSA, DER, base64
 * in {@code X-Twilio-Email-Event-Webhook-Signature}) over the timestamp header value followed by
 * the raw body, with the verification key from SendGrid's settings (base64 DER). The timestamp must
 * be within the tolerance of now, so an old captured call cannot be replayed.
 */
public final class SendGridSignatureVerifier {

    public static final String SIGNATURE_HEADER = "X-Twilio-Email-Event-Webhook-Signature";
    public static final String TIMESTAMP_HEADER = "X-Twilio-Email-Event-Webhook-Timestamp";

    private final PublicKey key;
    private final Clock clock;
    private final Duration tolerance;

    /**
     * @param base64DerPublicKey the "Verification Key" SendGrid shows, base64 of the DER
     *     SubjectPublicKeyInfo of an EC P-256 key
     */
    public SendGridSignatureVerifier(String base64DerPublicKey, Clock clock, Duration tolerance) {
        try {
            PublicKey k =
                    KeyFactory.getInstance("EC")
                            .generatePublic(
                                    new X509EncodedKeySpec(
                                            Base64.getDecoder()
                                                    .decode(base64DerPublicKey.strip())));
            if (!(k instanceof ECPublicKey ec)
                    || ec.getParams().getCurve().getField().getFieldSize() != 256) {
                throw new IllegalArgumentException("SendGrid verification key must be EC P-256");
            }
            this.key = k;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "SendGrid verification key is not a base64 DER EC public key", e);
        }
        this.clock = clock;
        this.tolerance = tolerance;
    }

    /** Returns normally when the call is authentic and fresh; otherwise throws 401/403. */
    public void verify(String signatureB64, String timestamp, byte[] body) {
        if (signatureB64 == null || timestamp == null) {
            throw Webhooks.unsigned("missing " + SIGNATURE_HEADER + " or " + TIMESTAMP_HEADER);
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw Webhooks.rejected("webhook timestamp is not a number");
        }
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(signatureB64.strip());
        } catch (IllegalArgumentException e) {
            throw Webhooks.rejected("webhook signature is not base64");
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(key);
            s.update(timestamp.getBytes(StandardCharsets.UTF_8));
            s.update(body);
            ok = s.verify(sig);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw Webhooks.rejected("webhook signature does not verify");
        }
        Instant at = Instant.ofEpochSecond(ts);
        Instant now = clock.instant();
        if (at.isBefore(now.minus(tolerance)) || at.isAfter(now.plus(tolerance))) {
            throw Webhooks.rejected(
                    "webhook timestamp is outside the accepted window: replay refused");
        }
    }
}
