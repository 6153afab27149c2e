package io.sendline.send.it;

import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.embedded.FlinkMiniCluster;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import io.sendline.send.SendPipeline;
import io.sendline.send.SendPipelineOptions;
import io.sendline.send.TestComposer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The real parts the send-pipeline fault and priority ITCases run on: an in-process KRaft broker,
 * an embedded PostgreSQL with the migrations, and a MiniCluster of 2 TaskManagers × 1 slot running
 * {@link SendPipeline#build} at parallelism 2 (RocksDB, exactly-once checkpoints) with the sandbox
 * relay counting into a named ledger. One fresh topic prefix per instance.
 */
final class RealParts implements AutoCloseable {

    final String prefix = "it" + UUID.randomUUID().toString().substring(0, 8) + ".";
    final String ledger = "send-it-" + UUID.randomUUID();
    final EmbeddedKafka kafka;
    final EmbeddedPostgres pg;
    final FlinkMiniCluster flink;
    final SendPipelineOptions options;
    JobClient job;

    /** Starts everything; {@code extra} options on top of the test defaults. */
    RealParts(Map<String, String> extra) throws Exception {
        CompletableFuture<EmbeddedPostgres> db =
                CompletableFuture.supplyAsync(
                        () -> {
                            EmbeddedPostgres p = EmbeddedPostgres.start();
                            Migrations.apply(p.jdbcUrl(), p.user(), p.password());
                            return p;
                        });
        CompletableFuture<FlinkMiniCluster> cluster =
                CompletableFuture.supplyAsync(() -> FlinkMiniCluster.start(2, 1, 0));
        kafka = EmbeddedKafka.start();
        pg = db.get();
        flink = cluster.get();
        options =
                SendPipelineOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topicPrefix(prefix)
                        .jdbc(pg.jdbcUrl(), pg.user(), pg.password())
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .set(SendPipelineOptions.STATUS_BATCH_INTERVAL, "100ms")
                        .tracking("http://localhost:8080", "it-tracking-secret-of-32-bytes-or-more")
                        .set("relay.pool.default.type", "sandbox")
                        .set("relay.pool.default.sandbox.ledger", ledger)
                        .setAll(extra)
                        .build();
        for (Topics t : Topics.values()) {
            kafka.createTopic(options.topic(t), 2, t.compacted());
        }
        kafka.createTopic(options.pacingTopic(), 1, false);
    }

    /** Builds and starts the pipeline (the test composer: the ITCases are about dispatch). */
    void startPipeline(String name) {
        var env = flink.env(SendPipeline.jobConfiguration(options));
        SendPipeline.build(env, options, TestComposer.provider(name));
        try {
            job = env.executeAsync(name);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        await("job running", Duration.ofSeconds(60), () -> status() == JobStatus.RUNNING);
    }

    JobStatus status() {
        try {
            return job.getJobStatus().get();
        } catch (Exception e) {
            return JobStatus.INITIALIZING;
        }
    }

    /** Publishes jobs to their lane's topic. */
    void publish(List<EmailJob> jobs) {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(jobs.size());
        for (EmailJob j : jobs) {
            Topics t =
                    j.type() == EmailType.MARKETING
                            ? Topics.JOBS_MARKETING
                            : Topics.JOBS_TRANSACTIONAL;
            records.add(
                    new ProducerRecord<>(
                            options.topic(t),
                            j.jobId().getBytes(StandardCharsets.UTF_8),
                            Json.toBytes(j)));
        }
        kafka.send(records);
    }

    /** Every committed event (read_committed). */
    List<EmailEvent> events(int expected, Duration timeout) {
        return kafka.readAll(options.topic(Topics.EVENTS), expected, timeout).stream()
                .map(r -> Json.fromBytes(r.value(), EmailEvent.class))
                .collect(Collectors.toList());
    }

    /** A single number from PostgreSQL. */
    long count(String sql) {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs one SQL statement. */
    void execute(String sql) {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.executeUpdate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @Override
    public void close() {
        // Cancel before the broker stops, or the sinks' aborts block (STACK.md).
        if (job != null) {
            try {
                job.cancel().get();
            } catch (Exception ignored) {
                // already ended
            }
        }
        if (flink != null) {
            flink.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (pg != null) {
            pg.close();
        }
    }
}
