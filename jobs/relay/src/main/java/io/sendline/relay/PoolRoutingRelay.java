package io.sendline.relay;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each message through the relay of its pool. Every configured pool's relay is built up
 * front, so a relay that cannot be built (no AWS region, say) fails {@code open()} with the pool's
 * name instead of failing messages later. Pools without their own settings share the default pool's
 * relay (one connection pool, not one per pool name). A message for an unknown pool when no default
 * is configured gets a PERMANENT_POLICY failure: a configuration error, not the recipient's fault.
 */
final class PoolRoutingRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(PoolRoutingRelay.class);

    private final RelayConfig config;
    private final Map<String, Relay> relays;
    private volatile boolean closed;

    PoolRoutingRelay(RelayConfig config) {
        this.config = config;
        Map<String, Relay> built = new LinkedHashMap<>();
        for (Map.Entry<String, RelaySettings> e : config.pools().entrySet()) {
            try {
                built.put(e.getKey(), RelayFactory.create(e.getValue()));
            } catch (RuntimeException ex) {
                built.values().forEach(PoolRoutingRelay::closeQuietly);
                throw new IllegalArgumentException(
                        "the "
                                + e.getValue().type()
                                + " relay of pool '"
                                + e.getKey()
                                + "' cannot be built: "
                                + ex.getMessage(),
                        ex);
            }
        }
        this.relays = Map.copyOf(built);
    }

    @Override
    public String name() {
        return "pools";
    }

    /** The relay serving {@code pool}, or null when none does (no such pool and no default). */
    Relay relayFor(String pool) {
        Relay r = pool == null ? null : relays.get(pool);
        return r != null ? r : relays.get(RelayConfig.DEFAULT_POOL);
    }

    @Override
    public CompletableFuture<RelayResult> send(OutboundMessage message) {
        if (closed) {
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(Outcome.RETRYABLE, 0, null, "relay is closed", null));
        }
        Relay relay = relayFor(message.pool());
        if (relay == null) {
            LOG.error("no relay for pool {} (configured: {})", message.pool(), relays.keySet());
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(
                            Outcome.PERMANENT_POLICY,
                            0,
                            null,
                            "no relay configured for pool '"
                                    + message.pool()
                                    + "' and no "
                                    + RelayConfig.PREFIX
                                    + RelayConfig.DEFAULT_POOL
                                    + ".type",
                            null));
        }
        return relay.send(message);
    }

    @Override
    public void close() {
        closed = true;
        relays.forEach((pool, relay) -> closeQuietly(relay));
    }

    private static void closeQuietly(Relay relay) {
        try {
            relay.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the {} relay failed", relay.name(), e);
        }
    }

    @Override
    public String toString() {
        return "PoolRoutingRelay" + config;
    }
}
