package io.sendline.send.dispatch;

import io.sendline.common.ledger.JdbcSendLedger;
import io.sendline.common.ledger.SendLedger;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayConfig;
import io.sendline.relay.RelayFactory;
import java.io.Serializable;
import java.util.Objects;

/**
 * The live resources a dispatch subtask opens in {@code open()}: the send ledger, the relays of the
 * pools, the pacing feedback publisher. Serializable (it holds only configuration), so the function
 * can carry it to the TaskManagers; tests pass their own.
 */
public interface DispatchResources extends Serializable {

    /** The send ledger (PostgreSQL in production). */
    SendLedger openLedger();

    /** One relay that routes each message to its pool's relay. */
    Relay openRelay();

    /** The pacing feedback publisher. */
    PacingPublisher openPacing();

    /**
     * The provider name recorded for a pool's sends ({@code ses}, {@code smtp}, {@code sandbox}).
     */
    String provider(String pool);

    /** Production resources: {@link JdbcSendLedger}, {@link RelayFactory}, Kafka pacing topic. */
    static DispatchResources of(
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword,
            RelayConfig relays,
            String bootstrapServers,
            String pacingTopic) {
        return of(
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                relays,
                bootstrapServers,
                pacingTopic,
                JdbcSendLedger.DEFAULT_WRITERS);
    }

    /** Production resources with {@code ledgerWriters} writer threads per ledger. */
    static DispatchResources of(
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword,
            RelayConfig relays,
            String bootstrapServers,
            String pacingTopic,
            int ledgerWriters) {
        return new Production(
                jdbcUrl,
                jdbcUser,
                jdbcPassword,
                relays,
                bootstrapServers,
                pacingTopic,
                ledgerWriters);
    }

    /** The production resources. */
    record Production(
            String jdbcUrl,
            String jdbcUser,
            String jdbcPassword,
            RelayConfig relays,
            String bootstrapServers,
            String pacingTopic,
            int ledgerWriters)
            implements DispatchResources {

        private static final long serialVersionUID = 1L;

        public Production {
            Objects.requireNonNull(jdbcUrl, "jdbcUrl");
            Objects.requireNonNull(relays, "relays");
        }

        @Override
        public SendLedger openLedger() {
            return new JdbcSendLedger(
                    jdbcUrl, emptyToNull(jdbcUser), emptyToNull(jdbcPassword), ledgerWriters);
        }

        @Override
        public Relay openRelay() {
            return RelayFactory.create(relays);
        }

        @Override
        public PacingPublisher openPacing() {
            return bootstrapServers == null || bootstrapServers.isBlank()
                    ? PacingPublisher.NONE
                    : new KafkaPacingPublisher(bootstrapServers, pacingTopic);
        }

        @Override
        public String provider(String pool) {
            try {
                return relays.forPool(pool).type();
            } catch (RuntimeException e) {
                return "none";
            }
        }

        @Override
        public String toString() {
            return "DispatchResources{jdbc=" + jdbcUrl + ", relays=" + relays + "}";
        }

        private static String emptyToNull(String s) {
            return s == null || s.isEmpty() ? null : s;
        }
    }
}
