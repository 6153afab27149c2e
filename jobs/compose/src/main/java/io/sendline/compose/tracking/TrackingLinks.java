package io.sendline.compose.tracking;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signed URLs of click tracking, the open pixel and one-click unsubscribe: composition makes
 * them, the HTTP edge verifies them. Every URL carries an HMAC-SHA256 (truncated to 128 bits) over
 * its purpose, the job id and its payload, so a click URL cannot be pointed at another target (no
 * open redirect) and an unsubscribe token cannot be forged for another address.
 *
 * <pre>
 * click:       {base}/c/{jobId}/{base64url(target)}/{sig}
 * open pixel:  {base}/o/{jobId}/{sig}.gif
 * unsubscribe: {base}/u/{token}         token = base64url(jobId "\n" address) "." sig
 * </pre>
 *
 * Thread-safe.
 */
public final class TrackingLinks {

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final int SIG_BYTES = 16;
    private static final byte[] PURPOSE_CLICK = {'c'};

    private final String base;
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> mac;

    /**
     * @param baseUrl public base URL of the tracking host, e.g. {@code https://t.example.com}
     * @param secret HMAC key, at least 32 bytes
     */
    public TrackingLinks(String baseUrl, byte[] secret) {
        if (baseUrl == null || !(baseUrl.startsWith("https://") || baseUrl.startsWith("http://"))) {
            throw new IllegalArgumentException("tracking base URL must be http(s)");
        }
        if (secret == null || secret.length < 32) {
            throw new IllegalArgumentException("tracking secret must be at least 32 bytes");
        }
        this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.key = new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    /**
     * A secret as written in configuration, the one syntax of the edge and the send pipeline (which
     * must agree on the tracking key): {@code hex:...}, {@code base64:...}, or UTF-8 text.
     *
     * @throws IllegalArgumentException if a {@code hex:} or {@code base64:} value is malformed
     */
    public static byte[] parseSecret(String setting) {
        try {
            if (setting.startsWith("hex:")) {
                return HexFormat.of().parseHex(setting.substring(4));
            }
            if (setting.startsWith("base64:")) {
                return Base64.getDecoder().decode(setting.substring(7));
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed hex/base64 secret", e);
        }
        return setting.getBytes(StandardCharsets.UTF_8);
    }

    /** Base URL without a trailing slash. */
    public String baseUrl() {
        return base;
    }

    /** The click-tracking URL that redirects to {@code target}. */
    public String clickUrl(String jobId, String target) {
        byte[] t = utf8(target); // once for the path and the signature: this runs per link
        String encoded = B64.encodeToString(t);
        String sig = sign(PURPOSE_CLICK, jobId, t);
        return new StringBuilder(base.length() + jobId.length() + encoded.length() + 32)
                .append(base)
                .append("/c/")
                .append(jobId)
                .append('/')
                .append(encoded)
                .append('/')
                .append(sig)
                .toString();
    }

    /** The open pixel URL. */
    public String openUrl(String jobId) {
        return base + "/o/" + jobId + "/" + sign("o", jobId, "") + ".gif";
    }

    /** The one-click unsubscribe URL (RFC 8058 target of List-Unsubscribe). */
    public String unsubscribeUrl(String jobId, String address) {
        return base + "/u/" + unsubscribeToken(jobId, address);
    }

    /** The signed token that identifies a job and its recipient for unsubscribing. */
    public String unsubscribeToken(String jobId, String address) {
        return B64.encodeToString(utf8(jobId + "\n" + address)) + "." + sign("u", jobId, address);
    }

    /**
     * Verifies a click path's parts; returns the target only when the signature matches and the
     * target is an http(s) URL.
     */
    public Optional<String> verifyClick(String jobId, String encodedTarget, String sig) {
        String target;
        try {
            target = new String(B64D.decode(encodedTarget), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!(target.startsWith("https://") || target.startsWith("http://"))) {
            return Optional.empty();
        }
        return matches(sign("c", jobId, target), sig) ? Optional.of(target) : Optional.empty();
    }

    /** Verifies an open pixel's signature (without the {@code .gif} suffix). */
    public boolean verifyOpen(String jobId, String sig) {
        return matches(sign("o", jobId, ""), sig);
    }

    /** Verifies an unsubscribe token. */
    public Optional<UnsubscribeToken> verifyUnsubscribe(String token) {
        int dot = token == null ? -1 : token.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        String payload;
        try {
            payload = new String(B64D.decode(token.substring(0, dot)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int nl = payload.indexOf('\n');
        if (nl <= 0) {
            return Optional.empty();
        }
        String jobId = payload.substring(0, nl);
        String address = payload.substring(nl + 1);
        return matches(sign("u", jobId, address), token.substring(dot + 1))
                ? Optional.of(new UnsubscribeToken(jobId, address))
                : Optional.empty();
    }

    /**
     * A verified unsubscribe token.
     *
     * @param jobId job whose message carried the link
     * @param address recipient address to unsubscribe
     */
    public record UnsubscribeToken(String jobId, String address) {}

    private String sign(String purpose, String jobId, String payload) {
        return sign(utf8(purpose), jobId, utf8(payload));
    }

    private String sign(byte[] purpose, String jobId, byte[] payload) {
        Mac m = mac.get();
        m.update(purpose);
        m.update((byte) '\n');
        m.update(utf8(jobId));
        m.update((byte) '\n');
        byte[] full = m.doFinal(payload);
        byte[] truncated = new byte[SIG_BYTES];
        System.arraycopy(full, 0, truncated, 0, SIG_BYTES);
        return B64.encodeToString(truncated);
    }

    private static boolean matches(String expected, String given) {
        return given != null && MessageDigest.isEqual(utf8(expected), utf8(given));
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
