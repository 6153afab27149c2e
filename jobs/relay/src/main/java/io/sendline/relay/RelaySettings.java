package io.sendline.relay;

import java.io.Serializable;

/**
 * The configuration of one pool's relay: {@link io.sendline.relay.ses.SesSettings}, {@link
 * io.sendline.relay.smtp.SmtpSettings} or {@link io.sendline.relay.sandbox.SandboxSettings}.
 * Serializable and free of live resources, so a Flink operator can hold it and build the relay in
 * {@code open()} with {@link RelayFactory}.
 */
public interface RelaySettings extends Serializable {

    /** The relay type as written in configuration: {@code ses}, {@code smtp} or {@code sandbox}. */
    String type();
}
