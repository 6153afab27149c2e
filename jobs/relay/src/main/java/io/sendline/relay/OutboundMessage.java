package io.sendline.relay;

import java.util.Map;

/**
 * One composed message ready for a relay.
 *
 * @param jobId Sendline job id; relays carry it (SES message tag, SMTP header) so webhooks join
 *     back
 * @param pool sending pool (selects the SES configuration set / SMTP account)
 * @param envelopeFrom SMTP MAIL FROM (return path)
 * @param recipient SMTP RCPT TO, one recipient per message
 * @param mime the complete RFC 5322 message, headers and signature included
 * @param tags extra provider tags (name to value), e.g. campaign id
 */
public record OutboundMessage(
        String jobId,
        String pool,
        String envelopeFrom,
        String recipient,
        byte[] mime,
        Map<String, String> tags) {}
