package io.sendline.send.throttle;

import io.sendline.common.throttle.PacingConfig;
import io.sendline.common.throttle.PacingState;
import io.sendline.common.throttle.ThrottleKey;
import io.sendline.common.throttle.TokenBucket;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.EmailJob;
import io.sendline.send.control.ControlRules;
import io.sendline.send.control.ControlSignal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Paces jobs per throttle key {@code pool|domain|subKey} ({@link ThrottleKeySelector}).
 *
 * <h2>Rates</h2>
 *
 * A key may send {@code min(domainRate / splits, poolShare)} per second, times the domain's AIMD
 * back-off factor ({@link BackoffFactor}). On top of that every subtask keeps one token bucket per
 * pool at {@code poolShare = min(poolRate, warm-up cap) / parallelism} times the pool's back-off
 * factor, shared by all of the pool's keys on that subtask: keys spread over subtasks by key group,
 * so the shares add up to the pool's rate once a pool's traffic spans the subtasks (hot domains
 * must be split over at least {@code parallelism} sub-keys to use a whole pool's rate). Rates and
 * pauses come from configuration overridden by the control topic ({@link ControlRules}).
 *
 * <h2>Waiting</h2>
 *
 * A job that may go now passes straight through without touching the queue. Otherwise it waits in a
 * FIFO in keyed state (map state by sequence number, head and tail in {@link QueueState}) and one
 * processing-time timer per key wakes the key when its next token is due, never later than the
 * re-check interval (so a resume or a rate change takes effect within it). Keys waiting only for
 * their pool's tokens sleep in proportion to how many keys wait for that pool, so they do not all
 * wake for each token. When the queue is empty the key's state is kept only until its bucket would
 * be full again (the same state a fresh key starts with), then cleared by a timer.
 *
 * <h2>Broadcast input</h2>
 *
 * {@link ControlSignal}s: control commands (last per scope, in {@link #CONTROL_STATE}) and pacing
 * feedback from dispatch (AIMD factors per pool and per pool+domain, in {@link #BACKOFF_STATE},
 * forgotten once recovered). Both are applied deterministically with the signal's own time.
 */
public final class ThrottleFunction
        extends KeyedBroadcastProcessFunction<String, EmailJob, ControlSignal, EmailJob> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ThrottleFunction.class);

    /** Control commands by scope ({@link ControlRules#stateKey}). */
    public static final MapStateDescriptor<String, ControlCommand> CONTROL_STATE =
            new MapStateDescriptor<>(
                    "throttle-control", Types.STRING, TypeInformation.of(ControlCommand.class));

    /** AIMD back-off per {@code pool|} (whole pool) and {@code pool|domain}. */
    public static final MapStateDescriptor<String, PacingState> BACKOFF_STATE =
            new MapStateDescriptor<>(
                    "throttle-backoff", Types.STRING, TypeInformation.of(PacingState.class));

    private static final long CAMPAIGN_PAUSED = -1;

    private final ThrottleSettings settings;

    private transient MapState<Long, EmailJob> queue;
    private transient ValueState<QueueState> meta;
    private transient int parallelism;
    private transient Map<String, TokenBucket> poolBuckets;
    private transient Map<String, Set<String>> poolWaiters;
    private transient Map<String, KeyStat> keyStats;
    private transient Map<String, LabelStat> labelStats;
    private transient Counter released;
    private transient Counter queued;
    private transient Counter controlApplied;
    private transient Counter pacingApplied;

    public ThrottleFunction(ThrottleSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public void open(OpenContext openContext) {
        queue =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "queue", Types.LONG, TypeInformation.of(EmailJob.class)));
        meta =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "queue-state", TypeInformation.of(QueueState.class)));
        parallelism = getRuntimeContext().getTaskInfo().getNumberOfParallelSubtasks();
        poolBuckets = new HashMap<>();
        poolWaiters = new HashMap<>();
        keyStats = new HashMap<>();
        labelStats = new HashMap<>();
        MetricGroup g = getRuntimeContext().getMetricGroup();
        released = g.counter("released");
        queued = g.counter("queued");
        controlApplied = g.counter("controlCommands");
        pacingApplied = g.counter("pacingSignals");
    }

    // ---- jobs -------------------------------------------------------------------------------

    @Override
    public void processElement(EmailJob job, ReadOnlyContext ctx, Collector<EmailJob> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        String key = ctx.getCurrentKey();
        QueueState st = meta.value();
        if (st == null) {
            st = new QueueState();
        }
        Rates rates = rates(key, ctx, now);
        if (st.size() == 0) {
            long wait = take(st, key, rates, job, ctx, now);
            if (wait == 0) {
                out.collect(job);
                released.inc();
                idle(st, rates, ctx.timerService(), now);
                return;
            }
            enqueue(st, job);
            schedule(st, ctx.timerService(), now + (wait < 0 ? settings.recheckMillis() : wait));
        } else {
            enqueue(st, job);
        }
        meta.update(st);
        report(key, rates, st.size());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EmailJob> out)
            throws Exception {
        QueueState st = meta.value();
        if (st == null) {
            return;
        }
        if (timestamp == st.timerAt) {
            st.timerAt = 0;
        }
        if (timestamp == st.cleanupAt) {
            st.cleanupAt = 0;
        }
        long now = Math.max(timestamp, ctx.timerService().currentProcessingTime());
        String key = ctx.getCurrentKey();
        Rates rates = rates(key, ctx, now);
        long rotations = 0;
        while (st.size() > 0) {
            EmailJob job = queue.get(st.head);
            if (job == null) { // cannot happen unless state was edited; skip the hole
                st.head++;
                continue;
            }
            long wait = take(st, key, rates, job, ctx, now);
            if (wait == 0) {
                queue.remove(st.head);
                st.head++;
                out.collect(job);
                released.inc();
                continue;
            }
            if (wait == CAMPAIGN_PAUSED && rotations < st.size()) {
                // A paused campaign's job must not hold up the others: move it to the back.
                queue.remove(st.head);
                st.head++;
                queue.put(st.tail++, job);
                rotations++;
                continue;
            }
            schedule(
                    st,
                    ctx.timerService(),
                    now + (wait == CAMPAIGN_PAUSED ? settings.recheckMillis() : wait));
            break;
        }
        if (st.size() == 0) {
            idle(st, rates, ctx.timerService(), now);
        } else {
            meta.update(st);
            report(key, rates, st.size());
        }
    }

    private void enqueue(QueueState st, EmailJob job) throws Exception {
        queue.put(st.tail++, job);
        queued.inc();
    }

    /**
     * Takes a token for {@code job} from the key's and the pool's bucket when both have one.
     *
     * @return 0 when taken; else millis to wait (at most the re-check interval), or {@link
     *     #CAMPAIGN_PAUSED}
     */
    private long take(
            QueueState st, String key, Rates rates, EmailJob job, ReadOnlyContext ctx, long now) {
        if (rates.paused) {
            waiters(rates.pool).remove(key);
            return settings.recheckMillis();
        }
        if (ControlRules.campaignPaused(lookup(ctx), job.campaignId())) {
            waiters(rates.pool).remove(key);
            return CAMPAIGN_PAUSED;
        }
        // A key never used (or cleaned up) starts with a full bucket, as a fresh TokenBucket does.
        double tokens = st.lastRefillMillis == Long.MIN_VALUE ? rates.keyBurst : st.tokens;
        TokenBucket bucket =
                TokenBucket.restore(rates.key, rates.keyBurst, tokens, st.lastRefillMillis);
        TokenBucket pool = poolBucket(rates, now);
        long keyWait = bucket.peekWait(now);
        long poolWait = pool.peekWait(now);
        Set<String> waiting = waiters(rates.pool);
        long wait;
        if (keyWait == 0
                && poolWait == 0
                // The pool's last token goes to the key that has waited longest for the pool, so a
                // key whose own timer happens to fire first cannot starve the others.
                && (pool.tokens() >= 2 || waiting.isEmpty() || isFirst(waiting, key))) {
            bucket.tryAcquire(now);
            pool.tryAcquire(now);
            waiting.remove(key);
            wait = 0;
        } else if (keyWait == 0) {
            // Only the pool's share is short: queue up for it, and sleep about one round of the
            // pool's waiting keys instead of waking for every token.
            waiting.add(key);
            long round = (long) Math.ceil(waiting.size() * 1000.0 / pool.rate());
            wait = Math.max(Math.max(1, poolWait), round);
        } else {
            wait = Math.max(keyWait, poolWait);
        }
        st.tokens = bucket.tokens();
        st.lastRefillMillis = bucket.lastRefillMillis();
        return Math.min(wait, settings.recheckMillis());
    }

    /** Queue empty: keep the state until the key's bucket is full again, then clear it. */
    private void idle(QueueState st, Rates rates, TimerService timers, long now) throws Exception {
        st.head = 0;
        st.tail = 0;
        String key = rates.key();
        double missing = rates.keyBurst - st.tokens;
        long refillMillis =
                st.lastRefillMillis == Long.MIN_VALUE
                        ? 0
                        : (long) Math.ceil(missing * 1000.0 / rates.key)
                                - (now - st.lastRefillMillis);
        if (refillMillis <= 0) {
            if (st.timerAt != 0) {
                timers.deleteProcessingTimeTimer(st.timerAt);
            }
            if (st.cleanupAt != 0) {
                timers.deleteProcessingTimeTimer(st.cleanupAt);
            }
            meta.clear();
            queue.clear();
            waiters(rates.pool).remove(key);
            forget(key);
            return;
        }
        if (st.cleanupAt == 0) {
            st.cleanupAt = now + refillMillis;
            timers.registerProcessingTimeTimer(st.cleanupAt);
        }
        meta.update(st);
        report(key, rates, 0);
    }

    private void schedule(QueueState st, TimerService timers, long at) {
        if (st.timerAt != 0 && st.timerAt <= at) {
            return; // an earlier timer looks again anyway
        }
        if (st.timerAt != 0) {
            timers.deleteProcessingTimeTimer(st.timerAt);
        }
        timers.registerProcessingTimeTimer(at);
        st.timerAt = at;
    }

    // ---- rates ------------------------------------------------------------------------------

    /** The rates of a key at {@code now}. */
    private Rates rates(String key, ReadOnlyContext ctx, long now) throws Exception {
        String pool = ThrottleKey.poolOf(key);
        String domain = ThrottleKey.domainOf(key);
        PacingConfig pacing = settings.pacing();
        Function<String, ControlCommand> lookup = lookup(ctx);
        ReadOnlyBroadcastState<String, PacingState> backoff = ctx.getBroadcastState(BACKOFF_STATE);
        double poolRate = ControlRules.poolRate(lookup, pool, pacing.poolRate(pool));
        double warmupCap =
                pacing.warmup(pool)
                        .map(w -> w.capPerSecond(Instant.ofEpochMilli(now)))
                        .orElse(Double.MAX_VALUE);
        double poolCap = Math.min(poolRate, warmupCap);
        double poolFactor = BackoffFactor.at(backoff.get(pool + "|"), now);
        double domainFactor = BackoffFactor.at(backoff.get(pool + "|" + domain), now);
        double domainRate =
                ControlRules.domainRate(lookup, pool, domain, pacing.domainRate(pool, domain))
                        * domainFactor;
        double poolShare = ThrottleKey.subtaskPoolShare(poolCap, parallelism) * poolFactor;
        double keyRate = Math.min(domainRate / pacing.splitsFor(domain), poolShare);
        Rates r = new Rates();
        r.keyName = key;
        r.pool = pool;
        r.label = pool + "|" + settings.domainLabel(domain);
        r.paused = ControlRules.paused(lookup, pool, domain);
        r.key = keyRate;
        r.keyBurst = burst(keyRate);
        r.poolShare = poolShare;
        // At least 2, so that a pool's bucket can hold the spare token the fairness rule needs.
        r.poolBurst = Math.max(2.0, burst(poolShare));
        return r;
    }

    private double burst(double rate) {
        return Math.max(1.0, rate * settings.burstMillis() / 1000.0);
    }

    private TokenBucket poolBucket(Rates rates, long now) {
        TokenBucket b = poolBuckets.get(rates.pool);
        if (b == null) {
            b = new TokenBucket(rates.poolShare, rates.poolBurst);
            poolBuckets.put(rates.pool, b);
        } else if (Math.abs(b.burst() - rates.poolBurst) >= 0.5) {
            b.peekWait(now);
            b = TokenBucket.restore(rates.poolShare, rates.poolBurst, b.tokens(), now);
            poolBuckets.put(rates.pool, b);
        } else if (b.rate() != rates.poolShare) {
            b.setRate(rates.poolShare, now);
        }
        return b;
    }

    private Set<String> waiters(String pool) {
        return poolWaiters.computeIfAbsent(pool, p -> new LinkedHashSet<>());
    }

    private static boolean isFirst(Set<String> waiting, String key) {
        return waiting.iterator().next().equals(key);
    }

    private static Function<String, ControlCommand> lookup(ReadOnlyContext ctx) {
        ReadOnlyBroadcastState<String, ControlCommand> s = ctx.getBroadcastState(CONTROL_STATE);
        return k -> {
            try {
                return s.get(k);
            } catch (Exception e) {
                throw new IllegalStateException("cannot read control state", e);
            }
        };
    }

    /** A key's rates at one instant. */
    private static final class Rates {
        String keyName;
        String pool;
        String label;
        boolean paused;
        double key;
        double keyBurst;
        double poolShare;
        double poolBurst;

        String key() {
            return keyName;
        }
    }

    // ---- broadcast --------------------------------------------------------------------------

    @Override
    public void processBroadcastElement(ControlSignal signal, Context ctx, Collector<EmailJob> out)
            throws Exception {
        if (signal.command() != null) {
            ControlCommand c = signal.command();
            String k = ControlRules.stateKey(c);
            if (k == null) {
                LOG.warn(
                        "control command {} ({} pool={} domain={} campaign={}) does not apply to"
                                + " the throttle; ignored",
                        c.commandId(),
                        c.action(),
                        c.pool(),
                        c.domain(),
                        c.campaignId());
                return;
            }
            BroadcastState<String, ControlCommand> s = ctx.getBroadcastState(CONTROL_STATE);
            if (ControlRules.sets(c)) {
                s.put(k, c);
            } else {
                s.remove(k);
            }
            controlApplied.inc();
            LOG.info(
                    "control {} applied: {} (rate {}, reason {})",
                    k,
                    c.action(),
                    c.ratePerSecond(),
                    c.reason());
            return;
        }
        PacingSignal p = signal.pacing();
        if (p.pool() == null || p.kind() == null) {
            return;
        }
        BroadcastState<String, PacingState> s = ctx.getBroadcastState(BACKOFF_STATE);
        String k = p.pool() + "|" + (p.domain() == null ? "" : p.domain());
        s.put(k, BackoffFactor.apply(s.get(k), p.kind(), p.atMillis()));
        pacingApplied.inc();
        // Forget what has recovered, judged by the signal's time so every subtask agrees.
        List<String> recovered = new ArrayList<>();
        for (Map.Entry<String, PacingState> e : s.entries()) {
            if (BackoffFactor.recovered(e.getValue(), p.atMillis())) {
                recovered.add(e.getKey());
            }
        }
        for (String r : recovered) {
            s.remove(r);
        }
    }

    // ---- metrics ----------------------------------------------------------------------------

    /** Queue depth and rate of one key, as last reported into its label's sums. */
    private static final class KeyStat {
        String label;
        long depth;
        double rate;
    }

    /** Sums over this subtask's keys of one pool and domain label, read by the gauges. */
    private static final class LabelStat {
        volatile long depth;
        volatile double rate;
    }

    private void report(String key, Rates rates, long depth) {
        KeyStat k = keyStats.computeIfAbsent(key, x -> new KeyStat());
        if (k.label == null) {
            k.label = rates.label;
        }
        LabelStat l = label(k.label, rates.pool);
        double rate = rates.paused ? 0 : rates.key;
        l.depth += depth - k.depth;
        l.rate += rate - k.rate;
        k.depth = depth;
        k.rate = rate;
    }

    private void forget(String key) {
        KeyStat k = keyStats.remove(key);
        if (k != null) {
            LabelStat l = labelStats.get(k.label);
            if (l != null) {
                l.depth -= k.depth;
                l.rate -= k.rate;
                if (keyStats.isEmpty()) {
                    l.rate = 0; // no drift from floating-point sums
                }
            }
        }
    }

    private LabelStat label(String label, String pool) {
        LabelStat l = labelStats.get(label);
        if (l == null) {
            l = new LabelStat();
            labelStats.put(label, l);
            LabelStat ref = l;
            MetricGroup g =
                    getRuntimeContext()
                            .getMetricGroup()
                            .addGroup("pool", pool)
                            .addGroup("domain", label.substring(label.indexOf('|') + 1));
            g.gauge("queueDepth", (Gauge<Long>) () -> ref.depth);
            g.gauge("currentRate", (Gauge<Double>) () -> ref.rate);
        }
        return l;
    }

    /** Queue depth of this subtask for a pool and domain label (for tests). */
    long queueDepth(String pool, String domainLabel) {
        LabelStat l = labelStats.get(pool + "|" + domainLabel);
        return l == null ? 0 : l.depth;
    }
}
