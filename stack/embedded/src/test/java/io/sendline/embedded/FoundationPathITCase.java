package io.sendline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.SimpleStringSchema;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole foundation path on real parts, as the jobs will use it: a Flink job at parallelism 2 on
 * the MiniCluster reads a topic of the in-process KRaft broker with {@link KafkaSource}, counts per
 * key in RocksDB keyed state, is killed by an injected failure after a checkpoint and restores from
 * it, and writes every count to PostgreSQL through the JDBC connector (at-least-once, idempotent
 * upsert) and to Kafka through an EXACTLY_ONCE {@link KafkaSink}.
 *
 * <p>Why the checks prove it: the source offsets and the counters are restored from the same
 * checkpoint, so the counts continue where they were (a lost counter would emit 1, 2, ... again; a
 * restart without a checkpoint would re-read the topic and emit the first counts twice). A
 * read_committed consumer must see every count 1..N of every key exactly once, although the failed
 * attempt had written part of them in a transaction that was then aborted.
 *
 * <p>The job runs with the settings of {@code flink-conf/config.yaml} (only paths, the checkpoint
 * interval and the pause between checkpoints are scaled down), so the production configuration is
 * exercised on a real job as well.
 */
class FoundationPathITCase {

    private static final org.slf4j.Logger LOG =
            org.slf4j.LoggerFactory.getLogger(FoundationPathITCase.class);

    private static final int KEYS = 6;
    private static final int BEFORE_FAILURE = 40;
    private static final int AFTER_FAILURE = 40;
    private static final int PER_KEY = BEFORE_FAILURE + AFTER_FAILURE;

    /** Armed by the test once a checkpoint holds the first half; the next record fails the job. */
    static final AtomicBoolean FAIL_NEXT_RECORD = new AtomicBoolean();

    static final AtomicInteger INJECTED_FAILURES = new AtomicInteger();

    /** What the job emits: the running count of one key. */
    public record Count(String key, long count) {}

    /** Counts records per key in keyed state (RocksDB here); fails once when the test says so. */
    static final class CountPerKey extends KeyedProcessFunction<String, String, Count> {
        private transient ValueState<Long> count;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext ctx) {
            count = getRuntimeContext().getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(String key, Context ctx, Collector<Count> out) throws Exception {
            if (FAIL_NEXT_RECORD.compareAndSet(true, false)) {
                INJECTED_FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure (expected by the test)");
            }
            Long previous = count.value();
            long next = previous == null ? 1 : previous + 1;
            count.update(next);
            out.collect(new Count(key, next));
        }
    }

    /** Key: the key; value: {@code key:count}. */
    static final class CountSerializer implements KafkaRecordSerializationSchema<Count> {
        private final String topic;

        CountSerializer(String topic) {
            this.topic = topic;
        }

        @Override
        public ProducerRecord<byte[], byte[]> serialize(
                Count c, KafkaSinkContext context, Long timestamp) {
            return new ProducerRecord<>(
                    topic,
                    c.key().getBytes(StandardCharsets.UTF_8),
                    (c.key() + ":" + c.count()).getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void countsContinueAfterRestoreFromARocksDbCheckpointAndReachKafkaAndPostgresExactly(
            @TempDir Path checkpoints) throws Exception {
        String in = "foundation.in";
        String out = "foundation.out";
        FAIL_NEXT_RECORD.set(false);
        INJECTED_FAILURES.set(0);

        // The three start independently; in parallel they are ready in the time of the slowest.
        CompletableFuture<EmbeddedKafka> kafkaStart =
                CompletableFuture.supplyAsync(EmbeddedKafka::start);
        CompletableFuture<EmbeddedPostgres> pgStart =
                CompletableFuture.supplyAsync(EmbeddedPostgres::start);
        CompletableFuture<FlinkMiniCluster> flinkStart =
                CompletableFuture.supplyAsync(() -> FlinkMiniCluster.start(2, 1, 0));
        awaitAllOrClose(kafkaStart, pgStart, flinkStart);
        try (EmbeddedKafka kafka = kafkaStart.join();
                EmbeddedPostgres pg = pgStart.join();
                FlinkMiniCluster flink = flinkStart.join()) {
            kafka.createTopic(in, 2, false);
            kafka.createTopic(out, 2, false);
            try (Connection c = pg.connect();
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE key_count (key text PRIMARY KEY, count bigint NOT NULL)");
            }
            kafka.send(records(in, BEFORE_FAILURE));

            long t0 = System.nanoTime();
            JobClient job = buildJob(flink, kafka, pg, in, out, checkpoints).executeAsync("path");
            try {
                // Committed output of the first half means a checkpoint holds it (offsets +
                // counts).
                assertThat(kafka.readAll(out, KEYS * BEFORE_FAILURE, Duration.ofSeconds(90)))
                        .hasSize(KEYS * BEFORE_FAILURE);
                long t1 = System.nanoTime();
                FAIL_NEXT_RECORD.set(true);
                kafka.send(records(in, AFTER_FAILURE));

                List<ConsumerRecord<byte[], byte[]>> committed =
                        kafka.readAll(out, KEYS * PER_KEY, Duration.ofSeconds(90));
                Map<String, Long> inDb = awaitDbCounts(pg, Duration.ofSeconds(30));
                LOG.info(
                        "first half committed {} ms after submission; failure, restore and second"
                                + " half committed in {} ms",
                        TimeUnit.NANOSECONDS.toMillis(t1 - t0),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t1));

                assertThat(INJECTED_FAILURES).hasValue(1);
                assertThat(restoredCheckpoints(flink, job)).isPositive();
                // The production settings reached the job.
                assertThat(get(flink, "/jobs/" + job.getJobID() + "/checkpoints/config"))
                        .contains("RocksDB")
                        .containsPattern("\"mode\"\\s*:\\s*\"exactly_once\"")
                        .containsPattern("\"unaligned_checkpoints\"\\s*:\\s*true")
                        .containsPattern("\"delete_on_cancellation\"\\s*:\\s*false");

                Map<String, List<Long>> countsByKey = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> r : committed) {
                    String[] kv = new String(r.value(), StandardCharsets.UTF_8).split(":");
                    assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(kv[0]);
                    countsByKey
                            .computeIfAbsent(kv[0], k -> new ArrayList<>())
                            .add(Long.parseLong(kv[1]));
                }
                List<Long> oneToN = LongStream.rangeClosed(1, PER_KEY).boxed().toList();
                assertThat(countsByKey).hasSize(KEYS);
                countsByKey.forEach(
                        (key, counts) ->
                                assertThat(counts.stream().sorted().toList())
                                        .as("counts of %s, each exactly once", key)
                                        .isEqualTo(oneToN));

                assertThat(inDb)
                        .hasSize(KEYS)
                        .allSatisfy((k, v) -> assertThat(v).isEqualTo(PER_KEY));
            } finally {
                // Before the broker stops, or the sink's transaction abort blocks for a minute.
                cancel(job);
            }
        }
    }

    /** Waits for every start; if one failed, closes those that started and rethrows. */
    @SafeVarargs
    private static void awaitAllOrClose(CompletableFuture<? extends AutoCloseable>... starts) {
        try {
            CompletableFuture.allOf(starts).join();
        } catch (CompletionException e) {
            for (CompletableFuture<? extends AutoCloseable> f : starts) {
                if (!f.isCompletedExceptionally()) {
                    try {
                        f.join().close();
                    } catch (Exception suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
    }

    private static StreamExecutionEnvironment buildJob(
            FlinkMiniCluster flink,
            EmbeddedKafka kafka,
            EmbeddedPostgres pg,
            String in,
            String out,
            Path checkpoints) {
        // The production settings of flink-conf/config.yaml (RocksDB and its options, incremental
        // exactly-once checkpoints with the unaligned fallback, exponential-delay restarts, no
        // Kryo), with paths and timing scaled down for a test. Set on the job's own
        // configuration: the MiniCluster's would not reach the job (STACK.md).
        Configuration conf = ProductionFlinkConf.forTest(checkpoints, 2);
        StreamExecutionEnvironment env = flink.env(conf);

        KafkaSource<String> source =
                KafkaSource.<String>builder()
                        .setBootstrapServers(kafka.bootstrapServers())
                        .setTopics(in)
                        .setGroupId("foundation-path")
                        .setStartingOffsets(OffsetsInitializer.earliest())
                        .setValueOnlyDeserializer(new SimpleStringSchema())
                        .build();
        DataStream<Count> counts =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka in")
                        .uid("kafka-in")
                        .keyBy(key -> key)
                        .process(new CountPerKey())
                        .uid("count-per-key")
                        .name("count per key");

        counts.sinkTo(
                        KafkaSink.<Count>builder()
                                .setBootstrapServers(kafka.bootstrapServers())
                                .setRecordSerializer(new CountSerializer(out))
                                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                                .setTransactionalIdPrefix("foundation-" + UUID.randomUUID())
                                // Below the broker's transaction.max.timeout.ms (15 min).
                                .setProperty("transaction.timeout.ms", "60000")
                                .build())
                .uid("kafka-out")
                .name("kafka out (exactly once)");

        // At-least-once plus an upsert that never moves a count backwards: replays after the
        // restore rewrite the same values and leave the row as it was.
        counts.sinkTo(
                        JdbcSink.<Count>builder()
                                .withQueryStatement(
                                        "INSERT INTO key_count AS t (key, count) VALUES (?, ?)"
                                                + " ON CONFLICT (key) DO UPDATE"
                                                + " SET count = EXCLUDED.count"
                                                + " WHERE t.count < EXCLUDED.count",
                                        (ps, c) -> {
                                            ps.setString(1, c.key());
                                            ps.setLong(2, c.count());
                                        })
                                .withExecutionOptions(
                                        JdbcExecutionOptions.builder()
                                                .withBatchSize(100)
                                                .withBatchIntervalMs(100)
                                                .withMaxRetries(3)
                                                .build())
                                .buildAtLeastOnce(
                                        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                                                .withUrl(pg.jdbcUrl())
                                                .withDriverName("org.postgresql.Driver")
                                                .withUsername(pg.user())
                                                .withPassword(pg.password())
                                                .build()))
                .uid("postgres-out")
                .name("postgres out (upsert)");
        return env;
    }

    /** {@code perKey} records for each key, keyed and valued by the key. */
    private static List<ProducerRecord<byte[], byte[]>> records(String topic, int perKey) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < KEYS; k++) {
                byte[] key = ("key-" + k).getBytes(StandardCharsets.UTF_8);
                records.add(new ProducerRecord<>(topic, key, key));
            }
        }
        return records;
    }

    /** Polls the table until every key reached its final count, or the timeout passed. */
    private static Map<String, Long> awaitDbCounts(EmbeddedPostgres pg, Duration timeout)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, Long> counts = new TreeMap<>();
        while (System.nanoTime() < deadline) {
            counts.clear();
            try (Connection c = pg.connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT key, count FROM key_count")) {
                while (rs.next()) {
                    counts.put(rs.getString(1), rs.getLong(2));
                }
            }
            if (counts.size() == KEYS && counts.values().stream().allMatch(v -> v == PER_KEY)) {
                break;
            }
            Thread.sleep(100);
        }
        return counts;
    }

    /** How many times the job was restored from a checkpoint, from the REST API (web UI). */
    private static long restoredCheckpoints(FlinkMiniCluster flink, JobClient job)
            throws Exception {
        String body = get(flink, "/jobs/" + job.getJobID() + "/checkpoints");
        Matcher m = Pattern.compile("\"restored\"\\s*:\\s*(\\d+)").matcher(body);
        assertThat(m.find()).as("restored count in %s", body).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String get(FlinkMiniCluster flink, String path) throws Exception {
        HttpResponse<String> r =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(flink.webUrl() + path)).build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private static void cancel(JobClient job) throws Exception {
        JobStatus status = job.getJobStatus().get(30, TimeUnit.SECONDS);
        if (!status.isGloballyTerminalState()) {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
                && !job.getJobStatus().get(30, TimeUnit.SECONDS).isGloballyTerminalState()) {
            Thread.sleep(100);
        }
    }
}
