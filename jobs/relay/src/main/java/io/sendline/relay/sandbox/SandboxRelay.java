package io.sendline.relay.sandbox;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import io.sendline.relay.classify.SmtpReplyClassifier;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A relay that sends nothing: it simulates outcomes by recipient address ({@link SandboxScenario}),
 * counts what it accepted in a {@link SandboxLedger}, and reports the matching webhook events to a
 * {@link SandboxEventSink} after {@link SandboxSettings#eventDelay()}, the way SES reports
 * deliveries, bounces and complaints asynchronously. For the local stack and load tests.
 *
 * <p>Synchronous failures (throttle@, tempfail@, unknown@, reject@) are classified by the same
 * {@link SmtpReplyClassifier} as real SMTP replies, so the sandbox exercises the real rules.
 */
public final class SandboxRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxRelay.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SandboxSettings settings;
    private final SandboxLedger ledger;
    private final SandboxEventSink sink;
    private final boolean ownsSink;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor scheduler;
    private volatile boolean closed;

    /** A relay with the sink its settings name (webhook, memory sink, or none). */
    public SandboxRelay(SandboxSettings settings) {
        this(settings, sinkFor(settings), true, Clock.systemUTC());
    }

    /** A relay that reports events to {@code sink} (not closed by {@link #close()}). */
    public SandboxRelay(SandboxSettings settings, SandboxEventSink sink) {
        this(settings, sink, false, Clock.systemUTC());
    }

    private SandboxRelay(
            SandboxSettings settings, SandboxEventSink sink, boolean ownsSink, Clock clock) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.ownsSink = ownsSink;
        this.clock = clock;
        this.ledger = SandboxLedger.named(settings.ledger());
        int n = INSTANCES.incrementAndGet();
        this.scheduler =
                new ScheduledThreadPoolExecutor(
                        1,
                        r -> {
                            Thread t = new Thread(r, "sandbox-relay-" + n);
                            t.setDaemon(true);
                            return t;
                        });
        scheduler.setRemoveOnCancelPolicy(true);
    }

    private static SandboxEventSink sinkFor(SandboxSettings s) {
        if (s.webhookUrl() != null) {
            return HttpWebhookSink.builder(URI.create(s.webhookUrl()), s.webhookSecret())
                    .maxBatch(s.webhookMaxBatch())
                    .linger(s.webhookLinger())
                    .build();
        }
        if (s.memorySink() != null) {
            return InMemoryEventSink.named(s.memorySink());
        }
        return SandboxEventSink.NONE;
    }

    @Override
    public String name() {
        return SandboxSettings.TYPE;
    }

    /** The ledger this relay counts into. */
    public SandboxLedger ledger() {
        return ledger;
    }

    @Override
    public CompletableFuture<RelayResult> send(OutboundMessage message) {
        if (closed) {
            return CompletableFuture.completedFuture(
                    new RelayResult.Failed(
                            Outcome.RETRYABLE, 0, null, "sandbox relay is closed", null));
        }
        SandboxScenario scenario = SandboxScenario.of(message.recipient());
        switch (scenario) {
            case THROTTLE:
                return CompletableFuture.completedFuture(
                        new RelayResult.Failed(
                                Outcome.THROTTLED,
                                454,
                                "4.7.0",
                                "Throttling failure: Maximum sending rate exceeded (sandbox)",
                                settings.throttleRetryAfter()));
            case TEMP_FAIL:
                return failed(451, "451 4.3.0 Temporary local problem, try again later (sandbox)");
            case UNKNOWN_USER:
                return failed(550, "550 5.1.1 Recipient address rejected: user unknown (sandbox)");
            case REJECT:
                return failed(554, "554 5.7.1 Message rejected by content policy (sandbox)");
            default:
                break;
        }
        Duration latency =
                scenario == SandboxScenario.SLOW
                        ? settings.slowLatency()
                        : settings.acceptLatency();
        if (latency.isZero()) {
            return CompletableFuture.completedFuture(accept(message, scenario));
        }
        CompletableFuture<RelayResult> result = new CompletableFuture<>();
        try {
            scheduler.schedule(
                    () -> result.complete(accept(message, scenario)),
                    latency.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.complete(
                    new RelayResult.Failed(
                            Outcome.RETRYABLE, 0, null, "sandbox relay is closed", null));
        }
        return result;
    }

    private static CompletableFuture<RelayResult> failed(int code, String reply) {
        return CompletableFuture.completedFuture(SmtpReplyClassifier.failure(code, reply));
    }

    private RelayResult accept(OutboundMessage message, SandboxScenario scenario) {
        String providerId = "sandbox-" + UUID.randomUUID();
        ledger.record(message.jobId());
        if (sink != SandboxEventSink.NONE) {
            List<SandboxEvent> events = events(message, providerId, scenario);
            long delay = settings.eventDelay().toNanos();
            for (int i = 0; i < events.size(); i++) {
                SandboxEvent template = events.get(i);
                try {
                    scheduler.schedule(
                            () -> publish(template), delay * (i + 1), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    LOG.debug("sandbox relay closed; event {} not reported", template.type());
                }
            }
        }
        return new RelayResult.Accepted(providerId);
    }

    private void publish(SandboxEvent template) {
        // Stamped when reported, as a provider stamps the moment it saw the outcome.
        SandboxEvent e =
                new SandboxEvent(
                        template.eventId(),
                        template.type(),
                        template.jobId(),
                        template.providerMessageId(),
                        template.recipient(),
                        template.bounceType(),
                        template.bounceSubType(),
                        template.diagnosticCode(),
                        template.enhancedStatus(),
                        clock.instant());
        try {
            sink.publish(e);
        } catch (RuntimeException ex) {
            LOG.warn("sandbox event sink failed on a {} event", e.type(), ex);
        }
    }

    private List<SandboxEvent> events(
            OutboundMessage m, String providerId, SandboxScenario scenario) {
        List<SandboxEvent> out = new ArrayList<>(2);
        switch (scenario) {
            case BOUNCE:
                out.add(
                        event(
                                m,
                                providerId,
                                SandboxEvent.Type.BOUNCED,
                                "PERMANENT",
                                "General",
                                "smtp; 550 5.1.1 user unknown",
                                "5.1.1"));
                break;
            case SOFT_BOUNCE:
                out.add(
                        event(
                                m,
                                providerId,
                                SandboxEvent.Type.BOUNCED,
                                "TRANSIENT",
                                "MailboxFull",
                                "smtp; 452 4.2.2 mailbox full",
                                "4.2.2"));
                break;
            case SUPPRESSION_LIST:
                out.add(
                        event(
                                m,
                                providerId,
                                SandboxEvent.Type.BOUNCED,
                                "PERMANENT",
                                "OnSuppressionList",
                                "Amazon SES did not send the message to this address because it"
                                        + " is on the suppression list for your account.",
                                "5.1.1"));
                break;
            case COMPLAINT:
                out.add(delivered(m, providerId));
                out.add(event(m, providerId, SandboxEvent.Type.COMPLAINED, null, null, null, null));
                break;
            case DELAY:
                out.add(
                        event(
                                m,
                                providerId,
                                SandboxEvent.Type.DELAYED,
                                null,
                                null,
                                "smtp; 451 4.4.1 no answer from host",
                                "4.4.1"));
                out.add(delivered(m, providerId));
                break;
            default:
                out.add(delivered(m, providerId));
        }
        return out;
    }

    private SandboxEvent delivered(OutboundMessage m, String providerId) {
        return event(
                m,
                providerId,
                SandboxEvent.Type.DELIVERED,
                null,
                null,
                "smtp; 250 2.0.0 Ok",
                "2.0.0");
    }

    private SandboxEvent event(
            OutboundMessage m,
            String providerId,
            SandboxEvent.Type type,
            String bounceType,
            String bounceSubType,
            String diagnostic,
            String enhanced) {
        return new SandboxEvent(
                UUID.randomUUID().toString(),
                type,
                m.jobId(),
                providerId,
                m.recipient(),
                bounceType,
                bounceSubType,
                diagnostic,
                enhanced,
                clock.instant());
    }

    /**
     * Stops accepting, lets scheduled acceptances and events that are due within the configured
     * delays run, then closes the sink if this relay created it.
     */
    @Override
    public void close() {
        closed = true;
        scheduler.shutdown();
        Duration wait =
                settings.slowLatency()
                        .plus(settings.acceptLatency())
                        .plus(settings.eventDelay().multipliedBy(3))
                        .plusSeconds(1);
        try {
            if (!scheduler.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                scheduler.shutdownNow();
            }
        } catch (InterruptedException e) {
            scheduler.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (ownsSink) {
            sink.close();
        }
    }
}
