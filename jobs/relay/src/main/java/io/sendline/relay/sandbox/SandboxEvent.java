package io.sendline.relay.sandbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A simulated webhook event, as the sandbox reports it (the JSON format is specified in
 * docs/relays.md). Every field is always present in the JSON; those that do not apply are null. The
 * webhook posts events in batches: a JSON array of these objects ({@link #toJsonArray}).
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

    /** The webhook body of one event: a JSON object, UTF-8, fields in the documented order. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(400);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            writeTo(g);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize a sandbox event", e);
        }
        return out.toByteArray();
    }

    /**
     * The webhook body of a batch: a JSON array of {@link #toJson()} objects, in order, UTF-8.
     * Written with one streaming generator (no tree per event): the sink serializes every batch.
     */
    public static byte[] toJsonArray(List<SandboxEvent> events) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 400 * events.size());
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(out)) {
            g.writeStartArray();
            for (SandboxEvent e : events) {
                e.writeTo(g);
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize sandbox events", e);
        }
        return out.toByteArray();
    }

    private void writeTo(JsonGenerator g) throws IOException {
        g.writeStartObject();
        field(g, "eventId", eventId);
        field(g, "type", type.name());
        field(g, "jobId", jobId);
        field(g, "providerMessageId", providerMessageId);
        field(g, "recipient", recipient);
        field(g, "bounceType", bounceType);
        field(g, "bounceSubType", bounceSubType);
        field(g, "diagnosticCode", diagnosticCode);
        field(g, "enhancedStatus", enhancedStatus);
        field(g, "timestamp", timestamp.toString());
        g.writeEndObject();
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        g.writeFieldName(name);
        if (value == null) {
            g.writeNull();
        } else {
            g.writeString(value);
        }
    }

    /** Parses a webhook body written by {@link #toJson()}. */
    public static SandboxEvent fromJson(byte[] json) {
        JsonNode n = tree(json);
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(
                    "sandbox event must be a JSON object: "
                            + new String(json, StandardCharsets.UTF_8));
        }
        return fromNode(n);
    }

    /**
     * Parses a webhook body: a batch written by {@link #toJsonArray} or a single event written by
     * {@link #toJson()} (a list of one).
     */
    public static List<SandboxEvent> fromJsonBody(byte[] json) {
        JsonNode n = tree(json);
        if (n != null && n.isObject()) {
            return List.of(fromNode(n));
        }
        if (n == null || !n.isArray()) {
            throw new IllegalArgumentException(
                    "sandbox webhook body must be a JSON array or object");
        }
        List<SandboxEvent> out = new ArrayList<>(n.size());
        for (JsonNode e : n) {
            if (!e.isObject()) {
                throw new IllegalArgumentException("sandbox event must be a JSON object");
            }
            out.add(fromNode(e));
        }
        return out;
    }

    private static JsonNode tree(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("sandbox event is not JSON", e);
        }
    }

    private static SandboxEvent fromNode(JsonNode n) {
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
