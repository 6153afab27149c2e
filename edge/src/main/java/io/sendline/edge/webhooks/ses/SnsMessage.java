package io.sendline.edge.webhooks.ses;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.webhooks.Webhooks;

/**
 * An Amazon SNS HTTP(S) delivery: a Notification, SubscriptionConfirmation or
 * UnsubscribeConfirmation, as SNS posts it (JSON with {@code Content-Type: text/plain}).
 */
public record SnsMessage(
        String type,
        String messageId,
        String token,
        String topicArn,
        String subject,
        String message,
        String timestamp,
        String signatureVersion,
        String signature,
        String signingCertUrl,
        String subscribeUrl,
        String unsubscribeUrl) {

    public static final String NOTIFICATION = "Notification";
    public static final String SUBSCRIPTION_CONFIRMATION = "SubscriptionConfirmation";
    public static final String UNSUBSCRIBE_CONFIRMATION = "UnsubscribeConfirmation";

    /** Reads the fields of an SNS JSON document. */
    public static SnsMessage of(JsonNode n) {
        return new SnsMessage(
                Webhooks.text(n, "Type"),
                Webhooks.text(n, "MessageId"),
                Webhooks.text(n, "Token"),
                Webhooks.text(n, "TopicArn"),
                Webhooks.text(n, "Subject"),
                Webhooks.text(n, "Message"),
                Webhooks.text(n, "Timestamp"),
                Webhooks.text(n, "SignatureVersion"),
                Webhooks.text(n, "Signature"),
                Webhooks.text(n, "SigningCertURL"),
                Webhooks.text(n, "SubscribeURL"),
                Webhooks.text(n, "UnsubscribeURL"));
    }

    /**
     * The string SNS signs: selected fields as {@code name\nvalue\n}, in byte order of the names,
     * for Notification: Message, MessageId, Subject (only when present), Timestamp, TopicArn, Type;
     * for the confirmations: Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
     *
     * @return the canonical string, or null when a signed field is missing
     */
    public String canonical() {
        StringBuilder b = new StringBuilder(256 + (message == null ? 0 : message.length()));
        if (NOTIFICATION.equals(type)) {
            if (!add(b, "Message", message) || !add(b, "MessageId", messageId)) {
                return null;
            }
            if (subject != null) {
                add(b, "Subject", subject);
            }
            if (!add(b, "Timestamp", timestamp)
                    || !add(b, "TopicArn", topicArn)
                    || !add(b, "Type", type)) {
                return null;
            }
            return b.toString();
        }
        if (SUBSCRIPTION_CONFIRMATION.equals(type) || UNSUBSCRIBE_CONFIRMATION.equals(type)) {
            boolean ok =
                    add(b, "Message", message)
                            && add(b, "MessageId", messageId)
                            && add(b, "SubscribeURL", subscribeUrl)
                            && add(b, "Timestamp", timestamp)
                            && add(b, "Token", token)
                            && add(b, "TopicArn", topicArn)
                            && add(b, "Type", type);
            return ok ? b.toString() : null;
        }
        return null;
    }

    private static boolean add(StringBuilder b, String name, String value) {
        if (value == null) {
            return false;
        }
        b.append(name).append('\n').append(value).append('\n');
        return true;
    }
}
