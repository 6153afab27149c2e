package io.sendline.edge.webhooks.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.RelayEvent.Provider;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code POST /webhooks/sandbox}: events of the sandbox relay (docs/relays.md). Signature:
 * lower-case hex HMAC-SHA256, keyed with the shared secret, over the {@code X-Sendline-Timestamp}
 * value (Unix seconds) immediately followed by the raw body, in {@code X-Sendline-Signature}. An
 * event is {@code {eventId, type (DELIVERED|BOUNCED|COMPLAINED|DELAYED), jobId, providerMessageId,
 * recipient, bounceType, bounceSubType, diagnosticCode, enhancedStatus, timestamp}}; the body is
 * one event, or a JSON array of 1 to {@code maxEvents} events (the relay batches them, as
 * SendGrid's Event Webhook does).
 *
 * <p>A batch is all or nothing: every event is validated before any is published, and one malformed
 * event answers 400 naming its index. The batch carries one signature, so a malformed event is a
 * bug of the sender, and retrying the rest would only hide it. Duplicates (within the batch or seen
 * before) are dropped per event by {@link RelayEventSink}; the accepted events go to Kafka in one
 * {@link RelayEventSink#publish} call.
 */
public final class SandboxWebhook {

    public static final String TIMESTAMP_HEADER = "X-Sendline-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Sendline-Signature";

    /** Most events in one request unless configured. */
    public static final int DEFAULT_MAX_EVENTS = 1000;

    /** Invalid events listed at most in one 400 answer. */
    static final int MAX_ERRORS = 20;

    private final SecretKeySpec key;
    private final RelayEventSink sink;
    private final long maxBody;
    private final Duration tolerance;
    private final Clock clock;
    private final int maxEvents;

    /**
     * With at most {@value #DEFAULT_MAX_EVENTS} events per request.
     *
     * @param secret null when not configured: every call is refused
     */
    public SandboxWebhook(
            byte[] secret, RelayEventSink sink, long maxBody, Duration tolerance, Clock clock) {
        this(secret, sink, maxBody, tolerance, clock, DEFAULT_MAX_EVENTS);
    }

    /**
     * @param secret null when not configured: every call is refused
     * @param maxEvents most events in one request; more answer 413
     */
    public SandboxWebhook(
            byte[] secret,
            RelayEventSink sink,
            long maxBody,
            Duration tolerance,
            Clock clock,
            int maxEvents) {
        if (maxEvents < 1) {
            throw new IllegalArgumentException("maxEvents must be >= 1, got " + maxEvents);
        }
        this.maxEvents = maxEvents;
        this.key = secret == null ? null : new SecretKeySpec(secret.clone(), "HmacSHA256");
        this.sink = sink;
        this.maxBody = maxBody;
        this.tolerance = tolerance;
        this.clock = clock;
    }

    public Route route() {
        return new Route(
                "POST",
                "/webhooks/sandbox",
                Route.Access.PUBLIC,
                Route.Execution.WORKER,
                maxBody,
                this::handle);
    }

    CompletionStage<Response> handle(Call call) {
        if (key == null) {
            throw Webhooks.rejected("the sandbox webhook is not configured");
        }
        // Verify over the raw bytes before parsing anything.
        verify(call.header(TIMESTAMP_HEADER), call.body(), call.header(SIGNATURE_HEADER));
        JsonNode n = JsonBodies.parse(call.body());
        Instant now = clock.instant();
        List<RelayEvent> events = n.isArray() ? mapAll(n, now, maxEvents) : List.of(map(n, now));
        return sink.publish(events).thenApply(Webhooks::ok);
    }

    /**
     * Maps every event of a batch, or throws: 413 over {@code maxEvents}, 400 listing each invalid
     * event's index (fields {@code [i]} or {@code [i].field}, at most {@value #MAX_ERRORS}).
     */
    static List<RelayEvent> mapAll(JsonNode array, Instant receivedAt, int maxEvents) {
        int size = array.size();
        if (size == 0) {
            throw ApiException.invalid("body", "an empty array; at least one event is expected");
        }
        if (size > maxEvents) {
            throw new ApiException(
                    413,
                    "payload_too_large",
                    "at most " + maxEvents + " sandbox events per request, got " + size);
        }
        List<RelayEvent> events = new ArrayList<>(size);
        List<FieldError> errors = new ArrayList<>();
        int invalid = 0;
        for (int i = 0; i < size; i++) {
            try {
                events.add(map(array.get(i), receivedAt));
            } catch (ApiException e) {
                invalid++;
                for (FieldError f : e.errors()) {
                    if (errors.size() < MAX_ERRORS) {
                        String field = "body".equals(f.field()) ? "" : "." + f.field();
                        errors.add(new FieldError("[" + i + "]" + field, f.message()));
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            FieldError first = errors.get(0);
            String message =
                    (invalid == 1 ? "event " : invalid + " events are invalid, the first ")
                            + first.field()
                            + ": "
                            + first.message()
                            + "; nothing was published";
            throw new ApiException(400, "invalid_request", message, errors);
        }
        return events;
    }

    void verify(String timestamp, byte[] body, String signature) {
        if (timestamp == null || signature == null) {
            throw Webhooks.unsigned("missing " + TIMESTAMP_HEADER + " or " + SIGNATURE_HEADER);
        }
        byte[] expected;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(timestamp.getBytes(StandardCharsets.UTF_8));
            expected =
                    HexFormat.of().formatHex(mac.doFinal(body)).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] given =
                signature.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw Webhooks.rejected("webhook signature does not verify");
        }
        long ts;
        try {
            ts = Long.parseLong(timestamp.strip());
        } catch (NumberFormatException e) {
            throw Webhooks.rejected("webhook timestamp is not a number");
        }
        Instant now = clock.instant();
        Instant at = Instant.ofEpochSecond(ts);
        if (at.isBefore(now.minus(tolerance)) || at.isAfter(now.plus(tolerance))) {
            throw Webhooks.rejected(
                    "webhook timestamp is outside the accepted window: replay refused");
        }
    }

    static RelayEvent map(JsonNode n, Instant receivedAt) {
        if (!n.isObject()) {
            throw ApiException.invalid("body", "a sandbox event is a JSON object");
        }
        String eventId = Webhooks.text(n, "eventId");
        String type = Webhooks.text(n, "type");
        if (eventId == null || eventId.isBlank()) {
            throw ApiException.invalid("eventId", "required");
        }
        RelayEvent.Type t;
        try {
            t = RelayEvent.Type.valueOf(type == null ? "" : type);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("type", "must be DELIVERED, BOUNCED, COMPLAINED or DELAYED");
        }
        if (t != RelayEvent.Type.DELIVERED
                && t != RelayEvent.Type.BOUNCED
                && t != RelayEvent.Type.COMPLAINED
                && t != RelayEvent.Type.DELAYED) {
            throw ApiException.invalid("type", "must be DELIVERED, BOUNCED, COMPLAINED or DELAYED");
        }
        Instant at = Webhooks.instant(Webhooks.text(n, "timestamp"));
        return new RelayEvent(
                eventId,
                Provider.SANDBOX,
                t,
                Webhooks.text(n, "jobId"),
                Webhooks.text(n, "providerMessageId"),
                Webhooks.text(n, "recipient"),
                Webhooks.text(n, "bounceType"),
                Webhooks.text(n, "bounceSubType"),
                Webhooks.clip(Webhooks.text(n, "diagnosticCode"), 1000),
                Webhooks.text(n, "enhancedStatus"),
                null,
                null,
                false,
                at == null ? receivedAt : at,
                receivedAt);
    }
}
