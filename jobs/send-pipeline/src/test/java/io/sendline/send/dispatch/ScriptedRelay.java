package io.sendline.send.dispatch;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** A relay whose answers a test scripts per job; it accepts by default and records every call. */
final class ScriptedRelay implements Relay {

    /** One call: which job, and when (epoch millis). */
    record Call(String jobId, long atMillis) {}

    private final Map<String, Deque<Supplier<CompletableFuture<RelayResult>>>> script =
            new ConcurrentHashMap<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();

    /** The next answers for a job, in order; after them it accepts. */
    @SafeVarargs
    final ScriptedRelay answer(String jobId, Supplier<CompletableFuture<RelayResult>>... answers) {
        script.computeIfAbsent(jobId, k -> new ArrayDeque<>()).addAll(List.of(answers));
        return this;
    }

    static Supplier<CompletableFuture<RelayResult>> result(RelayResult r) {
        return () -> CompletableFuture.completedFuture(r);
    }

    static Supplier<CompletableFuture<RelayResult>> never() {
        return CompletableFuture::new;
    }

    long callsFor(String jobId) {
        return calls.stream().filter(c -> c.jobId().equals(jobId)).count();
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public synchronized CompletableFuture<RelayResult> send(OutboundMessage message) {
        calls.add(new Call(message.jobId(), System.currentTimeMillis()));
        Deque<Supplier<CompletableFuture<RelayResult>>> q = script.get(message.jobId());
        Supplier<CompletableFuture<RelayResult>> next = q == null ? null : q.poll();
        return next != null
                ? next.get()
                : CompletableFuture.completedFuture(
                        new RelayResult.Accepted("pm-" + message.jobId() + "-" + calls.size()));
    }

    @Override
    public void close() {}
}
