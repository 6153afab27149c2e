package io.sendline.edge.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sendline.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Builds SNS HTTP deliveries the way SNS does (JSON fields, canonical string per AWS's "Verifying
 * the signatures of Amazon SNS messages"), signed with a test key. Written independently of the
 * edge's own canonicalisation so the two check each other.
 */
public final class SnsSigner {

    public static final String CERT_URL =
            "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem";
    public static final String TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:ses-events";

    private final PrivateKey key;

    public SnsSigner(PrivateKey key) {
        this.key = key;
    }

    /** A signed Notification carrying {@code message}. */
    public ObjectNode notification(
            String messageId, String message, String timestamp, String version, String certUrl) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("Type", "Notification");
        n.put("MessageId", messageId);
        n.put("TopicArn", TOPIC_ARN);
        n.put("Message", message);
        n.put("Timestamp", timestamp);
        n.put("SignatureVersion", version);
        String canonical =
                "Message\n"
                        + message
                        + "\n"
                        + "MessageId\n"
                        + messageId
                        + "\n"
                        + "Timestamp\n"
                        + timestamp
                        + "\n"
                        + "TopicArn\n"
                        + TOPIC_ARN
                        + "\n"
                        + "Type\nNotification\n";
        n.put("Signature", sign(canonical, version));
        n.put("SigningCertURL", certUrl);
        n.put(
                "UnsubscribeURL",
                "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn="
                        + TOPIC_ARN
                        + ":1");
        return n;
    }

    /** A signed SubscriptionConfirmation. */
    public ObjectNode subscriptionConfirmation(
            String messageId, String subscribeUrl, String timestamp) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        String token = "2336412f37fb687f5d51e6e2425c464de12884b0a94b5b8e9d5f1c2a1";
        String message =
                "You have chosen to subscribe to the topic "
                        + TOPIC_ARN
                        + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.";
        n.put("Type", "SubscriptionConfirmation");
        n.put("MessageId", messageId);
        n.put("Token", token);
        n.put("TopicArn", TOPIC_ARN);
        n.put("Message", message);
        n.put("SubscribeURL", subscribeUrl);
        n.put("Timestamp", timestamp);
        n.put("SignatureVersion", "1");
        String canonical =
                "Message\n"
                        + message
                        + "\n"
                        + "MessageId\n"
                        + messageId
                        + "\n"
                        + "SubscribeURL\n"
                        + subscribeUrl
                        + "\n"
                        + "Timestamp\n"
                        + timestamp
                        + "\n"
                        + "Token\n"
                        + token
                        + "\n"
                        + "TopicArn\n"
                        + TOPIC_ARN
                        + "\n"
                        + "Type\nSubscriptionConfirmation\n";
        n.put("Signature", sign(canonical, "1"));
        n.put("SigningCertURL", CERT_URL);
        return n;
    }

    private String sign(String canonical, String version) {
        try {
            Signature s =
                    Signature.getInstance("2".equals(version) ? "SHA256withRSA" : "SHA1withRSA");
            s.initSign(key);
            s.update(canonical.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(s.sign());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
