package io.sendline.send;

import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.Topics;
import io.sendline.schemas.flink.JsonKafkaSerializer;
import io.sendline.schemas.flink.RawRecord;
import io.sendline.schemas.flink.RawRecordDeserializationSchema;
import io.sendline.send.control.ControlSignal;
import io.sendline.send.control.ControlStreams;
import io.sendline.send.dispatch.Dispatch;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import io.sendline.send.events.SendOutcome;
import io.sendline.send.ingest.DeadLetters;
import io.sendline.send.ingest.JobRules;
import io.sendline.send.ingest.ParseFunction;
import io.sendline.send.ingest.ReferenceRules;
import io.sendline.send.ingest.Validator;
import io.sendline.send.render.ComposerProvider;
import io.sendline.send.render.JdbcAttachmentStore;
import io.sendline.send.render.RenderFunction;
import io.sendline.send.render.RenderedEmail;
import io.sendline.send.render.SuppressionBootstrap;
import io.sendline.send.render.SuppressionFunction;
import io.sendline.send.render.SuppressionKeys;
import io.sendline.send.render.SuppressionOperator;
import io.sendline.send.schedule.SchedulerFunction;
import io.sendline.send.status.EventHistorySink;
import io.sendline.send.status.JobStatusSink;
import io.sendline.send.throttle.Throttle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The send pipeline's topology, built on any environment (a cluster via {@link SendPipelineJob}, a
 * MiniCluster in tests and the local stack).
 *
 * <pre>
 * per lane (transactional, marketing: own sources, own operators, own uids):
 *   KafkaSource(jobs topic) + KafkaSource(retry topic, this lane's type)
 *     → parse (bad → email.dead-letter)
 *     → keyBy(jobId) scheduler (+ cancellations)         dedupe, timers, cancel
 *     → throttle keyBy(pool|domain|subKey) (+ control)    pacing
 *     → keyBy(address bucket) suppression check           (+ email.suppressions; a fresh
 *                                                          start loads the list first)
 *     → keyBy(jobId) render                               (+ email.templates broadcast)
 *     → async dispatch to the pool's relay
 * shared:
 *   events of every stage → email.events (exactly-once) and email_job (forward-only upsert)
 *   retries → email.jobs.retry (exactly-once), dead letters → email.dead-letter (exactly-once)
 * </pre>
 *
 * Stages with state have stable uids ({@code <stage>-<lane>}), so savepoints survive changes.
 * {@link #build} reads the end offsets of {@code email.suppressions}, so the broker must be
 * reachable where it runs (the client, or the JobManager in application mode).
 */
public final class SendPipeline {

    /** Lanes in a fixed order: their operators are independent. */
    public static final List<EmailType> LANES =
            List.of(EmailType.TRANSACTIONAL, EmailType.MARKETING);

    private SendPipeline() {}

    /** The streams the topology ends in (already connected to their sinks). */
    public record Outputs(
            DataStream<JobEvent> events,
            DataStream<EmailJob> retries,
            DataStream<DeadLetter> deadLetters) {}

    /**
     * Builds the whole job on {@code env} with the composer configured by the {@code compose.*}
     * options. Enables exactly-once checkpointing at {@code checkpoint.interval} when the
     * environment has no checkpointing yet (the Kafka sinks commit only on checkpoints).
     */
    public static Outputs build(StreamExecutionEnvironment env, SendPipelineOptions options) {
        return build(env, options, ComposerProviders.fromOptions(options));
    }

    /** As {@link #build(StreamExecutionEnvironment, SendPipelineOptions)} with a given composer. */
    public static Outputs build(
            StreamExecutionEnvironment env,
            SendPipelineOptions options,
            ComposerProvider composer) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(composer, "composer");
        if (options.parallelism() > 0) {
            env.setParallelism(options.parallelism());
        }
        env.setMaxParallelism(options.maxParallelism());
        if (!env.getCheckpointConfig().isCheckpointingEnabled()) {
            env.enableCheckpointing(
                    options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        }

        List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
        List<DataStream<JobEvent>> events = new ArrayList<>();
        List<DataStream<EmailJob>> retries = new ArrayList<>();

        // Shared inputs: cancellations, suppressions, templates (compacted topics from the start).
        SingleOutputStreamOperator<CancelRequest> cancels =
                parse(
                        source(env, options, Topics.JOBS_CANCELLATIONS, committedOrEarliest()),
                        "cancellations",
                        CancelRequest.class,
                        JobRules::problems);
        deadLetters.add(cancels.getSideOutput(DeadLetters.TAG));

        // The list as it stands now is loaded by each suppression check before it judges a job
        // (fresh start only); the live source continues exactly where that load stops.
        SuppressionBootstrap bootstrap =
                SuppressionBootstrap.capture(
                        options.bootstrapServers(), options.topic(Topics.SUPPRESSIONS));
        SingleOutputStreamOperator<SuppressionChange> suppressions =
                parse(
                        source(
                                        env,
                                        options,
                                        Topics.SUPPRESSIONS,
                                        OffsetsInitializer.offsets(
                                                bootstrap.startOffsets(),
                                                OffsetResetStrategy.EARLIEST))
                                .filter(r -> r.value() != null)
                                .name("no tombstones")
                                .uid("tombstones-suppressions"),
                        "suppressions",
                        SuppressionChange.class,
                        ReferenceRules::problems);
        deadLetters.add(suppressions.getSideOutput(DeadLetters.TAG));

        SingleOutputStreamOperator<EmailTemplate> templates =
                parse(
                        source(env, options, Topics.TEMPLATES, OffsetsInitializer.earliest())
                                .filter(r -> r.value() != null)
                                .name("no tombstones")
                                .uid("tombstones-templates"),
                        "templates",
                        EmailTemplate.class,
                        ReferenceRules::problems);
        deadLetters.add(templates.getSideOutput(DeadLetters.TAG));
        BroadcastStream<EmailTemplate> templateBroadcast =
                templates.broadcast(RenderFunction.TEMPLATES, RenderFunction.NEWEST);

        Stages stages = Stages.forOptions(env, options);

        for (EmailType lane : LANES) {
            String l = lane.name().toLowerCase(Locale.ROOT);
            Topics laneTopic =
                    lane == EmailType.TRANSACTIONAL
                            ? Topics.JOBS_TRANSACTIONAL
                            : Topics.JOBS_MARKETING;
            SingleOutputStreamOperator<EmailJob> fresh =
                    parse(
                            source(env, options, laneTopic, committedOrEarliest(), l),
                            "jobs-" + l,
                            EmailJob.class,
                            JobRules::problems);
            long bufferTimeout = options.bufferTimeout(lane).toMillis();
            fresh.setBufferTimeout(bufferTimeout);
            deadLetters.add(fresh.getSideOutput(DeadLetters.TAG));
            SingleOutputStreamOperator<EmailJob> retried =
                    parse(
                            source(env, options, Topics.JOBS_RETRY, committedOrEarliest(), l),
                            "retry-" + l,
                            EmailJob.class,
                            JobRules::problems);
            retried.setBufferTimeout(bufferTimeout);
            deadLetters.add(retried.getSideOutput(DeadLetters.TAG));
            DataStream<EmailJob> laneJobs =
                    fresh.union(
                            retried.filter(new LaneFilter(lane))
                                    .name("own type")
                                    .uid("retry-filter-" + l));

            SingleOutputStreamOperator<EmailJob> due =
                    laneJobs.keyBy(EmailJob::jobId)
                            .connect(cancels.keyBy(CancelRequest::jobId))
                            .process(
                                    new SchedulerFunction(
                                            options.dedupeTtl(), options.metricDomains()))
                            .uid("schedule-" + l)
                            .name("schedule " + l)
                            .setBufferTimeout(bufferTimeout);
            events.add(due.getSideOutput(Events.TAG));

            DataStream<EmailJob> paced = stages.throttle(due, lane).setBufferTimeout(bufferTimeout);

            int buckets = options.suppressionBuckets();
            SingleOutputStreamOperator<EmailJob> allowed =
                    paced.keyBy(SuppressionKeys.ofJobs(buckets))
                            .connect(suppressions.keyBy(SuppressionKeys.ofChanges(buckets)))
                            .transform(
                                    "suppression check " + l,
                                    TypeInformation.of(EmailJob.class),
                                    new SuppressionOperator(
                                            new SuppressionFunction(
                                                    buckets, options.metricDomains()),
                                            bootstrap,
                                            buckets))
                            .uid("suppress-" + l)
                            .setBufferTimeout(bufferTimeout);
            events.add(allowed.getSideOutput(Events.TAG));

            SingleOutputStreamOperator<RenderedEmail> rendered =
                    allowed.keyBy(EmailJob::jobId)
                            .connect(templateBroadcast)
                            .process(
                                    new RenderFunction(
                                            composer,
                                            new JdbcAttachmentStore(
                                                    options.jdbcUrl(),
                                                    options.jdbcUser(),
                                                    options.jdbcPassword()),
                                            options.templateWait(),
                                            options.metricDomains()))
                            .uid("render-" + l)
                            .name("render " + l)
                            .setBufferTimeout(bufferTimeout);
            events.add(rendered.getSideOutput(Events.TAG));

            DataStream<SendOutcome> outcomes =
                    stages.dispatch(rendered, lane).setBufferTimeout(bufferTimeout);
            events.add(
                    outcomes.filter(o -> o.event() != null)
                            .name("outcome events " + l)
                            .uid("outcome-events-" + l)
                            .map(SendOutcome::event)
                            .name("outcome event " + l)
                            .uid("outcome-event-" + l));
            retries.add(
                    outcomes.filter(o -> o.retry() != null)
                            .name("outcome retries " + l)
                            .uid("outcome-retries-" + l)
                            .map(SendOutcome::retry)
                            .name("outcome retry " + l)
                            .uid("outcome-retry-" + l));
        }
        deadLetters.addAll(stages.deadLetters());

        DataStream<JobEvent> allEvents = union(events);
        allEvents
                .map(JobEvent::event)
                .name("event record")
                .uid("event-record")
                .sinkTo(
                        kafkaSink(
                                options,
                                JsonKafkaSerializer.of(
                                        options.topic(Topics.EVENTS), EmailEvent::jobId),
                                "events"))
                .name("email.events")
                .uid("sink-events");
        allEvents
                .filter(JobStatusSink::isStatus)
                .name("status events")
                .uid("status-filter")
                .keyBy(e -> e.event().jobId())
                .sinkTo(
                        JobStatusSink.create(
                                options.jdbcUrl(),
                                options.jdbcUser(),
                                options.jdbcPassword(),
                                options.statusBatchSize(),
                                options.statusBatchInterval()))
                .name("email_job status")
                .uid("sink-status");
        allEvents
                .sinkTo(
                        EventHistorySink.create(
                                options.jdbcUrl(),
                                options.jdbcUser(),
                                options.jdbcPassword(),
                                options.statusBatchSize(),
                                options.statusBatchInterval()))
                .name("email_event history")
                .uid("sink-event-history");

        DataStream<EmailJob> allRetries = union(retries);
        allRetries
                .sinkTo(
                        kafkaSink(
                                options,
                                JsonKafkaSerializer.of(
                                        options.topic(Topics.JOBS_RETRY), EmailJob::jobId),
                                "retry"))
                .name("email.jobs.retry")
                .uid("sink-retry");

        DataStream<DeadLetter> allDead = union(deadLetters);
        allDead.sinkTo(
                        kafkaSink(
                                options,
                                JsonKafkaSerializer.of(
                                        options.topic(Topics.DEAD_LETTER), DeadLetter::key),
                                "dead-letter"))
                .name("email.dead-letter")
                .uid("sink-dead-letter");

        return new Outputs(allEvents, allRetries, allDead);
    }

    /**
     * The cluster settings the job expects, for {@code getExecutionEnvironment(conf)}: RocksDB with
     * incremental checkpoints (the suppression list and waiting jobs are large keyed state whose
     * checkpoints must cost only their changes), exactly-once checkpoints at {@code
     * checkpoint.interval}, and the checkpoint directory when one is given.
     */
    public static Configuration jobConfiguration(SendPipelineOptions options) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, options.checkpointInterval());
        conf.set(
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        if (!options.checkpointDir().isBlank()) {
            conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, options.checkpointDir());
        }
        return conf;
    }

    // ---- building blocks ---------------------------------------------------------------------

    private static OffsetsInitializer committedOrEarliest() {
        // First deployment: everything on the topic; later deployments without a checkpoint
        // continue where the last one committed. A restore always uses the checkpoint's offsets.
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    }

    private static DataStream<RawRecord> source(
            StreamExecutionEnvironment env,
            SendPipelineOptions options,
            Topics topic,
            OffsetsInitializer start) {
        return source(env, options, topic, start, null);
    }

    private static DataStream<RawRecord> source(
            StreamExecutionEnvironment env,
            SendPipelineOptions options,
            Topics topic,
            OffsetsInitializer start,
            String lane) {
        String name = topic.topic() + (lane == null ? "" : "/" + lane);
        String id = "source-" + topic.topic() + (lane == null ? "" : "-" + lane);
        KafkaSource<RawRecord> source =
                KafkaSource.<RawRecord>builder()
                        .setBootstrapServers(options.bootstrapServers())
                        .setTopics(options.topic(topic))
                        .setGroupId(options.groupId() + "-" + id)
                        .setStartingOffsets(start)
                        .setDeserializer(new RawRecordDeserializationSchema())
                        // Jobs and retries are written transactionally by this job and others.
                        .setProperty("isolation.level", "read_committed")
                        .setProperty("partition.discovery.interval.ms", "60000")
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), name).uid(id);
    }

    private static <T> SingleOutputStreamOperator<T> parse(
            DataStream<RawRecord> raw, String what, Class<T> type, Validator<T> rules) {
        return raw.process(new ParseFunction<>(type, rules)).uid("parse-" + what).name("parse");
    }

    /** An exactly-once Kafka sink; each sink gets its own transactional id prefix. */
    static <T> KafkaSink<T> kafkaSink(
            SendPipelineOptions options,
            KafkaRecordSerializationSchema<T> serializer,
            String name) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(options.bootstrapServers())
                .setRecordSerializer(serializer)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(options.transactionalIdPrefix() + "-" + name)
                .setProperty(
                        "transaction.timeout.ms",
                        Long.toString(options.transactionTimeout().toMillis()))
                .build();
    }

    private static <T> DataStream<T> union(List<DataStream<T>> streams) {
        DataStream<T> first = streams.get(0);
        if (streams.size() == 1) {
            return first;
        }
        @SuppressWarnings("unchecked")
        DataStream<T>[] rest = streams.subList(1, streams.size()).toArray(new DataStream[0]);
        return first.union(rest);
    }

    /**
     * The pacing and dispatch stages ({@link Throttle}, {@link Dispatch}) behind one seam of the
     * wiring: the control input (commands from {@code email.control} and pacing feedback) is built
     * once and shared by both lanes' throttles.
     */
    static final class Stages {
        private final SendPipelineOptions options;
        private final SingleOutputStreamOperator<ControlCommand> commands;
        private final DataStream<ControlSignal> control;

        private Stages(
                SendPipelineOptions options,
                SingleOutputStreamOperator<ControlCommand> commands,
                DataStream<ControlSignal> control) {
            this.options = options;
            this.commands = commands;
            this.control = control;
        }

        static Stages forOptions(StreamExecutionEnvironment env, SendPipelineOptions options) {
            SingleOutputStreamOperator<ControlCommand> commands =
                    ControlStreams.commands(env, options);
            DataStream<ControlSignal> control =
                    ControlStreams.signals(commands, ControlStreams.pacing(env, options));
            return new Stages(options, commands, control);
        }

        /** The lane's throttle: keyBy(pool, domain, subKey) with the control broadcast. */
        SingleOutputStreamOperator<EmailJob> throttle(DataStream<EmailJob> due, EmailType lane) {
            return Throttle.apply(due, control, lane, options);
        }

        /**
         * The lane's dispatch to the relays: ledger claim, relay, short retries, outcome (see
         * {@link Dispatch}).
         */
        SingleOutputStreamOperator<SendOutcome> dispatch(
                DataStream<RenderedEmail> rendered, EmailType lane) {
            return Dispatch.apply(rendered, lane, options);
        }

        /** Dead letters of the stages' own inputs (control commands). */
        List<DataStream<DeadLetter>> deadLetters() {
            return List.of(commands.getSideOutput(DeadLetters.TAG));
        }
    }
}
