package io.sendline.send.dispatch;

import io.sendline.common.ledger.Claim;
import io.sendline.common.ledger.SendLedger;
import io.sendline.common.retry.RetryPolicy;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.events.Events;
import io.sendline.send.events.SendOutcome;
import io.sendline.send.render.RenderedEmail;
import io.sendline.send.throttle.PacingSignal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands rendered jobs to the relay of their pool, never twice: used with {@code
 * AsyncDataStream.unorderedWait} (bounded in-flight, one lane per instance, see {@link Dispatch}).
 *
 * <h2>One job</h2>
 *
 * <ol>
 *   <li>Claim the attempt in the send ledger ({@link SendLedger#claim}, batched JDBC).
 *   <li>FRESH: send through the relay. ALREADY_ACCEPTED (a replay after a restore): do not send,
 *       report SENT with the provider id from the ledger. ALREADY_FAILED: report FAILED, or, when
 *       the failure was retryable, carry on with the retry decision the lost run had made. IN_DOUBT
 *       (a claim without outcome from a run that died): {@link InDoubtPolicy} of the lane.
 *   <li>Record the relay's answer in the ledger, then report: SENT with the provider's message id;
 *       a retryable failure (deferral, throttling, timeout) is retried here after a short back-off
 *       (honouring the relay's Retry-After) as the next attempt, claimed again, and once the short
 *       retries are used up goes to the retry topic with its not-before time (DEFERRED + retry); a
 *       permanent failure is FAILED (a non-existent recipient says so in the reason: it suppresses
 *       the address).
 * </ol>
 *
 * Deferrals and relay throttling are published at once as {@link PacingSignal}s for the throttle's
 * AIMD. A job whose dispatch outlives the async timeout is reported DEFERRED and goes to the retry
 * topic ({@link #timeout}); the job never fails. All I/O is asynchronous: the ledger's writer
 * threads, the relay's own threads, and a small scheduler for back-off delays and callbacks.
 */
public final class DispatchFunction extends RichAsyncFunction<RenderedEmail, SendOutcome> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DispatchFunction.class);

    /** At most one pacing signal per scope per this many millis: the AIMD cools down for 5 s. */
    private static final long SIGNAL_INTERVAL_MILLIS = 1_000;

    private final DispatchSettings settings;
    private final DispatchResources resources;

    private transient SendLedger ledger;
    private transient Relay relay;
    private transient PacingPublisher pacing;
    private transient ScheduledThreadPoolExecutor scheduler;
    private transient Executor callbacks;
    private transient String claimant;

    /** Job ids whose claim a chain of this subtask holds, with the number of such chains. */
    private transient ConcurrentHashMap<String, AtomicInteger> inFlight;

    private transient Map<RenderedEmail, Chain> chains;
    private transient AtomicInteger busy;
    private transient ConcurrentHashMap<String, Long> lastSignal;
    private transient volatile boolean closing;
    private transient Map<String, Counter[]> outcomeCounters;
    private transient Counter relayCalls;
    private transient Counter replayedAccepted;
    private transient Counter inDoubtResent;
    private transient Counter inDoubtHeld;
    private transient Counter timeouts;
    private transient Counter ledgerErrors;

    public DispatchFunction(DispatchSettings settings, DispatchResources resources) {
        this.settings = settings;
        this.resources = resources;
    }

    @Override
    public void open(OpenContext openContext) {
        var task = getRuntimeContext().getTaskInfo();
        claimant =
                settings.lane().name().toLowerCase(Locale.ROOT)
                        + "/"
                        + task.getIndexOfThisSubtask()
                        + "/"
                        + task.getAttemptNumber()
                        + "/"
                        + UUID.randomUUID().toString().substring(0, 8);
        scheduler =
                new ScheduledThreadPoolExecutor(
                        2,
                        r -> {
                            Thread t = new Thread(r, "dispatch-" + claimant);
                            t.setDaemon(true);
                            return t;
                        });
        scheduler.setRemoveOnCancelPolicy(true);
        callbacks = scheduler;
        inFlight = new ConcurrentHashMap<>();
        chains = Collections.synchronizedMap(new IdentityHashMap<>());
        busy = new AtomicInteger();
        lastSignal = new ConcurrentHashMap<>();
        outcomeCounters = new HashMap<>();
        MetricGroup g = getRuntimeContext().getMetricGroup();
        relayCalls = g.counter("relayCalls", new ThreadSafeSimpleCounter());
        replayedAccepted = g.counter("ledgerAlreadyAccepted", new ThreadSafeSimpleCounter());
        inDoubtResent = g.counter("inDoubtResent", new ThreadSafeSimpleCounter());
        inDoubtHeld = g.counter("inDoubtHeld", new ThreadSafeSimpleCounter());
        timeouts = g.counter("timeouts", new ThreadSafeSimpleCounter());
        ledgerErrors = g.counter("ledgerErrors", new ThreadSafeSimpleCounter());
        g.gauge("inFlight", (Gauge<Integer>) () -> chains.size());
        ledger = resources.openLedger();
        relay = resources.openRelay();
        pacing = resources.openPacing();
    }

    @Override
    public void asyncInvoke(RenderedEmail in, ResultFuture<SendOutcome> result) {
        Chain chain = new Chain(in, result, counters(in.job()));
        chains.put(in, chain);
        chain.claim(in.job());
    }

    /**
     * The whole dispatch of a job took longer than the async timeout: report it DEFERRED and put
     * its next attempt on the retry topic. The running try carries on in the background and records
     * its outcome in the ledger, which the retry's claim will then find (accepted: SENT without
     * sending again; failed: a fresh try; still unknown: in doubt).
     */
    @Override
    public void timeout(RenderedEmail in, ResultFuture<SendOutcome> result) {
        timeouts.inc();
        Chain chain = chains.get(in);
        if (chain != null) {
            chain.timedOut();
            return;
        }
        // The chain already ended (its result is on its way): nothing to add.
        LOG.debug("timeout of job {} after its dispatch ended", in.job().jobId());
    }

    /**
     * Waits (up to {@code drainMillis}) until every ledger or relay call in flight has completed
     * and been recorded, so that a failover or a stop leaves no claim without its outcome when the
     * process itself survives; then closes the relays and the ledger.
     */
    @Override
    public void close() throws Exception {
        closing = true;
        if (busy != null) {
            long deadline = System.currentTimeMillis() + settings.drainMillis();
            boolean interrupted = false;
            while (busy.get() > 0 && System.currentTimeMillis() < deadline) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    // A cancelling task is interrupted: keep draining anyway (bounded), since a
                    // send whose outcome is not recorded becomes an in-doubt job.
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (busy.get() > 0) {
                LOG.warn(
                        "{} dispatch calls still in flight after {} ms; their jobs may be in doubt",
                        busy.get(),
                        settings.drainMillis());
            }
        }
        closeQuietly(relay);
        closeQuietly(ledger);
        closeQuietly(pacing);
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.warn("closing {} failed", c.getClass().getSimpleName(), e);
            }
        }
    }

    // ---- one job ----------------------------------------------------------------------------

    /** The dispatch of one input record, across its tries. */
    private final class Chain {
        private final RenderedEmail in;
        private final ResultFuture<SendOutcome> result;
        private final Counter[] counters;
        private final long deadline;
        private final String provider;
        private final List<SendOutcome> out = new ArrayList<>(2);
        private final Instant firstTriedAt;
        private final AtomicBoolean ended = new AtomicBoolean();
        private final AtomicBoolean holds = new AtomicBoolean();
        private boolean done;
        private volatile EmailJob current;

        Chain(RenderedEmail in, ResultFuture<SendOutcome> result, Counter[] counters) {
            this.in = in;
            this.result = result;
            this.counters = counters;
            this.deadline = System.currentTimeMillis() + settings.timeoutMillis();
            this.provider = resources.provider(in.job().pool());
            this.current = in.job();
            this.firstTriedAt = firstTry(in.job(), Instant.now());
        }

        void claim(EmailJob job) {
            current = job;
            if (closing || isDone()) {
                end(); // the retry topic (timeout) or the restored in-flight copy takes over
                return;
            }
            call(
                    ledger.claim(job.jobId(), job.attempt(), claimant),
                    (claim, error) -> {
                        if (error != null) {
                            ledgerErrors.inc();
                            LOG.warn(
                                    "send ledger claim of job {} failed: {}",
                                    job.jobId(),
                                    error.toString());
                            retry(job, null, "send ledger unavailable");
                        } else {
                            onClaim(job, claim);
                        }
                    });
        }

        private void onClaim(EmailJob job, Claim claim) {
            switch (claim.kind()) {
                case FRESH:
                    hold();
                    send(job);
                    return;
                case ALREADY_ACCEPTED:
                    replayedAccepted.inc();
                    sent(
                            withAttempt(job, claim.attempt()),
                            claim.relay(),
                            claim.providerMessageId());
                    return;
                case ALREADY_FAILED:
                    if (claim.mayRetry()) {
                        // A replay: the lost run recorded this retryable failure and had decided on
                        // a retry whose output was lost with it. Decide again from that attempt.
                        retry(withAttempt(job, claim.attempt()), null, claim.detail());
                    } else {
                        failed(withAttempt(job, claim.attempt()), claim.detail());
                    }
                    return;
                case IN_DOUBT:
                default:
                    AtomicInteger held = inFlight.get(job.jobId());
                    if (held != null && held.get() > 0) {
                        // Another try of this job holds the claim here and is still running
                        // (e.g. a timed-out try): let it finish and record its outcome first.
                        retry(job, null, "an earlier try of this job is still in flight");
                    } else if (settings.inDoubt() == InDoubtPolicy.RESEND) {
                        resend(job, claim);
                    } else {
                        inDoubtHeld.inc();
                        LOG.warn(
                                "job {} attempt {} is in doubt (claimed by {} without outcome);"
                                        + " reported FAILED IN_DOUBT, not sent again (HOLD)",
                                job.jobId(),
                                claim.attempt(),
                                claim.detail());
                        failed(
                                withAttempt(job, claim.attempt()),
                                "IN_DOUBT: claimed by "
                                        + claim.detail()
                                        + " without an outcome; the relay may have accepted it;"
                                        + " not sent again (policy HOLD)");
                    }
            }
        }

        /**
         * RESEND of an in-doubt claim: take the claim over (a compare-and-set on its holder, so of
         * several replays at most one sends again), then send as the claimed attempt.
         */
        private void resend(EmailJob job, Claim doubt) {
            EmailJob at = withAttempt(job, doubt.attempt());
            call(
                    ledger.takeOver(job.jobId(), doubt.attempt(), doubt.detail(), claimant),
                    (claim, error) -> {
                        if (error != null) {
                            ledgerErrors.inc();
                            retry(job, null, "send ledger unavailable");
                        } else if (claim.kind() == Claim.Kind.FRESH) {
                            hold();
                            inDoubtResent.inc();
                            LOG.warn(
                                    "job {} attempt {} was in doubt (claimed by {} without"
                                            + " outcome); sent again (RESEND)",
                                    job.jobId(),
                                    doubt.attempt(),
                                    doubt.detail());
                            send(at);
                        } else if (claim.kind() == Claim.Kind.IN_DOUBT) {
                            // Someone else took it over first: they send; look again later.
                            retry(job, null, "an in-doubt try of this job was taken over");
                        } else {
                            onClaim(job, claim);
                        }
                    });
        }

        private void send(EmailJob job) {
            relayCalls.inc();
            CompletableFuture<RelayResult> f;
            try {
                f = relay.send(outbound(job, in));
            } catch (RuntimeException e) {
                f =
                        CompletableFuture.completedFuture(
                                new RelayResult.Failed(
                                        Outcome.RETRYABLE, 0, null, e.toString(), null));
            }
            call(
                    f,
                    (r, error) -> {
                        RelayResult res =
                                error != null
                                        ? new RelayResult.Failed(
                                                Outcome.RETRYABLE, 0, null, error.toString(), null)
                                        : r;
                        onResult(job, res);
                    });
        }

        private void onResult(EmailJob job, RelayResult r) {
            if (r instanceof RelayResult.Accepted a) {
                call(
                        ledger.accepted(
                                job.jobId(), job.attempt(), provider, a.providerMessageId()),
                        (v, error) -> {
                            release();
                            if (error != null) {
                                // Sent, but not recorded: a replay of this job would be in doubt.
                                ledgerErrors.inc();
                                LOG.error(
                                        "job {} accepted by the relay but the ledger write failed:"
                                                + " {}",
                                        job.jobId(),
                                        error.toString());
                            }
                            sent(job, provider, a.providerMessageId());
                        });
                return;
            }
            RelayResult.Failed f = (RelayResult.Failed) r;
            String reason = describe(f);
            signal(job, f);
            boolean retryable = f.outcome().retryable();
            call(
                    ledger.failed(job.jobId(), job.attempt(), reason, retryable),
                    (v, error) -> {
                        release();
                        if (error != null) {
                            ledgerErrors.inc();
                        }
                        if (retryable) {
                            retry(job, f.retryAfter(), reason);
                        } else {
                            failed(job, reason);
                        }
                    });
        }

        /** After a retryable failure of {@code job}'s attempt. */
        private void retry(EmailJob job, Duration hint, String reason) {
            Instant now = Instant.now();
            RetryPolicy.Decision d = settings.retry().next(job.attempt(), hint, firstTriedAt, now);
            if (d.kind() == RetryPolicy.Kind.GIVE_UP) {
                String why = "gave up after attempt " + job.attempt() + ": " + reason;
                call(
                        ledger.failed(job.jobId(), job.attempt(), why, false),
                        (v, error) -> failed(job, why));
                return;
            }
            add(Events.of(job, EmailEventType.DEFERRED, provider, null, reason, now), 1);
            if (d.kind() == RetryPolicy.Kind.RETRY_NOW_AFTER) {
                long delay = d.delay().toMillis();
                if (System.currentTimeMillis() + delay + settings.reserveMillis() < deadline
                        && !closing) {
                    schedule(delay, () -> claim(withAttempt(job, job.attempt() + 1)));
                    return;
                }
                finish(SendOutcome.retry(job.nextAttempt(now.plusMillis(delay))));
                return;
            }
            finish(SendOutcome.retry(job.nextAttempt(d.notBefore())));
        }

        private void sent(EmailJob job, String relayName, String providerMessageId) {
            Instant now = Instant.now();
            add(Events.of(job, EmailEventType.SENT, relayName, providerMessageId, null, now), 0);
            finish(null);
        }

        private void failed(EmailJob job, String reason) {
            add(Events.of(job, EmailEventType.FAILED, provider, null, reason, Instant.now()), 2);
            finish(null);
        }

        private void timedOut() {
            List<SendOutcome> emit;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                EmailJob job = current;
                Instant now = Instant.now();
                String reason =
                        "dispatch did not finish within "
                                + settings.timeoutMillis()
                                + " ms; retried later";
                RetryPolicy.Decision d =
                        settings.retry().next(job.attempt(), null, firstTriedAt, now);
                if (d.kind() == RetryPolicy.Kind.GIVE_UP) {
                    out.add(
                            SendOutcome.of(
                                    Events.of(
                                            job,
                                            EmailEventType.FAILED,
                                            provider,
                                            null,
                                            reason,
                                            now)));
                    counters[2].inc();
                } else {
                    // Not before the running try can have finished and been recorded.
                    Instant notBefore =
                            d.kind() == RetryPolicy.Kind.RETRY_TOPIC
                                    ? d.notBefore()
                                    : now.plusMillis(
                                            Math.max(
                                                    d.delay().toMillis(),
                                                    settings.timeoutMillis()));
                    out.add(
                            SendOutcome.of(
                                    Events.of(
                                            job,
                                            EmailEventType.DEFERRED,
                                            provider,
                                            null,
                                            reason,
                                            now)));
                    out.add(SendOutcome.retry(job.nextAttempt(notBefore)));
                    counters[1].inc();
                }
                emit = new ArrayList<>(out);
            }
            complete(emit);
        }

        private synchronized boolean isDone() {
            return done;
        }

        /** Adds an event and counts it (0 sent, 1 deferred, 2 failed), unless already reported. */
        private synchronized void add(io.sendline.send.events.JobEvent e, int counter) {
            if (!done) {
                out.add(SendOutcome.of(e));
                counters[counter].inc();
            }
        }

        private void finish(SendOutcome last) {
            List<SendOutcome> emit = null;
            synchronized (this) {
                if (!done) {
                    done = true;
                    if (last != null) {
                        out.add(last);
                    }
                    emit = new ArrayList<>(out);
                }
            }
            if (emit != null) {
                complete(emit);
            }
            end();
        }

        private void complete(List<SendOutcome> emit) {
            try {
                result.complete(emit);
            } catch (RuntimeException e) {
                // The operator is closing (failover): the element is in the checkpoint and will be
                // dispatched again, and the ledger tells that run what happened here.
                LOG.debug("result of job {} dropped: {}", in.job().jobId(), e.toString());
            }
        }

        private void end() {
            if (ended.compareAndSet(false, true)) {
                release();
                chains.remove(in);
            }
        }

        /** This chain now holds the job's claim (from FRESH until its outcome is recorded). */
        private void hold() {
            if (holds.compareAndSet(false, true)) {
                inFlight.computeIfAbsent(in.job().jobId(), k -> new AtomicInteger())
                        .incrementAndGet();
            }
        }

        private void release() {
            if (holds.compareAndSet(true, false)) {
                inFlight.computeIfPresent(
                        in.job().jobId(), (k, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        }

        /** Runs {@code then} on the callback executor once {@code f} completes. */
        private <T> void call(CompletableFuture<T> f, BiConsumer<T, Throwable> then) {
            busy.incrementAndGet();
            f.whenCompleteAsync(
                    (v, e) -> {
                        try {
                            then.accept(v, e);
                        } catch (RuntimeException ex) {
                            LOG.error("dispatch of job {} failed", in.job().jobId(), ex);
                            finish(
                                    SendOutcome.retry(
                                            current.nextAttempt(
                                                    Instant.now()
                                                            .plusMillis(
                                                                    settings.timeoutMillis()))));
                        } finally {
                            busy.decrementAndGet();
                        }
                    },
                    callbacks);
        }

        private void schedule(long delayMillis, Runnable r) {
            try {
                scheduler.schedule(r, delayMillis, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                end(); // closing: the restored in-flight copy carries on
            }
        }
    }

    // ---- helpers ----------------------------------------------------------------------------

    private static OutboundMessage outbound(EmailJob job, RenderedEmail in) {
        Map<String, String> tags = new HashMap<>();
        tags.put(
                "type",
                job.type() == null ? "unknown" : job.type().name().toLowerCase(Locale.ROOT));
        if (job.campaignId() != null) {
            tags.put("campaign", job.campaignId());
        }
        return new OutboundMessage(
                job.jobId(), job.pool(), in.envelopeFrom(), in.recipient(), in.mime(), tags);
    }

    private void signal(EmailJob job, RelayResult.Failed f) {
        PacingSignal s;
        long now = System.currentTimeMillis();
        if (f.outcome() == Outcome.THROTTLED
                || (f.outcome() == Outcome.RETRYABLE && f.replyCode() == 0)) {
            // The relay itself pushes back, or does not answer: the whole pool slows down.
            s = PacingSignal.throttled(job.pool(), now);
        } else if (f.outcome() == Outcome.RETRYABLE) {
            s = PacingSignal.deferred(job.pool(), job.recipientDomain(), now);
        } else {
            return;
        }
        Long last = lastSignal.get(s.scope());
        if (last != null && now - last < SIGNAL_INTERVAL_MILLIS) {
            return;
        }
        lastSignal.put(s.scope(), now);
        pacing.publish(s);
    }

    /** The failure as stored and reported: class, codes and the relay's text (no addresses). */
    static String describe(RelayResult.Failed f) {
        StringBuilder s = new StringBuilder(f.outcome().name());
        if (f.outcome() == Outcome.PERMANENT_RECIPIENT) {
            s.append(" (hard bounce: suppress the address)");
        }
        if (f.replyCode() > 0) {
            s.append(' ').append(f.replyCode());
        }
        if (f.enhancedStatus() != null) {
            s.append(' ').append(f.enhancedStatus());
        }
        if (f.detail() != null) {
            s.append(": ").append(f.detail());
        }
        return s.length() > 500 ? s.substring(0, 500) : s.toString();
    }

    /** Counters sent, deferred, failed of the job's pool and domain label (task thread only). */
    private Counter[] counters(EmailJob job) {
        String pool = job.pool() == null ? "unknown" : job.pool();
        String domain = job.recipientDomain();
        String label = settings.metricDomains().contains(domain) ? domain : "other";
        return outcomeCounters.computeIfAbsent(
                pool + "|" + label,
                k -> {
                    MetricGroup g =
                            getRuntimeContext()
                                    .getMetricGroup()
                                    .addGroup("pool", pool)
                                    .addGroup("domain", label);
                    return new Counter[] {
                        g.counter("sent", new ThreadSafeSimpleCounter()),
                        g.counter("deferred", new ThreadSafeSimpleCounter()),
                        g.counter("failed", new ThreadSafeSimpleCounter())
                    };
                });
    }

    /**
     * When the job was first tried, for the retry policy's 24 h limit: now for a first attempt (its
     * in-operator retries count from here); for a later attempt (from the retry topic) the job does
     * not carry it, so its scheduled time, else its creation time, stands in.
     */
    static Instant firstTry(EmailJob job, Instant now) {
        if (job.attempt() == 0) {
            return now;
        }
        Instant t = job.scheduledAt() != null ? job.scheduledAt() : job.createdAt();
        return t == null || t.isAfter(now) ? now : t;
    }

    /** A copy of {@code job} at attempt {@code attempt}. */
    static EmailJob withAttempt(EmailJob job, int attempt) {
        if (job.attempt() == attempt) {
            return job;
        }
        return new EmailJob(
                job.jobId(),
                job.type(),
                job.pool(),
                job.to(),
                job.toName(),
                job.from(),
                job.fromName(),
                job.replyTo(),
                job.templateId(),
                job.templateVersion(),
                job.subject(),
                job.html(),
                job.text(),
                job.variables(),
                job.campaignId(),
                job.scheduledAt(),
                job.tags(),
                job.metadata(),
                job.headers(),
                job.attachments(),
                attempt,
                job.notBefore(),
                job.createdAt());
    }
}
