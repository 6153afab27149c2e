package io.sendline.relay.sandbox;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sandbox webhook's signature: lowercase hex of HMAC-SHA256, keyed with the UTF-8 bytes of the
 * shared secret, over the UTF-8 bytes of the {@code X-Sendline-Timestamp} header value (Unix epoch
 * seconds, decimal) immediately followed by the raw request body, with no separator.
 */
public final class WebhookSignature {

    /** Header carrying the Unix epoch seconds the request was signed at. */
    public static final String TIMESTAMP_HEADER = "X-Sendline-Timestamp";

    /** Header carrying the hex signature. */
    public static final String SIGNATURE_HEADER = "X-Sendline-Signature";

    private WebhookSignature() {}

    /** The signature of {@code body} sent at {@code timestamp}. */
    public static String sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            mac.update(body);
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when {@code signature} is the right one (constant-time comparison). */
    public static boolean verify(String secret, String timestamp, byte[] body, String signature) {
        if (signature == null || timestamp == null) {
            return false;
        }
        byte[] expected = sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given =
                signature
                        .strip()
                        .toLowerCase(java.util.Locale.ROOT)
                        .getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
