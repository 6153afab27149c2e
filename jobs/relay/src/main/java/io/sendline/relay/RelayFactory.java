package io.sendline.relay;

import io.sendline.relay.sandbox.SandboxRelay;
import io.sendline.relay.sandbox.SandboxSettings;
import io.sendline.relay.ses.SesRelay;
import io.sendline.relay.ses.SesSettings;
import io.sendline.relay.smtp.SmtpRelay;
import io.sendline.relay.smtp.SmtpSettings;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Builds relays from configuration. A Flink operator holds the serializable {@link RelayConfig} and
 * calls {@link #create(RelayConfig)} in {@code open()}: the result routes each message to its
 * pool's relay by {@link OutboundMessage#pool()}.
 */
public final class RelayFactory {

    private RelayFactory() {}

    /**
     * One relay that routes each message to the relay of its pool; close it to close them all.
     * Every configured pool's relay is built now.
     *
     * @throws IllegalArgumentException naming the pool when one of the relays cannot be built
     */
    public static Relay create(RelayConfig config) {
        return new PoolRoutingRelay(Objects.requireNonNull(config, "relay config"));
    }

    /**
     * {@link #create(RelayConfig)} from the {@code relay.pool.*} keys of {@code props} (other keys
     * are ignored), e.g. a Flink job's global parameters in {@code open()}.
     *
     * @throws IllegalArgumentException naming the key when the configuration is wrong
     */
    public static Relay create(Map<String, String> props) {
        return create(RelayConfig.fromProperties(props));
    }

    /** As {@link #create(Map)}. */
    public static Relay create(Properties props) {
        return create(RelayConfig.fromProperties(props));
    }

    /** The relay for one pool's settings. */
    public static Relay create(RelaySettings settings) {
        Objects.requireNonNull(settings, "relay settings");
        if (settings instanceof SandboxSettings) {
            return new SandboxRelay((SandboxSettings) settings);
        }
        if (settings instanceof SmtpSettings) {
            return new SmtpRelay((SmtpSettings) settings);
        }
        if (settings instanceof SesSettings) {
            return SesRelay.create((SesSettings) settings);
        }
        throw new IllegalArgumentException(
                "unknown relay settings type " + settings.getClass().getName());
    }
}
