package io.sendline.send.dispatch;

import io.sendline.send.throttle.PacingSignal;

/**
 * Where dispatch reports deferrals and relay throttling for the throttle's AIMD ({@link
 * PacingSignal}). Fire and forget: a signal is advisory, so publishing never blocks a send and a
 * failure to publish only costs pacing accuracy. Called from several threads.
 */
public interface PacingPublisher extends AutoCloseable {

    /** Publishes one signal, without blocking. */
    void publish(PacingSignal signal);

    @Override
    void close();

    /** Publishes nothing. */
    PacingPublisher NONE =
            new PacingPublisher() {
                @Override
                public void publish(PacingSignal signal) {}

                @Override
                public void close() {}
            };
}
