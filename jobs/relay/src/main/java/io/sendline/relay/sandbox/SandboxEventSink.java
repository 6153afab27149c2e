package io.sendline.relay.sandbox;

/**
 * Where the sandbox reports its simulated webhook events, the way a real relay calls back: {@link
 * HttpWebhookSink} POSTs them to the HTTP edge, {@link InMemoryEventSink} keeps them for tests.
 * {@link #publish} is called from the sandbox's scheduler thread and must not block long.
 */
public interface SandboxEventSink extends AutoCloseable {

    /** A sink that drops every event. */
    SandboxEventSink NONE = event -> {};

    /** Reports one event. */
    void publish(SandboxEvent event);

    /** Releases resources; events already handed over may still be delivered. */
    @Override
    default void close() {}
}
