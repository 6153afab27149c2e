package io.sendline.edge.webhooks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Remembers the most recent event keys so that a webhook delivered twice (SNS and the providers
 * retry, and may deliver the same event again after a timeout) produces one event. Bounded: the
 * oldest keys are forgotten first. Per edge instance and lost on restart, so it is a first line
 * only; downstream, event-aggregation and {@code email_event} dedupe again by event id.
 *
 * <p>A key is claimed before its event is published and released again when publishing fails, so
 * that the provider's retry is not mistaken for a duplicate.
 */
public final class DedupeCache {

    private final Map<String, Boolean> seen;

    public DedupeCache(int capacity) {
        this.seen =
                new LinkedHashMap<>(Math.min(capacity, 1 << 16), 0.75f, false) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                        return size() > capacity;
                    }
                };
    }

    /** True when the key was not seen before (and is now claimed). */
    public synchronized boolean claim(String key) {
        return seen.putIfAbsent(key, Boolean.TRUE) == null;
    }

    /** Forgets a key whose event could not be published. */
    public synchronized void release(String key) {
        seen.remove(key);
    }

    /** True when the key is currently remembered. */
    public synchronized boolean contains(String key) {
        return seen.containsKey(key);
    }
}
