package io.sendline.compose;

import java.util.List;
import java.util.Map;

/**
 * Everything about one message except the template.
 *
 * @param jobId Sendline job id (Message-ID, tracking URLs, job-id header)
 * @param marketing true for marketing mail (List-Unsubscribe headers)
 * @param pool sending pool (Feedback-ID)
 * @param campaignId campaign (Feedback-ID), or null
 * @param from sender address
 * @param fromName sender display name, or null
 * @param to recipient address
 * @param toName recipient display name, or null
 * @param replyTo reply-to address, or null
 * @param variables template variables (values: String, Number, Boolean, List, Map)
 * @param headers extra allow-listed headers
 * @param attachments attachment contents, fetched at send time
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
        List<AttachmentContent> attachments) {}
