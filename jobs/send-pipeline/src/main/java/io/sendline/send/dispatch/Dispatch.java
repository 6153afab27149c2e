package io.sendline.send.dispatch;

import io.sendline.common.retry.RetryPolicy;
import io.sendline.relay.RelayConfig;
import io.sendline.schemas.EmailType;
import io.sendline.send.SendPipelineOptions;
import io.sendline.send.events.SendOutcome;
import io.sendline.send.render.RenderedEmail;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the dispatch stage of one lane: {@code AsyncDataStream.unorderedWait} with {@link
 * DispatchFunction}, the lane's capacity (in-flight bound per subtask) and the dispatch timeout.
 * Each lane has its own operator ({@code uid} {@code dispatch-transactional} / {@code
 * dispatch-marketing}), capacity and relay pool, so a marketing backlog never fills the
 * transactional lane's in-flight slots.
 */
public final class Dispatch {

    private Dispatch() {}

    /** The uid of a lane's dispatch operator. */
    public static String uid(EmailType lane) {
        return "dispatch-" + lane.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The relays of the job's options: the {@code relay.pool.*} keys, or every pool on the sandbox
     * when there are none.
     */
    public static RelayConfig relayConfig(SendPipelineOptions options) {
        var keys = options.subset(RelayConfig.PREFIX);
        if (keys.isEmpty()) {
            // A deployment that forgot its relay keys must not report SENT for mail that never
            // left: the sandbox is chosen explicitly (relay.pool.<pool>.type=sandbox), never by
            // default.
            throw new IllegalArgumentException(
                    "no relay configured: set relay.pool.<pool>.type=ses|smtp|sandbox"
                            + " (see docs/relays.md)");
        }
        return RelayConfig.fromProperties(keys);
    }

    /** The settings of one lane from the job's options. */
    public static DispatchSettings settings(EmailType lane, SendPipelineOptions options) {
        return new DispatchSettings(
                lane,
                options.inDoubtPolicy(lane),
                RetryPolicy.fromMap(options.subset(RetryPolicy.PREFIX)),
                options.dispatchTimeout().toMillis(),
                options.dispatchDrainTimeout().toMillis(),
                options.metricDomains());
    }

    /** The production resources (PostgreSQL ledger, the pools' relays, Kafka pacing topic). */
    public static DispatchResources resources(SendPipelineOptions options, RelayConfig relays) {
        return DispatchResources.of(
                options.jdbcUrl(),
                options.jdbcUser(),
                options.jdbcPassword(),
                relays,
                options.bootstrapServers(),
                options.pacingTopic(),
                options.ledgerWriters());
    }

    /** Dispatch of one lane with the production resources. */
    public static SingleOutputStreamOperator<SendOutcome> apply(
            DataStream<RenderedEmail> rendered, EmailType lane, SendPipelineOptions options) {
        return apply(
                rendered,
                lane,
                options.capacity(lane),
                settings(lane, options),
                resources(options, relayConfig(options)));
    }

    /** Dispatch of one lane. */
    public static SingleOutputStreamOperator<SendOutcome> apply(
            DataStream<RenderedEmail> rendered,
            EmailType lane,
            int capacity,
            DispatchSettings settings,
            DispatchResources resources) {
        return AsyncDataStream.unorderedWait(
                        rendered,
                        new DispatchFunction(settings, resources),
                        settings.timeoutMillis(),
                        TimeUnit.MILLISECONDS,
                        capacity)
                .uid(uid(lane))
                .name("dispatch " + lane.name().toLowerCase(Locale.ROOT));
    }
}
