package io.sendline.compose.dkim;

import io.sendline.compose.mime.ByteSink;
import io.sendline.compose.mime.HeaderBlock;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DKIM signing (RFC 6376), {@code rsa-sha256} with {@code relaxed/relaxed} canonicalization, for
 * one sending domain and selector.
 *
 * <p>Written here rather than taken from a library: no DKIM library is served to this build, and
 * the composer writes the message itself, so only the small part of DKIM that signing needs is
 * here: relaxed canonicalization of the header fields it wrote (recorded in a {@link HeaderBlock})
 * and the body hash over the body bytes as written, which are already in relaxed canonical form by
 * construction (quoted-printable and base64 parts without trailing or repeated whitespace: see
 * {@link #isRelaxedCanonicalBody}, which the tests hold every composed body to). Signatures are
 * checked in the tests by an independent verifier (Debian's python3-dkim).
 *
 * <p>Thread-safe: the JDK {@link Signature} and digest are kept per thread.
 */
public final class DkimSigner {

    private static final Pattern DOMAIN = Pattern.compile("[a-z0-9]([a-z0-9.-]*[a-z0-9])?");
    private static final Pattern SELECTOR = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]*)?");
    private static final Base64.Encoder B64 = Base64.getEncoder();

    /**
     * Header fields signed when present, in this order. {@code from} and {@code subject} are also
     * signed once more than they occur ("over-signed"), so that no second From or Subject can be
     * added to a signed message.
     */
    public static final List<String> SIGNED =
            List.of(
                    "from",
                    "to",
                    "subject",
                    "date",
                    "message-id",
                    "reply-to",
                    "mime-version",
                    "content-type",
                    "list-unsubscribe",
                    "list-unsubscribe-post",
                    "feedback-id");

    private static final List<String> OVERSIGNED = List.of("from", "subject");

    private final String domain;
    private final String selector;
    private final PrivateKey key;
    private final ThreadLocal<Signature> signature;
    private final ThreadLocal<MessageDigest> sha256;

    /**
     * @param domain the signing domain ({@code d=}), ASCII
     * @param selector the selector ({@code s=})
     * @param key an RSA private key of at least 1024 bits (2048 recommended)
     */
    public DkimSigner(String domain, String selector, PrivateKey key) {
        String d = domain == null ? "" : domain.toLowerCase(Locale.ROOT);
        if (!DOMAIN.matcher(d).matches() || d.indexOf('.') < 0) {
            throw new IllegalArgumentException("DKIM domain must be an ASCII host name");
        }
        if (selector == null || !SELECTOR.matcher(selector).matches()) {
            throw new IllegalArgumentException("DKIM selector must be a DNS label");
        }
        if (!(key instanceof RSAKey rsa) || !"RSA".equals(key.getAlgorithm())) {
            throw new IllegalArgumentException("DKIM key must be an RSA private key");
        }
        if (rsa.getModulus().bitLength() < 1024) {
            throw new IllegalArgumentException("DKIM key must have at least 1024 bits");
        }
        this.domain = d;
        this.selector = selector;
        this.key = key;
        this.signature = ThreadLocal.withInitial(this::newSignature);
        this.sha256 = ThreadLocal.withInitial(DkimSigner::newSha256);
        newSignature(); // fail at construction, not at the first message
    }

    public String domain() {
        return domain;
    }

    public String selector() {
        return selector;
    }

    /**
     * Signs a message and returns its {@code DKIM-Signature} field, CRLF included, to be written
     * before the other header fields.
     *
     * @param headers the header fields as written
     * @param body the body as written, already in relaxed canonical form
     * @param timestamp signature time ({@code t=}), seconds since the epoch
     */
    public byte[] sign(HeaderBlock headers, byte[] body, int bodyOff, int bodyLen, long timestamp) {
        MessageDigest md = sha256.get();
        md.update(body, bodyOff, bodyLen);
        String bh = B64.encodeToString(md.digest());

        List<Integer> fields = new ArrayList<>(SIGNED.size() + OVERSIGNED.size());
        StringBuilder h = new StringBuilder(160);
        for (String name : SIGNED) {
            int i = headers.lastIndexOf(name);
            if (i >= 0) {
                fields.add(i);
                h.append(h.length() == 0 ? "" : ":").append(name);
            }
        }
        for (String name : OVERSIGNED) {
            h.append(':').append(name);
        }

        StringBuilder dkim = new StringBuilder(512);
        dkim.append("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=")
                .append(domain)
                .append(";\r\n s=")
                .append(selector)
                .append("; t=")
                .append(timestamp)
                .append(";\r\n h=");
        appendFolded(dkim, h, ':');
        dkim.append(";\r\n bh=").append(bh).append(";\r\n b=");

        ByteSink canon = new ByteSink(1024);
        byte[] raw = headers.sink().array();
        for (int i : fields) {
            canonicalizeHeader(raw, headers.start(i), headers.end(i), canon);
        }
        byte[] dkimBytes = dkim.toString().getBytes(StandardCharsets.US_ASCII);
        ByteSink own = new ByteSink(dkimBytes.length);
        canonicalizeHeader(dkimBytes, 0, dkimBytes.length, own);
        // the DKIM-Signature field itself is signed without its trailing CRLF
        canon.write(own.array(), 0, own.length() - 2);

        String b;
        try {
            Signature s = signature.get();
            s.update(canon.array(), 0, canon.length());
            b = B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DKIM signing failed", e);
        }
        for (int i = 0; i < b.length(); i += 72) {
            dkim.append("\r\n ").append(b, i, Math.min(b.length(), i + 72));
        }
        dkim.append("\r\n");
        return dkim.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Appends a colon-separated list, folding before a separator when a line gets long. */
    private static void appendFolded(StringBuilder out, CharSequence list, char sep) {
        int lineStart = out.lastIndexOf("\n") + 1;
        int start = 0;
        for (int i = 0; i <= list.length(); i++) {
            if (i == list.length() || list.charAt(i) == sep) {
                if (out.length() - lineStart + (i - start) > 76 && start > 0) {
                    out.append("\r\n ");
                    lineStart = out.length() - 1;
                }
                out.append(list, start, i);
                if (i < list.length()) {
                    out.append(sep);
                }
                start = i + 1;
            }
        }
    }

    /**
     * Relaxed header canonicalization (RFC 6376 3.4.2) of one field {@code [start, end)} (CRLF
     * included): lower-case name, unfolded, runs of whitespace as one space, no whitespace at the
     * ends of the value or around the colon; written with a CRLF.
     */
    public static void canonicalizeHeader(byte[] a, int start, int end, ByteSink out) {
        int colon = start;
        while (colon < end && a[colon] != ':') {
            colon++;
        }
        int nameEnd = colon;
        while (nameEnd > start && isWsp(a[nameEnd - 1])) {
            nameEnd--;
        }
        for (int i = start; i < nameEnd; i++) {
            byte c = a[i];
            out.write(c >= 'A' && c <= 'Z' ? c + 32 : c);
        }
        out.write(':');
        boolean pendingSpace = false;
        boolean any = false;
        for (int i = colon + 1; i < end; i++) {
            byte c = a[i];
            if (c == '\r' || c == '\n' || isWsp(c)) {
                pendingSpace = true;
                continue;
            }
            if (pendingSpace && any) {
                out.write(' ');
            }
            pendingSpace = false;
            any = true;
            out.write(c);
        }
        out.crlf();
    }

    /**
     * True when the body is its own relaxed body canonical form (RFC 6376 3.4.4): CRLF line ends
     * only, no whitespace at a line end, no run of whitespace and no tab, no empty lines at the
     * end, and a final CRLF.
     */
    public static boolean isRelaxedCanonicalBody(byte[] a, int off, int len) {
        if (len == 0) {
            return true;
        }
        int end = off + len;
        if (len < 2 || a[end - 2] != '\r' || a[end - 1] != '\n') {
            return false;
        }
        if (len >= 4 && a[end - 4] == '\r' && a[end - 3] == '\n') {
            return false;
        }
        for (int i = off; i < end; i++) {
            byte c = a[i];
            if (c == '\t') {
                return false;
            }
            if (c == ' ' && (i + 1 >= end || a[i + 1] == ' ' || a[i + 1] == '\r')) {
                return false;
            }
            if (c == '\r' && (i + 1 >= end || a[i + 1] != '\n')) {
                return false;
            }
            if (c == '\n' && (i == off || a[i - 1] != '\r')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWsp(byte c) {
        return c == ' ' || c == '\t';
    }

    private Signature newSignature() {
        try {
            Signature s = Signature.getInstance("SHA256withRSA");
            s.initSign(key);
            return s;
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalArgumentException("DKIM key cannot sign: " + e.getMessage(), e);
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
