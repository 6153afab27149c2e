package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Something that happened to one email: the payload of {@code email.events}, keyed by job id.
 * Written by send-pipeline (QUEUED ... SENT, FAILED, SUPPRESSED) and event-aggregation (DELIVERED,
 * BOUNCED, COMPLAINED, OPENED, CLICKED, UNSUBSCRIBED).
 *
 * @param eventId unique id of this event (deterministic where replays must produce the same id)
 * @param jobId the email
 * @param type what happened
 * @param emailType transactional or marketing
 * @param pool sending pool
 * @param campaignId campaign, if any
 * @param recipientDomain recipient's domain (never the full address: events feed analytics)
 * @param provider relay that handled it, if any
 * @param providerMessageId relay's message id, once sent
 * @param reason human-readable reason for FAILED, DEFERRED, SUPPRESSED, BOUNCED
 * @param attempt delivery attempt number
 * @param tags caller tags of the email
 * @param metadata caller metadata of the email
 * @param occurredAt when it happened
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmailEvent(
        String eventId,
        String jobId,
        EmailEventType type,
        EmailType emailType,
        String pool,
        String campaignId,
        String recipientDomain,
        String provider,
        String providerMessageId,
        String reason,
        int attempt,
        List<String> tags,
        Map<String, String> metadata,
        Instant occurredAt) {}
