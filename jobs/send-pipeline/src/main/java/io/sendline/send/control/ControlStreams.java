package io.sendline.send.control;

import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.schemas.flink.RawRecord;
import io.sendline.schemas.flink.RawRecordDeserializationSchema;
import io.sendline.send.SendPipelineOptions;
import io.sendline.send.ingest.ParseFunction;
import io.sendline.send.throttle.PacingSignal;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The throttle's broadcast input: control commands from the compacted {@code email.control} topic,
 * read from the beginning on every fresh start (the last command per scope is the state), and
 * pacing feedback from dispatch on the pacing topic, read from the latest offset on a fresh start
 * (old feedback is stale by definition). Both topics are small: their sources run at parallelism 1.
 *
 * <p>Use: {@code signals(commands(env, options), pacing(env, options))}; the {@link
 * io.sendline.send.ingest.DeadLetters#TAG} side output of {@link #commands} holds malformed
 * commands.
 */
public final class ControlStreams {

    private ControlStreams() {}

    /** Parsed control commands; malformed records go to the dead-letter side output. */
    public static SingleOutputStreamOperator<ControlCommand> commands(
            StreamExecutionEnvironment env, SendPipelineOptions options) {
        KafkaSource<RawRecord> source =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(options.topic(Topics.CONTROL))
                        .setGroupId(options.groupId() + "-control")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setDeserializer(new RawRecordDeserializationSchema())
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "control topic")
                .uid("source-control")
                .setParallelism(1)
                .process(new ParseFunction<>(ControlCommand.class, ControlStreams::problems))
                .uid("parse-control")
                .name("parse control")
                .setParallelism(1);
    }

    /** Pacing feedback from dispatch; unreadable records are skipped (it is advisory). */
    public static DataStream<PacingSignal> pacing(
            StreamExecutionEnvironment env, SendPipelineOptions options) {
        KafkaSource<PacingSignal> source =
                KafkaSource.<PacingSignal>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(options.pacingTopic())
                        .setGroupId(options.groupId() + "-pacing")
                        .setStartingOffsets(OffsetsInitializer.latest())
                        .setDeserializer(new PacingDeserializer())
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pacing feedback")
                .uid("source-pacing")
                .setParallelism(1);
    }

    /** Both as one stream of {@link ControlSignal}s, for {@code Throttle.apply}. */
    public static DataStream<ControlSignal> signals(
            DataStream<ControlCommand> commands, DataStream<PacingSignal> pacing) {
        DataStream<ControlSignal> c =
                commands.map(ControlSignal::of)
                        .returns(ControlSignal.class)
                        .name("control command")
                        .setParallelism(1);
        DataStream<ControlSignal> p =
                pacing.map(ControlSignal::of)
                        .returns(ControlSignal.class)
                        .name("pacing signal")
                        .setParallelism(1);
        return c.union(p);
    }

    /** What makes a control command usable beyond its schema. */
    static List<String> problems(ControlCommand c) {
        List<String> p = new ArrayList<>();
        if (c.action() == null) {
            p.add("action is missing");
        }
        if ((c.pool() == null || c.pool().isBlank())
                && (c.campaignId() == null || c.campaignId().isBlank())) {
            p.add("pool or campaignId is required");
        }
        if (c.action() == ControlCommand.Action.SET_RATE
                && (c.ratePerSecond() == null || c.ratePerSecond().isNaN())) {
            p.add("SET_RATE needs ratePerSecond");
        }
        return p;
    }

    /** JSON pacing signals; anything else is counted in the log and skipped. */
    static final class PacingDeserializer
            implements KafkaRecordDeserializationSchema<PacingSignal> {
        private static final long serialVersionUID = 1L;
        private static final Logger LOG = LoggerFactory.getLogger(PacingDeserializer.class);

        @Override
        public void deserialize(
                ConsumerRecord<byte[], byte[]> record, Collector<PacingSignal> out) {
            if (record.value() == null) {
                return;
            }
            try {
                out.collect(Json.fromBytes(record.value(), PacingSignal.class));
            } catch (RuntimeException e) {
                LOG.warn(
                        "unreadable pacing signal at {}-{}@{} skipped: {}",
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        e.getMessage());
            }
        }

        @Override
        public TypeInformation<PacingSignal> getProducedType() {
            return TypeInformation.of(PacingSignal.class);
        }
    }
}
