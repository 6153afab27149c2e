package io.sendline.send.throttle;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.send.SendPipelineOptions;
import io.sendline.send.control.ControlSignal;
import java.util.Locale;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * Wires the throttle stage of one lane: {@code keyBy(pool, domain, subKey)} connected with the
 * broadcast control signals ({@link io.sendline.send.control.ControlStreams#signals}), processed by
 * {@link ThrottleFunction}. Each lane gets its own operator ({@code uid} {@code
 * throttle-transactional} / {@code throttle-marketing}), so transactional jobs never queue behind
 * marketing ones.
 */
public final class Throttle {

    private Throttle() {}

    /** The uid of a lane's throttle operator. */
    public static String uid(EmailType lane) {
        return "throttle-" + lane.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The throttled jobs of one lane.
     *
     * @param jobs the lane's due jobs (after the scheduler)
     * @param control control commands and pacing feedback, shared by both lanes
     * @param lane transactional or marketing
     * @param options the job's options (pacing, throttle keys)
     */
    public static SingleOutputStreamOperator<EmailJob> apply(
            DataStream<EmailJob> jobs,
            DataStream<ControlSignal> control,
            EmailType lane,
            SendPipelineOptions options) {
        return apply(jobs, control, lane, ThrottleSettings.from(options));
    }

    /** As {@link #apply(DataStream, DataStream, EmailType, SendPipelineOptions)}. */
    public static SingleOutputStreamOperator<EmailJob> apply(
            DataStream<EmailJob> jobs,
            DataStream<ControlSignal> control,
            EmailType lane,
            ThrottleSettings settings) {
        BroadcastStream<ControlSignal> broadcast =
                control.broadcast(ThrottleFunction.CONTROL_STATE, ThrottleFunction.BACKOFF_STATE);
        return jobs.keyBy(new ThrottleKeySelector(settings.pacing()))
                .connect(broadcast)
                .process(new ThrottleFunction(settings))
                .uid(uid(lane))
                .name("throttle " + lane.name().toLowerCase(Locale.ROOT));
    }
}
