package io.sendline.relay.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Keeps the sandbox's events in memory, for tests. Instances are shared per JVM by name ({@link
 * #named}), so a test and a relay built from configuration (e.g. in a Flink operator in the same
 * JVM) see the same events.
 */
public final class InMemoryEventSink implements SandboxEventSink {

    private static final ConcurrentHashMap<String, InMemoryEventSink> BY_NAME =
            new ConcurrentHashMap<>();

    private final String name;
    private final List<SandboxEvent> events = new ArrayList<>();

    /** An unnamed sink, not shared. */
    public InMemoryEventSink() {
        this("unnamed");
    }

    private InMemoryEventSink(String name) {
        this.name = name;
    }

    /** The JVM-wide sink called {@code name}, created on first use. */
    public static InMemoryEventSink named(String name) {
        return BY_NAME.computeIfAbsent(name, InMemoryEventSink::new);
    }

    public String name() {
        return name;
    }

    @Override
    public synchronized void publish(SandboxEvent event) {
        events.add(event);
        notifyAll();
    }

    /** A copy of the events received so far, in arrival order. */
    public synchronized List<SandboxEvent> events() {
        return new ArrayList<>(events);
    }

    /** Forgets every event. */
    public synchronized void clear() {
        events.clear();
    }

    /**
     * Waits until at least {@code count} events match {@code filter} or {@code timeout} passes, and
     * returns the matching events (fewer than {@code count} on timeout).
     */
    public synchronized List<SandboxEvent> await(
            Predicate<SandboxEvent> filter, int count, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<SandboxEvent> matching = new ArrayList<>();
            for (SandboxEvent e : events) {
                if (filter.test(e)) {
                    matching.add(e);
                }
            }
            long left = deadline - System.nanoTime();
            if (matching.size() >= count || left <= 0) {
                return matching;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
