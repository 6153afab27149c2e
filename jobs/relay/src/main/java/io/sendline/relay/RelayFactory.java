package io.sendline.relay;

import io.sendline.relay.sandbox.SandboxRelay;
import io.sendline.relay.sandbox.SandboxSettings;
import io.sendline.relay.ses.SesRelay;
import io.sendline.relay.ses.SesSettings;
import io.sendline.relay.smtp.SmtpRelay;
import io.sendline.relay.smtp.SmtpSettings;
import java.util.Objects;

/**
 * Builds relays from configuration. A Flink operator holds the serializable {@link RelayConfig} and
 * calls {@link #create(RelayConfig)} in {@code open()}: the result routes each message to its
 * pool's relay by {@link OutboundMessage#pool()}.
 */
public final class RelayFactory {

    private RelayFactory() {}

    /** One relay that routes each message to the relay of its pool; close it to close them all. */
    public static Relay create(RelayConfig config) {
        return new PoolRoutingRelay(Objects.requireNonNull(config, "relay config"));
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
