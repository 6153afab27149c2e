package io.sendline.relay.smtp;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Puts the job id into headers of the outgoing message so the relay's webhooks join back to the
 * job: always {@value #SENDLINE_HEADER} (unless the composer already wrote it), plus the header the
 * relay echoes in its events ({@link SmtpSettings.Provider}): SendGrid's {@code X-SMTPAPI} unique
 * argument, Mailgun's {@code X-Mailgun-Variables}, Postmark's {@code X-PM-Metadata-*}.
 *
 * <p>The headers are prepended to the composed bytes, which are otherwise left untouched: a DKIM
 * signature stays valid because it does not cover headers added above it (a verifier only checks
 * the headers named in its {@code h=} tag, taking the bottom-most instance of each).
 */
public final class JobIdHeaders {

    /** The header carrying the Sendline job id. */
    public static final String SENDLINE_HEADER = "X-Sendline-Job-Id";

    /** Name of the job id in provider variables (SendGrid, Mailgun, Postmark). */
    public static final String VARIABLE = "sendline-job-id";

    private static final byte[] SENDLINE_PREFIX =
            (SENDLINE_HEADER + ":").toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);

    private JobIdHeaders() {}

    /**
     * {@code mime} with the job id headers for {@code provider} in front. Characters of the job id
     * outside {@code [A-Za-z0-9._:-]} become {@code _}, so no job id can inject a header or break
     * the JSON of a provider header.
     */
    public static byte[] apply(byte[] mime, String jobId, SmtpSettings.Provider provider) {
        if (jobId == null || jobId.isEmpty()) {
            return mime;
        }
        String id = safe(jobId);
        StringBuilder h = new StringBuilder(128);
        if (!hasSendlineHeader(mime)) {
            h.append(SENDLINE_HEADER).append(": ").append(id).append("\r\n");
        }
        switch (provider) {
            case SENDGRID:
                // Unique arguments are echoed at the top level of every Event Webhook event.
                h.append("X-SMTPAPI: {\"unique_args\":{\"")
                        .append(VARIABLE)
                        .append("\":\"")
                        .append(id)
                        .append("\"}}\r\n");
                break;
            case MAILGUN:
                h.append("X-Mailgun-Variables: {\"")
                        .append(VARIABLE)
                        .append("\":\"")
                        .append(id)
                        .append("\"}\r\n");
                break;
            case POSTMARK:
                h.append("X-PM-Metadata-").append(VARIABLE).append(": ").append(id).append("\r\n");
                break;
            default:
                break;
        }
        if (h.length() == 0) {
            return mime;
        }
        byte[] prefix = h.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[prefix.length + mime.length];
        System.arraycopy(prefix, 0, out, 0, prefix.length);
        System.arraycopy(mime, 0, out, prefix.length, mime.length);
        return out;
    }

    static String safe(String jobId) {
        StringBuilder b = new StringBuilder(Math.min(jobId.length(), 200));
        for (int i = 0; i < jobId.length() && b.length() < 200; i++) {
            char c = jobId.charAt(i);
            boolean ok =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '.'
                            || c == '_'
                            || c == ':'
                            || c == '-';
            b.append(ok ? c : '_');
        }
        return b.toString();
    }

    /** True when the header block of {@code mime} has an {@value #SENDLINE_HEADER} field. */
    static boolean hasSendlineHeader(byte[] mime) {
        int lineStart = 0;
        int n = mime.length;
        while (lineStart < n) {
            // An empty line ends the header block.
            if (mime[lineStart] == '\r' || mime[lineStart] == '\n') {
                return false;
            }
            if (startsWithIgnoreCase(mime, lineStart, SENDLINE_PREFIX)) {
                return true;
            }
            int i = lineStart;
            while (i < n && mime[i] != '\n') {
                i++;
            }
            lineStart = i + 1;
        }
        return false;
    }

    private static boolean startsWithIgnoreCase(byte[] b, int at, byte[] lowerPrefix) {
        if (at + lowerPrefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < lowerPrefix.length; i++) {
            int c = b[at + i];
            if (c >= 'A' && c <= 'Z') {
                c += 'a' - 'A';
            }
            if (c != lowerPrefix[i]) {
                return false;
            }
        }
        return true;
    }
}
