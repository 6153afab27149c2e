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
        String messageId, String envelopeFrom, String recipient, byte[] mime) {}
