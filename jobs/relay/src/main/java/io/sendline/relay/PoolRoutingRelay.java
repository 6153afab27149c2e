package io.sendline.relay;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each message through the relay of its pool, creating relays on first use. Pools without
 * their own settings share one relay built from the default pool's settings (one connection pool,
 * not one per pool name). A pool with no relay at all gets a PERMANENT_POLICY failure: it is a
 * configuration error, not the recipient's fault.
 */
final class PoolRoutingRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(PoolRoutingRelay.class);

    private final RelayConfig config;
    private final ConcurrentHashMap<String, Relay> relays = new ConcurrentHashMap<>();
    private volatile boolean closed;

    PoolRoutingRelay(RelayConfig config) {
        this.config = config;
    }

    @Override
    public String name() {
        return "pools";
    }

    @Override
    public CompletableFuture<RelayResult> send(OutboundMessage message) {
        if (closed) {
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(Outcome.RETRYABLE, 0, null, "relay is closed", null));
        }
        String pool = message.pool();
        String key = pool != null && config.configures(pool) ? pool : RelayConfig.DEFAULT_POOL;
        Relay relay;
        try {
            relay = relays.computeIfAbsent(key, k -> RelayFactory.create(config.forPool(pool)));
        } catch (RuntimeException e) {
            // No relay for the pool, or its relay cannot be built (e.g. no AWS region).
            LOG.error("no usable relay for pool {}", pool, e);
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(
                            Outcome.PERMANENT_POLICY,
                            0,
                            null,
                            "relay of pool " + pool + " unavailable: " + e.getMessage(),
                            null));
        }
        return relay.send(message);
    }

    @Override
    public void close() {
        closed = true;
        relays.forEach(
                (pool, relay) -> {
                    try {
                        relay.close();
                    } catch (RuntimeException e) {
                        LOG.warn("closing the relay of pool {} failed", pool, e);
                    }
                });
        relays.clear();
    }
}
