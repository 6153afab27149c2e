package io.sendline.send.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.embedded.FlinkMiniCluster;
import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.Attachment;
import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import io.sendline.send.SendPipeline;
import io.sendline.send.SendPipelineOptions;
import io.sendline.send.TestJobs;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The send pipeline on real parts: an in-process KRaft broker, an embedded PostgreSQL with the
 * project's migrations, and a Flink MiniCluster running the job at parallelism 2 with RocksDB and
 * exactly-once checkpoints. One pipeline serves every test (each uses its own job ids); events are
 * read back with {@code read_committed}, so only what the exactly-once sink committed counts.
 */
class SendPipelineITCase {

    // Generous: on a 2-core machine shared with other builds the first job can take 30 s.
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String BLOCKED = "blocked@example.com";
    private static final String UNSUBSCRIBED = "gone@example.com";

    private static final String PREFIX = "it" + UUID.randomUUID().toString().substring(0, 8) + ".";
    private static final String LEDGER = "send-it-" + UUID.randomUUID();

    private static EmbeddedKafka kafka;
    private static EmbeddedPostgres pg;
    private static FlinkMiniCluster flink;
    private static JobClient job;
    private static SendPipelineOptions options;

    @BeforeAll
    static void startPipeline() throws Exception {
        // Broker and database start side by side (each takes ~5 s).
        CompletableFuture<EmbeddedPostgres> db =
                CompletableFuture.supplyAsync(
                        () -> {
                            EmbeddedPostgres p = EmbeddedPostgres.start();
                            Migrations.apply(p.jdbcUrl(), p.user(), p.password());
                            return p;
                        });
        kafka = EmbeddedKafka.start();
        pg = db.get();
        options =
                SendPipelineOptions.builder()
                        .bootstrapServers(kafka.bootstrapServers())
                        .topicPrefix(PREFIX)
                        .jdbc(pg.jdbcUrl(), pg.user(), pg.password())
                        .parallelism(2)
                        .checkpointInterval(Duration.ofMillis(500))
                        .set(SendPipelineOptions.TEMPLATE_WAIT, "3s")
                        .set(SendPipelineOptions.STATUS_BATCH_INTERVAL, "50ms")
                        .tracking("http://localhost:8080", "it-tracking-secret-of-32-bytes-or-more")
                        .set("relay.pool.default.type", "sandbox")
                        .set("relay.pool.default.sandbox.ledger", LEDGER)
                        .build();
        for (Topics t : Topics.values()) {
            kafka.createTopic(options.topic(t), 2, t.compacted());
        }
        kafka.createTopic(options.pacingTopic(), 1, false);
        // Suppressions exist before the pipeline starts, as in production (compacted topic).
        kafka.send(
                suppression(BLOCKED, SuppressionReason.HARD_BOUNCE),
                suppression(UNSUBSCRIBED, SuppressionReason.UNSUBSCRIBE));

        flink = FlinkMiniCluster.start(2, 1, 0);
        var env = flink.env(SendPipeline.jobConfiguration(options));
        SendPipeline.build(env, options); // the real composer: Pebble, tracking, MIME
        job = env.executeAsync("send-pipeline-it");
        await(
                "job running",
                () -> {
                    try {
                        return job.getJobStatus().get() == JobStatus.RUNNING;
                    } catch (Exception e) {
                        return false;
                    }
                });
    }

    @AfterAll
    static void stop() throws Exception {
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

    @Test
    void malformedJobGoesToTheDeadLetterTopicWithItsReason() {
        kafka.send(record(options.topic(Topics.JOBS_TRANSACTIONAL), "bad-1", "{\"jobId\": oops"));
        DeadLetter d =
                await(
                        "dead letter",
                        () ->
                                read(Topics.DEAD_LETTER, DeadLetter.class).stream()
                                        .filter(x -> "bad-1".equals(x.key()))
                                        .findFirst());
        assertThat(d.reason()).contains("malformed JSON");
        assertThat(d.payload()).isEqualTo("{\"jobId\": oops");
        assertThat(d.sourceTopic()).isEqualTo(options.topic(Topics.JOBS_TRANSACTIONAL));
    }

    @Test
    void jobIsSentThroughTheSandboxRelayAndRecordedSent() throws Exception {
        EmailJob j =
                TestJobs.job("e2e-" + UUID.randomUUID())
                        .to("success@simulator.sendline.dev")
                        .build();
        publish(j);
        EmailEvent sent = awaitEvent(j.jobId(), EmailEventType.SENT);
        assertThat(sent.providerMessageId()).startsWith("sandbox-");
        assertThat(sent.recipientDomain()).isEqualTo("simulator.sendline.dev");
        assertThat(eventTypes(j.jobId())).contains(EmailEventType.QUEUED, EmailEventType.SENT);
        assertThat(
                        await(
                                "status SENT in PostgreSQL",
                                () -> status(j.jobId()).filter(s -> s.startsWith("SENT"))))
                .isEqualTo("SENT " + sent.providerMessageId());
        assertThat(SandboxLedger.named(LEDGER).accepted(j.jobId())).isEqualTo(1);
        assertThat(eventTypes(j.jobId())).doesNotContain(EmailEventType.FAILED);
        assertThat(await("event history", () -> history(j.jobId()).filter(h -> h.contains("SENT"))))
                .contains("QUEUED");
    }

    @Test
    void attachmentStoredByHashIsFetchedAtSendTime() throws Exception {
        byte[] pdf = "%PDF-1.4 sendline test".getBytes(StandardCharsets.US_ASCII);
        String sha =
                java.util.HexFormat.of()
                        .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(pdf));
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO email_attachment (sha256, filename, content_type,"
                                        + " size, content) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, sha);
            ps.setString(2, "receipt.pdf");
            ps.setString(3, "application/pdf");
            ps.setLong(4, pdf.length);
            ps.setBytes(5, pdf);
            ps.executeUpdate();
        }
        EmailJob withFile =
                TestJobs.job("att-" + UUID.randomUUID())
                        .attachments(
                                List.of(
                                        new Attachment(
                                                "receipt.pdf", "application/pdf", sha, pdf.length)))
                        .build();
        EmailJob missing =
                TestJobs.job("att-missing-" + UUID.randomUUID())
                        .attachments(
                                List.of(
                                        new Attachment(
                                                "gone.pdf", "application/pdf", "0".repeat(64), 3)))
                        .build();
        publish(withFile, missing);
        awaitEvent(withFile.jobId(), EmailEventType.SENT);
        EmailEvent failed = awaitEvent(missing.jobId(), EmailEventType.FAILED);
        assertThat(failed.reason()).contains("not stored");
        assertThat(SandboxLedger.named(LEDGER).accepted(missing.jobId())).isZero();
    }

    @Test
    void suppressedJobIsRecordedSuppressedAndNeverReachesTheRelay() throws Exception {
        EmailJob blocked = TestJobs.job("sup-" + UUID.randomUUID()).to(BLOCKED).build();
        EmailJob unsubMarketing =
                TestJobs.job("unsub-" + UUID.randomUUID()).to(UNSUBSCRIBED).marketing().build();
        EmailJob unsubTransactional =
                TestJobs.job("unsubtx-" + UUID.randomUUID()).to(UNSUBSCRIBED).build();
        publish(blocked, unsubMarketing, unsubTransactional);

        awaitEvent(blocked.jobId(), EmailEventType.SUPPRESSED);
        awaitEvent(unsubMarketing.jobId(), EmailEventType.SUPPRESSED);
        awaitEvent(unsubTransactional.jobId(), EmailEventType.SENT); // unsubscribe: marketing only
        await(
                "status SUPPRESSED",
                () -> status(blocked.jobId()).filter(s -> s.startsWith("SUPPRESSED")));
        SandboxLedger ledger = SandboxLedger.named(LEDGER);
        assertThat(ledger.accepted(blocked.jobId())).isZero();
        assertThat(ledger.accepted(unsubMarketing.jobId())).isZero();
        assertThat(ledger.accepted(unsubTransactional.jobId())).isEqualTo(1);
    }

    @Test
    void scheduledJobWaitsUntilItsTimeAndCanBeCancelledBeforeThen() throws Exception {
        Instant at = Instant.now().plusSeconds(4);
        EmailJob later = TestJobs.job("later-" + UUID.randomUUID()).scheduledAt(at).build();
        // Far enough ahead that the cancellation surely arrives first, however loaded the machine
        // (events commit on checkpoints, so seeing SCHEDULED can take seconds).
        EmailJob cancelled =
                TestJobs.job("cancel-" + UUID.randomUUID())
                        .marketing()
                        .scheduledAt(Instant.now().plusSeconds(600))
                        .build();
        publish(later, cancelled);
        awaitEvent(later.jobId(), EmailEventType.SCHEDULED);
        awaitEvent(cancelled.jobId(), EmailEventType.SCHEDULED);
        kafka.send(
                record(
                        options.topic(Topics.JOBS_CANCELLATIONS),
                        cancelled.jobId(),
                        Json.toString(new CancelRequest(cancelled.jobId(), Instant.now()))));
        awaitEvent(cancelled.jobId(), EmailEventType.CANCELLED);

        EmailEvent sent = awaitEvent(later.jobId(), EmailEventType.SENT);
        assertThat(sent.occurredAt()).isAfterOrEqualTo(at);
        assertThat(SandboxLedger.named(LEDGER).accepted(later.jobId())).isEqualTo(1);
        assertThat(SandboxLedger.named(LEDGER).accepted(cancelled.jobId())).isZero();
        assertThat(eventTypes(cancelled.jobId())).doesNotContain(EmailEventType.SENT);
        await(
                "status CANCELLED",
                () -> status(cancelled.jobId()).filter(s -> s.startsWith("CANCELLED")));
    }

    // ---- helpers -----------------------------------------------------------------------------

    private static ProducerRecord<byte[], byte[]> record(String topic, String key, String value) {
        return new ProducerRecord<>(
                topic,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8));
    }

    private static ProducerRecord<byte[], byte[]> suppression(
            String address, SuppressionReason reason) {
        return new ProducerRecord<>(
                Topics.SUPPRESSIONS.name(PREFIX),
                address.getBytes(StandardCharsets.UTF_8),
                Json.toBytes(
                        new SuppressionChange(
                                address,
                                SuppressionChange.Action.ADD,
                                reason,
                                "it",
                                null,
                                Instant.now())));
    }

    private static void publish(EmailJob... jobs) {
        List<ProducerRecord<byte[], byte[]>> records =
                java.util.Arrays.stream(jobs)
                        .map(
                                j ->
                                        record(
                                                options.topic(
                                                        j.type()
                                                                        == io.sendline.schemas
                                                                                .EmailType.MARKETING
                                                                ? Topics.JOBS_MARKETING
                                                                : Topics.JOBS_TRANSACTIONAL),
                                                j.jobId(),
                                                Json.toString(j)))
                        .collect(Collectors.toList());
        kafka.send(records);
    }

    private static <T> List<T> read(Topics topic, Class<T> type) {
        return kafka.readAll(options.topic(topic), 0, Duration.ofSeconds(5)).stream()
                .map(r -> Json.fromBytes(r.value(), type))
                .collect(Collectors.toList());
    }

    private static List<EmailEventType> eventTypes(String jobId) {
        return read(Topics.EVENTS, EmailEvent.class).stream()
                .filter(e -> e.jobId().equals(jobId))
                .map(EmailEvent::type)
                .collect(Collectors.toList());
    }

    private static EmailEvent awaitEvent(String jobId, EmailEventType type) {
        return await(
                type + " of " + jobId,
                () ->
                        read(Topics.EVENTS, EmailEvent.class).stream()
                                .filter(e -> e.jobId().equals(jobId) && e.type() == type)
                                .findFirst());
    }

    /** "STATUS provider_message_id" of a job in PostgreSQL, if it has a row. */
    private static Optional<String> status(String jobId) {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT status, provider_message_id FROM email_job WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? Optional.of(rs.getString(1) + " " + rs.getString(2))
                        : Optional.empty();
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The types in a job's email_event rows, oldest first, if there are any. */
    private static Optional<String> history(String jobId) {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT string_agg(type, ',' ORDER BY occurred_at) FROM email_event"
                                        + " WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return Optional.ofNullable(rs.getString(1));
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void await(String what, Supplier<Boolean> condition) {
        await(what, () -> condition.get() ? Optional.of(true) : Optional.<Boolean>empty());
    }

    private static <T> T await(String what, OptionalSupplier<T> probe) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<T> v = probe.get();
            if (v.isPresent()) {
                return v.get();
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    @FunctionalInterface
    private interface OptionalSupplier<T> {
        Optional<T> get();
    }
}
