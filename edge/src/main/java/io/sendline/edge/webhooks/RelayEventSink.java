package io.sendline.edge.webhooks;

import io.sendline.edge.kafka.EventPublisher;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.Topics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes normalised relay events to {@code email.relay-events}, keyed by job id (or the relay's
 * message id when the job id is unknown), skipping events already seen ({@link DedupeCache}, key
 * {@code provider:eventId}). The future completes when the broker acknowledged every new event,
 * with the number published.
 */
public final class RelayEventSink {

    private final EventPublisher publisher;
    private final DedupeCache dedupe;

    public RelayEventSink(EventPublisher publisher, DedupeCache dedupe) {
        this.publisher = publisher;
        this.dedupe = dedupe;
    }

    /** Publishes the events not seen before. */
    public CompletableFuture<Integer> publish(List<RelayEvent> events) {
        List<CompletableFuture<Void>> acks = new ArrayList<>(events.size());
        for (RelayEvent e : events) {
            String key = e.provider() + ":" + e.eventId();
            if (!dedupe.claim(key)) {
                continue;
            }
            CompletableFuture<Void> ack = publisher.send(Topics.RELAY_EVENTS, key(e), e);
            ack.whenComplete(
                    (v, error) -> {
                        if (error != null) {
                            dedupe.release(key);
                        }
                    });
            acks.add(ack);
        }
        int n = acks.size();
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).thenApply(v -> n);
    }

    /**
     * Publishes without waiting for anyone (tracking hot path); failures are logged by the
     * publisher.
     */
    public void publishNow(RelayEvent e) {
        publisher.send(Topics.RELAY_EVENTS, key(e), e);
    }

    static String key(RelayEvent e) {
        if (e.jobId() != null) {
            return e.jobId();
        }
        return e.providerMessageId() != null ? e.providerMessageId() : e.eventId();
    }
}
