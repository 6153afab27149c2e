package io.sendline.relay;

import java.time.Duration;

/** A relay's answer to one message: accepted with the provider's id, or a classified failure. */
public sealed interface RelayResult {

    /** The outcome class. */
    Outcome outcome();

    /**
     * Accepted by the relay.
     *
     * @param providerMessageId the relay's message id (SES MessageId, SMTP queue id or Message-ID)
     */
    record Accepted(String providerMessageId) implements RelayResult {
        @Override
        public Outcome outcome() {
            return Outcome.ACCEPTED;
        }
    }

    /**
     * Not accepted.
     *
     * @param outcome classification (never ACCEPTED)
     * @param replyCode SMTP reply code or HTTP status, 0 when none (e.g. timeout)
     * @param enhancedStatus RFC 3463 code such as {@code 5.1.1}, or null
     * @param detail provider's text, without recipient addresses
     * @param retryAfter back-off hint from the relay ("retry in N seconds"), or null
     */
    record Failed(
            Outcome outcome,
            int replyCode,
            String enhancedStatus,
            String detail,
            Duration retryAfter)
            implements RelayResult {}
}
