package io.sendline.compose;

import java.util.List;
import java.util.Map;

/**
 * Everything about one message except the template.
 *
 * @param jobId Sendline job id (Message-ID, tracking URLs, job-id header): letters, digits, {@code
 *     . _ -}, at most 128
 * @param marketing true for marketing mail (List-Unsubscribe headers)
 * @param pool sending pool (Feedback-ID)
 * @param campaignId campaign (Feedback-ID), or null
 * @param from sender address
 * @param fromName sender display name, or null
 * @param to recipient address
 * @param toName recipient display name, or null
 * @param replyTo reply-to address, or null
 * @param variables template variables (values: String, Number, Boolean, List, Map)
 * @param headers extra headers (the edge's allow-list; the composer refuses the headers it writes
 *     itself, those DKIM signs and the relays' control headers)
 * @param attachments attachment contents already fetched, or null
 * @param attachmentRefs attachments by content hash, fetched through the composer's {@link
 *     AttachmentStore}, or null
 */
public record MessageSpec(
        String jobId,
        boolean marketing,
        String pool,
        String campaignId,
        String from,
        String fromName,
        String to,
        String toName,
        String replyTo,
        Map<String, Object> variables,
        Map<String, String> headers,
        List<AttachmentContent> attachments,
        List<AttachmentRef> attachmentRefs) {

    /** A message without attachment references (the original twelve-field form). */
    public MessageSpec(
            String jobId,
            boolean marketing,
            String pool,
            String campaignId,
            String from,
            String fromName,
            String to,
            String toName,
            String replyTo,
            Map<String, Object> variables,
            Map<String, String> headers,
            List<AttachmentContent> attachments) {
        this(
                jobId,
                marketing,
                pool,
                campaignId,
                from,
                fromName,
                to,
                toName,
                replyTo,
                variables,
                headers,
                attachments,
                null);
    }
}
