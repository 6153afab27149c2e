package io.sendline.relay.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Objects;

/**
 * A simulated webhook event, as the sandbox reports it (the JSON format is specified in
 * docs/relays.md). Every field is always present in the JSON; those that do not apply are null.
 *
 * @param eventId unique id of this event (deduplication key)
 * @param type what happened
 * @param jobId Sendline job id of the message
 * @param providerMessageId the id the sandbox returned when it accepted the message
 * @param recipient the recipient address
 * @param bounceType PERMANENT or TRANSIENT for BOUNCED, null otherwise
 * @param bounceSubType General, MailboxFull ... for BOUNCED, null otherwise
 * @param diagnosticCode the simulated remote MTA's reply, e.g. {@code smtp; 550 5.1.1 user unknown}
 * @param enhancedStatus RFC 3463 code, e.g. 5.1.1
 * @param timestamp when the event happened
 */
public record SandboxEvent(
        String eventId,
        Type type,
        String jobId,
        String providerMessageId,
        String recipient,
        String bounceType,
        String bounceSubType,
        String diagnosticCode,
        String enhancedStatus,
        Instant timestamp) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Event types, matching the webhook's {@code type} field. */
    public enum Type {
        DELIVERED,
        BOUNCED,
        COMPLAINED,
        DELAYED
    }

    public SandboxEvent {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /** The webhook body: a JSON object, UTF-8, fields in the documented order. */
    public byte[] toJson() {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("eventId", eventId);
        n.put("type", type.name());
        n.put("jobId", jobId);
        n.put("providerMessageId", providerMessageId);
        n.put("recipient", recipient);
        n.put("bounceType", bounceType);
        n.put("bounceSubType", bounceSubType);
        n.put("diagnosticCode", diagnosticCode);
        n.put("enhancedStatus", enhancedStatus);
        n.put("timestamp", timestamp.toString());
        try {
            return MAPPER.writeValueAsBytes(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize a sandbox event", e);
        }
    }

    /** Parses a webhook body written by {@link #toJson()}. */
    public static SandboxEvent fromJson(byte[] json) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox event is not JSON", e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(
                    "sandbox event must be a JSON object: "
                            + new String(json, StandardCharsets.UTF_8));
        }
        return new SandboxEvent(
                text(n, "eventId"),
                Type.valueOf(text(n, "type")),
                text(n, "jobId"),
                text(n, "providerMessageId"),
                text(n, "recipient"),
                text(n, "bounceType"),
                text(n, "bounceSubType"),
                text(n, "diagnosticCode"),
                text(n, "enhancedStatus"),
                Instant.parse(text(n, "timestamp")));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
