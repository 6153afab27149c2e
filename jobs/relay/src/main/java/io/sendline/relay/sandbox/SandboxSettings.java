package io.sendline.relay.sandbox;

import io.sendline.relay.PropertyReader;
import io.sendline.relay.RelaySettings;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of a {@link SandboxRelay}. Keys under {@code relay.pool.<pool>.sandbox.}:
 *
 * <ul>
 *   <li>{@code ledger} (default {@code default}): name of the JVM-wide {@link SandboxLedger}
 *   <li>{@code acceptLatency} (default 0): delay before an ordinary message is accepted
 *   <li>{@code slowLatency} (default 2s): delay before {@code slow@} is accepted
 *   <li>{@code eventDelay} (default 200ms): delay before each simulated webhook event
 *   <li>{@code throttleRetryAfter} (default 1s): the hint {@code throttle@} answers with
 *   <li>{@code webhookUrl} and {@code webhookSecret}: POST signed events there ({@link
 *       HttpWebhookSink}), in batches (a JSON array per request)
 *   <li>{@code webhookMaxBatch} (default 500, at most {@value #MAX_WEBHOOK_BATCH}): most events in
 *       one webhook request
 *   <li>{@code webhookLinger} (default 50ms): longest an event waits for others to fill its batch
 *   <li>{@code memorySink}: or hand events to the JVM-wide {@link InMemoryEventSink} of that name
 * </ul>
 *
 * With neither a webhook nor a memory sink, no events are produced.
 */
public record SandboxSettings(
        String ledger,
        Duration acceptLatency,
        Duration slowLatency,
        Duration eventDelay,
        Duration throttleRetryAfter,
        String webhookUrl,
        String webhookSecret,
        int webhookMaxBatch,
        Duration webhookLinger,
        String memorySink)
        implements RelaySettings {

    private static final long serialVersionUID = 1L;

    /** The type name in configuration. */
    public static final String TYPE = "sandbox";

    /**
     * Largest {@code webhookMaxBatch}: the edge's {@code /webhooks/sandbox} takes at most 1,000
     * events per request (docs/edge.md).
     */
    public static final int MAX_WEBHOOK_BATCH = 1000;

    /** Shortest webhook secret accepted. */
    public static final int MIN_SECRET_LENGTH = 16;

    static final Set<String> KEYS =
            Set.of(
                    "ledger",
                    "acceptLatency",
                    "slowLatency",
                    "eventDelay",
                    "throttleRetryAfter",
                    "webhookUrl",
                    "webhookSecret",
                    "webhookMaxBatch",
                    "webhookLinger",
                    "memorySink");

    public SandboxSettings {
        Objects.requireNonNull(ledger, "sandbox ledger name must be set");
        if (ledger.isBlank()) {
            throw new IllegalArgumentException("sandbox ledger name must not be blank");
        }
        requireNotNegative("acceptLatency", acceptLatency);
        requireNotNegative("slowLatency", slowLatency);
        requireNotNegative("eventDelay", eventDelay);
        requireNotNegative("throttleRetryAfter", throttleRetryAfter);
        requireNotNegative("webhookLinger", webhookLinger);
        if (webhookMaxBatch < 1 || webhookMaxBatch > MAX_WEBHOOK_BATCH) {
            throw new IllegalArgumentException(
                    "sandbox webhookMaxBatch must be between 1 and "
                            + MAX_WEBHOOK_BATCH
                            + " (the edge's limit per request), got "
                            + webhookMaxBatch);
        }
        if (webhookUrl != null) {
            URI uri;
            try {
                uri = URI.create(webhookUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "sandbox webhookUrl is not a URL: '" + webhookUrl + "'", e);
            }
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw new IllegalArgumentException(
                        "sandbox webhookUrl must be http(s)://..., got '" + webhookUrl + "'");
            }
            if (webhookSecret == null || webhookSecret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException(
                        "sandbox webhookSecret must be set (at least "
                                + MIN_SECRET_LENGTH
                                + " characters) when webhookUrl is set");
            }
            if (memorySink != null) {
                throw new IllegalArgumentException(
                        "sandbox: set either webhookUrl or memorySink, not both");
            }
        } else if (webhookSecret != null) {
            throw new IllegalArgumentException(
                    "sandbox webhookSecret is set but webhookUrl is not");
        }
    }

    private static void requireNotNegative(String name, Duration d) {
        Objects.requireNonNull(d, "sandbox " + name + " must be set");
        if (d.isNegative()) {
            throw new IllegalArgumentException(
                    "sandbox " + name + " must not be negative, got " + d);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** The defaults: no latency, 2 s for slow@, events after 200 ms, no event sink. */
    public static Builder builder() {
        return new Builder();
    }

    /** Reads the keys under {@code prefix} (e.g. {@code relay.pool.bulk.sandbox.}). */
    public static SandboxSettings fromProperties(String prefix, Map<String, String> props) {
        PropertyReader r = new PropertyReader(prefix, props);
        r.rejectUnknown(KEYS);
        Builder d = builder();
        return builder()
                .ledger(r.string("ledger", d.ledger))
                .acceptLatency(r.duration("acceptLatency", d.acceptLatency))
                .slowLatency(r.duration("slowLatency", d.slowLatency))
                .eventDelay(r.duration("eventDelay", d.eventDelay))
                .throttleRetryAfter(r.duration("throttleRetryAfter", d.throttleRetryAfter))
                .webhook(r.string("webhookUrl", null), r.string("webhookSecret", null))
                .webhookBatching(
                        r.integer("webhookMaxBatch", d.webhookMaxBatch),
                        r.duration("webhookLinger", d.webhookLinger))
                .memorySink(r.string("memorySink", null))
                .build();
    }

    @Override
    public String toString() {
        return "SandboxSettings{ledger="
                + ledger
                + ", acceptLatency="
                + acceptLatency
                + ", slowLatency="
                + slowLatency
                + ", eventDelay="
                + eventDelay
                + ", throttleRetryAfter="
                + throttleRetryAfter
                + ", webhookUrl="
                + webhookUrl
                + ", webhookSecret="
                + (webhookSecret == null ? null : "****")
                + ", webhookMaxBatch="
                + webhookMaxBatch
                + ", webhookLinger="
                + webhookLinger
                + ", memorySink="
                + memorySink
                + '}';
    }

    /** Builds {@link SandboxSettings}; {@link #build()} validates. */
    public static final class Builder {
        private String ledger = "default";
        private Duration acceptLatency = Duration.ZERO;
        private Duration slowLatency = Duration.ofSeconds(2);
        private Duration eventDelay = Duration.ofMillis(200);
        private Duration throttleRetryAfter = Duration.ofSeconds(1);
        private String webhookUrl;
        private String webhookSecret;
        private int webhookMaxBatch = HttpWebhookSink.DEFAULT_MAX_BATCH;
        private Duration webhookLinger = HttpWebhookSink.DEFAULT_LINGER;
        private String memorySink;

        private Builder() {}

        public Builder ledger(String ledger) {
            this.ledger = ledger;
            return this;
        }

        public Builder acceptLatency(Duration acceptLatency) {
            this.acceptLatency = acceptLatency;
            return this;
        }

        public Builder slowLatency(Duration slowLatency) {
            this.slowLatency = slowLatency;
            return this;
        }

        public Builder eventDelay(Duration eventDelay) {
            this.eventDelay = eventDelay;
            return this;
        }

        public Builder throttleRetryAfter(Duration throttleRetryAfter) {
            this.throttleRetryAfter = throttleRetryAfter;
            return this;
        }

        /** POST signed events to {@code url}, signed with {@code secret}. */
        public Builder webhook(String url, String secret) {
            this.webhookUrl = url;
            this.webhookSecret = secret;
            return this;
        }

        /**
         * Post at most {@code maxBatch} events per webhook request; an event waits at most {@code
         * linger} for others to join its batch.
         */
        public Builder webhookBatching(int maxBatch, Duration linger) {
            this.webhookMaxBatch = maxBatch;
            this.webhookLinger = linger;
            return this;
        }

        /** Hand events to {@link InMemoryEventSink#named(String)}. */
        public Builder memorySink(String name) {
            this.memorySink = name;
            return this;
        }

        public SandboxSettings build() {
            return new SandboxSettings(
                    ledger,
                    acceptLatency,
                    slowLatency,
                    eventDelay,
                    throttleRetryAfter,
                    webhookUrl,
                    webhookSecret,
                    webhookMaxBatch,
                    webhookLinger,
                    memorySink);
        }
    }
}
