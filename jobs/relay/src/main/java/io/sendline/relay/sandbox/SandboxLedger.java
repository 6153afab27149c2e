package io.sendline.relay.sandbox;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts what the sandbox accepted, per job id, so tests can prove exactly-once delivery to the
 * relay (or count the duplicates an at-least-once path produced). Shared per JVM by name ({@link
 * #named}): a test and a Flink operator in the same JVM that use the same ledger name see the same
 * counts. Memory grows with the number of distinct job ids; {@link #reset()} between tests.
 */
public final class SandboxLedger {

    private static final ConcurrentHashMap<String, SandboxLedger> BY_NAME =
            new ConcurrentHashMap<>();

    private final String name;
    private final ConcurrentHashMap<String, AtomicInteger> accepted = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();

    private SandboxLedger(String name) {
        this.name = name;
    }

    /** The JVM-wide ledger called {@code name}, created on first use. */
    public static SandboxLedger named(String name) {
        return BY_NAME.computeIfAbsent(name, SandboxLedger::new);
    }

    public String name() {
        return name;
    }

    /** Records one acceptance of {@code jobId}; returns how often it has been accepted now. */
    public int record(String jobId) {
        int n = accepted.computeIfAbsent(jobId, k -> new AtomicInteger()).incrementAndGet();
        total.incrementAndGet();
        if (n > 1) {
            duplicates.incrementAndGet();
        }
        return n;
    }

    /** How many times {@code jobId} was accepted (0 if never). */
    public int accepted(String jobId) {
        AtomicInteger n = accepted.get(jobId);
        return n == null ? 0 : n.get();
    }

    /** Acceptances beyond the first, summed over all job ids. */
    public long duplicates() {
        return duplicates.get();
    }

    /** All acceptances, duplicates included. */
    public long total() {
        return total.get();
    }

    /** Number of distinct job ids accepted. */
    public int distinctJobs() {
        return accepted.size();
    }

    /** Job ids accepted more than once, with their counts. */
    public Map<String, Integer> duplicatedJobs() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        accepted.forEach(
                (k, v) -> {
                    if (v.get() > 1) {
                        out.put(k, v.get());
                    }
                });
        return out;
    }

    /** Forgets everything (counts drift if sends are in flight meanwhile). */
    public void reset() {
        accepted.clear();
        total.set(0);
        duplicates.set(0);
    }
}
