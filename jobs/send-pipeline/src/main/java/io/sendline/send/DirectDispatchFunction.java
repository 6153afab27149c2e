package io.sendline.send;

import io.sendline.common.retry.RetryPolicy;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayConfig;
import io.sendline.relay.RelayFactory;
import io.sendline.relay.RelayResult;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.events.Events;
import io.sendline.send.events.SendOutcome;
import io.sendline.send.render.RenderedEmail;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;

/**
 * Stand-in dispatch used until the ledger-backed dispatch of {@code io.sendline.send.dispatch} is
 * wired: hands each rendered message to its pool's relay and turns the answer into events (SENT,
 * FAILED) or a retry (DEFERRED + the next attempt on the retry topic). It keeps no ledger, so after
 * a restore a message the relay already accepted may be sent again: at least once.
 */
public final class DirectDispatchFunction extends RichAsyncFunction<RenderedEmail, SendOutcome> {

    private static final long serialVersionUID = 1L;

    private final RelayConfig relayConfig;
    private final RetryPolicy retryPolicy;
    private transient Relay relay;

    public DirectDispatchFunction(RelayConfig relayConfig, RetryPolicy retryPolicy) {
        this.relayConfig = relayConfig;
        this.retryPolicy = retryPolicy;
    }

    @Override
    public void open(OpenContext openContext) {
        relay = RelayFactory.create(relayConfig);
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
    }

    @Override
    public void asyncInvoke(RenderedEmail in, ResultFuture<SendOutcome> result) {
        EmailJob job = in.job();
        Map<String, String> tags =
                job.campaignId() == null ? Map.of() : Map.of("campaign", job.campaignId());
        relay.send(
                        new OutboundMessage(
                                job.jobId(),
                                job.pool(),
                                in.envelopeFrom(),
                                in.recipient(),
                                in.mime(),
                                tags))
                .whenComplete(
                        (r, error) -> {
                            Instant now = Instant.now();
                            if (error != null) {
                                r =
                                        new RelayResult.Failed(
                                                io.sendline.relay.Outcome.RETRYABLE,
                                                0,
                                                null,
                                                error.getClass().getSimpleName(),
                                                null);
                            }
                            result.complete(outcomes(job, r, relay.name(), now));
                        });
    }

    /** A send that outlived the dispatch timeout is retried later, never failing the job. */
    @Override
    public void timeout(RenderedEmail in, ResultFuture<SendOutcome> result) {
        result.complete(
                outcomes(
                        in.job(),
                        new RelayResult.Failed(
                                io.sendline.relay.Outcome.RETRYABLE,
                                0,
                                null,
                                "relay did not answer in time",
                                null),
                        relay.name(),
                        Instant.now()));
    }

    private List<SendOutcome> outcomes(EmailJob job, RelayResult r, String provider, Instant now) {
        List<SendOutcome> out = new ArrayList<>(2);
        if (r instanceof RelayResult.Accepted a) {
            out.add(
                    SendOutcome.of(
                            Events.of(
                                    job,
                                    EmailEventType.SENT,
                                    provider,
                                    a.providerMessageId(),
                                    null,
                                    now)));
            return out;
        }
        RelayResult.Failed f = (RelayResult.Failed) r;
        if (f.outcome().retryable()) {
            RetryPolicy.Decision d =
                    retryPolicy.next(job.attempt(), f.retryAfter(), job.createdAt(), now);
            if (d.kind() != RetryPolicy.Kind.GIVE_UP) {
                Instant notBefore =
                        d.kind() == RetryPolicy.Kind.RETRY_TOPIC
                                ? d.notBefore()
                                : now.plus(d.delay());
                out.add(
                        SendOutcome.of(
                                Events.of(
                                        job,
                                        EmailEventType.DEFERRED,
                                        provider,
                                        null,
                                        f.detail(),
                                        now)));
                out.add(SendOutcome.retry(job.nextAttempt(notBefore)));
                return out;
            }
        }
        out.add(
                SendOutcome.of(
                        Events.of(job, EmailEventType.FAILED, provider, null, f.detail(), now)));
        return out;
    }
}
