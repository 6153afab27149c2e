package io.sendline.send.dispatch;

import io.sendline.common.ledger.InMemorySendLedger;
import io.sendline.common.ledger.SendLedger;
import io.sendline.relay.Relay;
import io.sendline.send.throttle.PacingSignal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Dispatch resources for tests: an in-memory ledger, a scripted relay, recorded signals. */
final class TestResources implements DispatchResources {

    private static final long serialVersionUID = 1L;

    /** The live parts of one test, found by id (the function may be serialized). */
    static final class Parts {
        final InMemorySendLedger ledger = new InMemorySendLedger();
        final ScriptedRelay relay = new ScriptedRelay();
        final List<PacingSignal> signals = new CopyOnWriteArrayList<>();
    }

    private static final Map<String, Parts> PARTS = new ConcurrentHashMap<>();

    private final String id;

    TestResources(String id) {
        this.id = id;
        PARTS.put(id, new Parts());
    }

    Parts parts() {
        return PARTS.get(id);
    }

    @Override
    public SendLedger openLedger() {
        InMemorySendLedger l = parts().ledger;
        // closing the function must not lose the rows the test inspects
        return new SendLedger() {
            @Override
            public java.util.concurrent.CompletableFuture<io.sendline.common.ledger.Claim> claim(
                    String jobId, int attempt, String claimant) {
                return l.claim(jobId, attempt, claimant);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> accepted(
                    String jobId, int attempt, String relay, String providerMessageId) {
                return l.accepted(jobId, attempt, relay, providerMessageId);
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> failed(
                    String jobId, int attempt, String reason, boolean retryable) {
                return l.failed(jobId, attempt, reason, retryable);
            }

            @Override
            public java.util.concurrent.CompletableFuture<io.sendline.common.ledger.Claim> takeOver(
                    String jobId, int attempt, String expectedClaimant, String claimant) {
                return l.takeOver(jobId, attempt, expectedClaimant, claimant);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public Relay openRelay() {
        return parts().relay;
    }

    @Override
    public PacingPublisher openPacing() {
        List<PacingSignal> signals = parts().signals;
        return new PacingPublisher() {
            @Override
            public void publish(PacingSignal signal) {
                signals.add(signal);
            }

            @Override
            public void close() {}
        };
    }

    @Override
    public String provider(String pool) {
        return "sandbox";
    }
}
