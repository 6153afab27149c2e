package io.sendline.relay;

import java.util.concurrent.CompletableFuture;

/**
 * Where a message leaves Sendline. Implementations: Amazon SES (AWS SDK v2), SMTP (Jakarta Mail)
 * and the sandbox. {@link #send} never blocks the caller: it returns a future that completes with
 * the provider's message id or a classified failure, and never completes exceptionally (errors are
 * classified into {@link RelayResult.Failed}).
 */
public interface Relay extends AutoCloseable {

    /** Short name for logs and metrics, e.g. {@code ses}, {@code smtp}, {@code sandbox}. */
    String name();

    /** Hands one composed message to the relay. */
    CompletableFuture<RelayResult> send(OutboundMessage message);

    @Override
    void close();
}
