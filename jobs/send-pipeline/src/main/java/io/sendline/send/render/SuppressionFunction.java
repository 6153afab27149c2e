package io.sendline.send.render;

import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.common.suppression.SuppressionIndex;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.send.events.Events;
import io.sendline.send.metrics.PoolDomainMetrics;
import java.time.Instant;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The suppression check before every send: a job whose recipient is suppressed for its type (hard
 * bounce, complaint, soft-bounce limit and manual block all; unsubscribe blocks marketing only) is
 * recorded SUPPRESSED and goes no further; any other job is handed on.
 *
 * <p><b>Partitioned, not broadcast.</b> Both inputs are keyed by the suppression bucket of the
 * recipient's normalised address ({@link SuppressionKeys}), so each subtask holds only its share of
 * the list. The durable copy is keyed {@code MapState<Long, Integer>} (compact 61-bit address hash
 * to reason) in RocksDB: with incremental checkpoints a checkpoint writes only the changes since
 * the last one, where ten million entries in broadcast state would be written in full by every
 * subtask at every checkpoint (80 MB × parallelism each time). Lookups go to a heap {@link
 * SuppressionIndex} (8 bytes an entry, sorted arrays, tens of nanoseconds), filled from the
 * MapState bucket by bucket the first time a bucket is touched after a start or restore.
 *
 * <p>State is never cleared by TTL: a suppression lasts until its REMOVE arrives (and complaints
 * and hard bounces never go, see {@link SuppressionIndex}).
 */
public final class SuppressionFunction
        extends KeyedCoProcessFunction<Integer, EmailJob, SuppressionChange, EmailJob> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SuppressionFunction.class);

    /** Descriptor of the durable suppression entries (hash with low 3 bits clear → reason). */
    public static final MapStateDescriptor<Long, Integer> ENTRIES =
            new MapStateDescriptor<>("suppressed", Types.LONG, Types.INT);

    private static final SuppressionReason[] REASONS = SuppressionReason.values();

    /** An entry without its reason bits: the compact address key. */
    private static final long KEY_MASK = ~7L;

    private final int buckets;
    private final Set<String> metricDomains;

    private transient MapState<Long, Integer> entries;
    private transient SuppressionIndex index;
    private transient BitSet loaded;
    private transient PoolDomainMetrics metrics;
    private transient Counter changesApplied;
    private transient Counter invalidChanges;

    /**
     * @param buckets suppression buckets (power of two), the same as {@link SuppressionKeys} uses
     * @param metricDomains recipient domains with their own metric label
     */
    public SuppressionFunction(int buckets, Set<String> metricDomains) {
        this.buckets = buckets;
        this.metricDomains = Set.copyOf(metricDomains);
    }

    @Override
    public void open(OpenContext openContext) {
        entries = getRuntimeContext().getMapState(ENTRIES);
        index = SuppressionIndex.create(buckets);
        loaded = new BitSet(buckets);
        metrics = new PoolDomainMetrics(getRuntimeContext().getMetricGroup(), metricDomains);
        changesApplied = getRuntimeContext().getMetricGroup().counter("suppressionChanges");
        invalidChanges = getRuntimeContext().getMetricGroup().counter("suppressionInvalid");
        getRuntimeContext()
                .getMetricGroup()
                .gauge("suppressedAddresses", () -> index == null ? 0L : index.size());
        getRuntimeContext()
                .getMetricGroup()
                .gauge(
                        "suppressionHeapBytes",
                        () -> index == null ? 0L : index.heapBytesEstimate());
    }

    @Override
    public void processElement1(EmailJob job, Context ctx, Collector<EmailJob> out)
            throws Exception {
        int bucket = ctx.getCurrentKey();
        ensureLoaded(bucket);
        SuppressionReason reason;
        try {
            reason = index.reasonForHash(Addresses.hash64(Addresses.normalise(job.to())));
        } catch (InvalidAddressException e) {
            // JobRules refused such jobs at parse time; never send what cannot be checked.
            ctx.output(
                    Events.TAG,
                    Events.of(
                            job,
                            EmailEventType.FAILED,
                            "recipient address cannot be checked: " + e.getMessage(),
                            now(ctx)));
            return;
        }
        if (reason != null && reason.blocks(job.type())) {
            metrics.inc("suppressed", job.pool(), job.recipientDomain());
            ctx.output(
                    Events.TAG,
                    Events.of(job, EmailEventType.SUPPRESSED, "suppressed: " + reason, now(ctx)));
            return;
        }
        out.collect(job);
    }

    @Override
    public void processElement2(SuppressionChange change, Context ctx, Collector<EmailJob> out)
            throws Exception {
        apply(ctx.getCurrentKey(), change);
    }

    /**
     * Applies one change of the address bucket that is the current key (also used by {@link
     * SuppressionOperator} to load the list at a fresh start).
     */
    void apply(int bucket, SuppressionChange change) throws Exception {
        ensureLoaded(bucket);
        long hash;
        try {
            hash = Addresses.hash64(Addresses.normalise(change.address()));
        } catch (InvalidAddressException e) {
            invalidChanges.inc();
            return;
        }
        int changed;
        if (change.action() == SuppressionChange.Action.ADD) {
            if (change.reason() == null) {
                invalidChanges.inc();
                return;
            }
            changed = index.add(hash, change.reason());
        } else {
            changed = index.remove(hash);
        }
        if (changed < 0) {
            return;
        }
        changesApplied.inc();
        long key = SuppressionIndex.entry(hash, SuppressionReason.MANUAL) & KEY_MASK;
        SuppressionReason now = index.reasonForHash(hash);
        if (now == null) {
            entries.remove(key);
        } else {
            entries.put(key, now.ordinal());
        }
    }

    /** Fills the heap index with one bucket's durable entries, once per bucket per start. */
    private void ensureLoaded(int bucket) throws Exception {
        if (loaded.get(bucket)) {
            return;
        }
        long[] e = new long[16];
        int n = 0;
        for (Map.Entry<Long, Integer> entry : entries.entries()) {
            if (n == e.length) {
                e = Arrays.copyOf(e, n * 2);
            }
            e[n++] = SuppressionIndex.entry(entry.getKey(), REASONS[entry.getValue()]);
        }
        long[] sorted = Arrays.copyOf(e, n);
        Arrays.sort(sorted);
        index.restoreBucket(bucket, sorted);
        loaded.set(bucket);
        if (n > 0 && LOG.isDebugEnabled()) {
            LOG.debug("suppression bucket {} loaded: {} entries", bucket, n);
        }
    }

    private static Instant now(Context ctx) {
        return Instant.ofEpochMilli(ctx.timerService().currentProcessingTime());
    }
}
