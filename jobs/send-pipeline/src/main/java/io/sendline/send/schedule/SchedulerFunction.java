package io.sendline.send.schedule;

import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.events.Events;
import io.sendline.send.metrics.PoolDomainMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Dedupe, scheduling and cancellation, keyed by job id.
 *
 * <ul>
 *   <li>A job due now is handed on at once (event QUEUED).
 *   <li>A job scheduled for later ({@code scheduledAt}, or a retry's {@code notBefore}) waits in
 *       keyed state (RocksDB, so millions may wait) with a processing-time timer at its time: Kafka
 *       is never polled again (event SCHEDULED for a first attempt).
 *   <li>A cancellation removes a waiting job and its timer (event CANCELLED). A cancellation that
 *       arrives before its job is remembered (for the dedupe TTL) and cancels the job on arrival. A
 *       cancellation after the job was handed on is too late and only counted.
 *   <li>A record of an attempt already seen (the same job id enqueued twice, or replayed by a
 *       producer retry) is dropped. Retries carry a higher attempt number and pass.
 * </ul>
 *
 * State: the waiting job (no TTL: it is cleared when it fires or is cancelled, however far ahead it
 * is scheduled); the highest attempt seen and an early cancellation (both with the dedupe TTL,
 * cleaned up by RocksDB compaction).
 */
public final class SchedulerFunction
        extends KeyedCoProcessFunction<String, EmailJob, CancelRequest, EmailJob> {

    private static final long serialVersionUID = 1L;

    private final Duration dedupeTtl;
    private final Set<String> metricDomains;

    private transient ValueState<EmailJob> waiting;
    private transient ValueState<Integer> seenAttempt;
    private transient ValueState<Long> earlyCancel;
    private transient Counter duplicates;
    private transient Counter cancelTooLate;
    private transient Counter scheduled;
    private transient PoolDomainMetrics metrics;

    /** A scheduler whose metrics label every domain as {@code other}. */
    public SchedulerFunction(Duration dedupeTtl) {
        this(dedupeTtl, Set.of());
    }

    /**
     * @param dedupeTtl how long a job id is remembered to drop duplicates and early cancellations
     * @param metricDomains recipient domains with their own metric label
     */
    public SchedulerFunction(Duration dedupeTtl, Set<String> metricDomains) {
        this.dedupeTtl = dedupeTtl;
        this.metricDomains = Set.copyOf(metricDomains);
    }

    @Override
    public void open(OpenContext openContext) {
        StateTtlConfig ttl =
                StateTtlConfig.newBuilder(dedupeTtl)
                        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                        .cleanupInRocksdbCompactFilter(1000)
                        .build();
        waiting =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "waiting", TypeInformation.of(EmailJob.class)));
        ValueStateDescriptor<Integer> seen = new ValueStateDescriptor<>("seen-attempt", Types.INT);
        seen.enableTimeToLive(ttl);
        seenAttempt = getRuntimeContext().getState(seen);
        ValueStateDescriptor<Long> cancel = new ValueStateDescriptor<>("early-cancel", Types.LONG);
        cancel.enableTimeToLive(ttl);
        earlyCancel = getRuntimeContext().getState(cancel);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicates");
        cancelTooLate = getRuntimeContext().getMetricGroup().counter("cancelTooLate");
        scheduled = getRuntimeContext().getMetricGroup().counter("scheduled");
        metrics = new PoolDomainMetrics(getRuntimeContext().getMetricGroup(), metricDomains);
    }

    @Override
    public void processElement1(EmailJob job, Context ctx, Collector<EmailJob> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        EmailJob pending = waiting.value();
        Integer seen = seenAttempt.value();
        if ((pending != null && job.attempt() <= pending.attempt())
                || (seen != null && job.attempt() <= seen)) {
            duplicates.inc();
            return;
        }
        seenAttempt.update(job.attempt());
        if (earlyCancel.value() != null) {
            earlyCancel.clear();
            ctx.output(
                    Events.TAG,
                    Events.of(
                            job,
                            EmailEventType.CANCELLED,
                            "cancelled before it arrived",
                            Instant.ofEpochMilli(now)));
            return;
        }
        if (pending != null) {
            // A newer attempt replaces a waiting older one (its timer is replaced too).
            ctx.timerService().deleteProcessingTimeTimer(Schedule.dueMillis(pending));
            waiting.clear();
        }
        if (Schedule.mustWait(job, now)) {
            waiting.update(job);
            ctx.timerService().registerProcessingTimeTimer(Schedule.dueMillis(job));
            scheduled.inc();
            metrics.inc("scheduled", job.pool(), job.recipientDomain());
            if (job.attempt() == 0) {
                ctx.output(
                        Events.TAG,
                        Events.of(job, EmailEventType.SCHEDULED, null, Instant.ofEpochMilli(now)));
            }
        } else {
            if (job.attempt() == 0) {
                ctx.output(
                        Events.TAG,
                        Events.of(job, EmailEventType.QUEUED, null, Instant.ofEpochMilli(now)));
            }
            metrics.inc("due", job.pool(), job.recipientDomain());
            out.collect(job);
        }
    }

    @Override
    public void processElement2(CancelRequest cancel, Context ctx, Collector<EmailJob> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        EmailJob pending = waiting.value();
        if (pending != null) {
            ctx.timerService().deleteProcessingTimeTimer(Schedule.dueMillis(pending));
            waiting.clear();
            metrics.inc("cancelled", pending.pool(), pending.recipientDomain());
            ctx.output(
                    Events.TAG,
                    Events.of(
                            pending,
                            EmailEventType.CANCELLED,
                            "cancelled while scheduled",
                            Instant.ofEpochMilli(now)));
        } else if (seenAttempt.value() == null) {
            earlyCancel.update(now);
        } else {
            cancelTooLate.inc();
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<EmailJob> out)
            throws Exception {
        EmailJob pending = waiting.value();
        if (pending != null && Schedule.dueMillis(pending) <= timestamp) {
            waiting.clear();
            metrics.inc("due", pending.pool(), pending.recipientDomain());
            out.collect(pending);
        }
    }
}
