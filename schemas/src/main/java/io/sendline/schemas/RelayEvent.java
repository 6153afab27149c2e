package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A relay webhook or tracking hit, normalised: the payload of {@code email.relay-events}, keyed by
 * job id (or provider message id when the job id is not known).
 *
 * @param eventId provider event id (SNS MessageId, sg_event_id, Mailgun event id, or ours): the
 *     deduplication key
 * @param provider where it came from
 * @param type what happened
 * @param jobId Sendline job id, when the webhook carried it
 * @param providerMessageId relay's message id
 * @param recipient address concerned
 * @param bounceType PERMANENT, TRANSIENT or UNDETERMINED for bounces
 * @param bounceSubType provider sub-type (e.g. General, NoEmail, MailboxFull)
 * @param diagnosticCode the remote MTA's diagnostic text
 * @param enhancedStatus RFC 3463 enhanced status code, e.g. 5.1.1
 * @param url clicked target for clicks
 * @param userAgent user agent for opens and clicks
 * @param machineOpen true when an open is likely a proxy prefetch (e.g. Apple MPP)
 * @param occurredAt when it happened at the provider
 * @param receivedAt when Sendline received it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RelayEvent(
        String eventId,
        Provider provider,
        Type type,
        String jobId,
        String providerMessageId,
        String recipient,
        String bounceType,
        String bounceSubType,
        String diagnosticCode,
        String enhancedStatus,
        String url,
        String userAgent,
        boolean machineOpen,
        Instant occurredAt,
        Instant receivedAt) {

    /** Source of the event. */
    public enum Provider {
        SES,
        SENDGRID,
        MAILGUN,
        SMTP,
        SANDBOX,
        TRACKING
    }

    /** Normalised event type. */
    public enum Type {
        DELIVERED,
        BOUNCED,
        COMPLAINED,
        DELAYED,
        REJECTED,
        OPENED,
        CLICKED,
        UNSUBSCRIBED
    }
}
