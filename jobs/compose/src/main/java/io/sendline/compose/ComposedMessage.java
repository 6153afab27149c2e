package io.sendline.compose;

/**
 * A message ready for a relay.
 *
 * @param messageId the Message-ID header value, without angle brackets
 * @param envelopeFrom return path for SMTP MAIL FROM
 * @param recipient ASCII (punycode-domain) recipient address for RCPT TO
 * @param mime the complete RFC 5322 message
 */
public record ComposedMessage(
        String messageId, String envelopeFrom, String recipient, byte[] mime) {

    /**
     * True when an envelope address has a non-ASCII local part: the relay must then use SMTPUTF8
     * (RFC 6531), and the headers carry those addresses as UTF-8 (RFC 6532).
     */
    public boolean requiresSmtpUtf8() {
        return !isAscii(envelopeFrom) || !isAscii(recipient);
    }

    private static boolean isAscii(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
