package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One email to one recipient: the payload of {@code email.jobs.transactional}, {@code
 * email.jobs.marketing} and {@code email.jobs.retry}. Rendering happens at send time, so the job
 * carries the template reference and variables, not the rendered message.
 *
 * @param jobId unique id (UUID), also the Kafka key
 * @param type transactional or marketing
 * @param pool sending pool (relay configuration, IPs, rate limits), e.g. {@code transactional}
 * @param to recipient address
 * @param toName optional recipient display name
 * @param from sender address
 * @param fromName optional sender display name
 * @param replyTo optional reply-to address
 * @param templateId template to render, or null when the content is inline
 * @param templateVersion pinned template version, or null for the newest at send time
 * @param subject inline subject template (when templateId is null)
 * @param html inline HTML template (when templateId is null)
 * @param text inline plain-text template (optional)
 * @param variables template variables: a JSON object on the wire, kept as its JSON text in Java
 * @param campaignId campaign this job belongs to, or null
 * @param scheduledAt earliest send time, or null to send now
 * @param tags caller tags, echoed on every event of this email
 * @param metadata caller metadata, echoed on every event of this email
 * @param headers extra headers from the allow-list
 * @param attachments references to attachments stored by content hash
 * @param attempt delivery attempt number, 0 for the first
 * @param notBefore for retries: do not try again before this time
 * @param createdAt when the job was accepted
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmailJob(
        String jobId,
        EmailType type,
        String pool,
        String to,
        String toName,
        String from,
        String fromName,
        String replyTo,
        String templateId,
        Integer templateVersion,
        String subject,
        String html,
        String text,
        @JsonSerialize(using = RawJsonSerializer.class)
                @JsonDeserialize(using = RawJsonDeserializer.class)
                String variables,
        String campaignId,
        Instant scheduledAt,
        List<String> tags,
        Map<String, String> metadata,
        Map<String, String> headers,
        List<Attachment> attachments,
        int attempt,
        Instant notBefore,
        Instant createdAt) {

    /** The domain part of the recipient address, lower-cased; empty when there is none. */
    public String recipientDomain() {
        int at = to == null ? -1 : to.lastIndexOf('@');
        return at < 0 ? "" : to.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    }

    /** A copy for the next delivery attempt, not to be tried before {@code notBefore}. */
    public EmailJob nextAttempt(Instant notBefore) {
        return new EmailJob(
                jobId,
                type,
                pool,
                to,
                toName,
                from,
                fromName,
                replyTo,
                templateId,
                templateVersion,
                subject,
                html,
                text,
                variables,
                campaignId,
                scheduledAt,
                tags,
                metadata,
                headers,
                attachments,
                attempt + 1,
                notBefore,
                createdAt);
    }
}
