package io.sendline.send.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.send.TestJobs;
import io.sendline.send.throttle.PacingSignal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Transactional mail never waits behind marketing: a marketing backlog paced slowly (its pool at
 * 20/s) is still thousands deep when every transactional email published after it has reached the
 * relay; and a PAUSE of the marketing pool on {@code email.control} stops marketing at the throttle
 * while transactional mail still flows, until a RESUME. Asserted on order and counts at the sandbox
 * relay, not on wall-clock thresholds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TransactionalPriorityITCase {

    private static final int BACKLOG = 3_000;
    private static final int URGENT = 100;

    private static RealParts parts;
    private static SandboxLedger relay;
    private static final List<String> marketingIds = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        parts =
                new RealParts(
                        Map.of(
                                "pacing.pool.marketing.rate",
                                "20",
                                "pacing.pool.transactional.rate",
                                "1000",
                                SendPipelineOptionsKeys.RECHECK,
                                "200ms"));
        parts.startPipeline("priority-it");
        relay = SandboxLedger.named(parts.ledger);
        // Their short retries (1 s, 5 s, 15 s) run while the other tests do.
        parts.publish(
                List.of(
                        TestJobs.job("soft-1").to("tempfail@simulator.sendline.dev").build(),
                        TestJobs.job("slow-down-1").to("throttle@simulator.sendline.dev").build()));
    }

    @AfterAll
    static void stop() {
        if (parts != null) {
            parts.close();
        }
    }

    private static long marketingAccepted() {
        return marketingIds.stream().filter(id -> relay.accepted(id) > 0).count();
    }

    @Test
    @Order(1)
    void transactionalMailReachesTheRelayWhileAMarketingBacklogWaits() {
        List<EmailJob> backlog = new ArrayList<>(BACKLOG);
        for (int i = 0; i < BACKLOG; i++) {
            String id = "mk-" + i;
            marketingIds.add(id);
            // spread over 30 recipient domains: many throttle keys, one pool
            backlog.add(
                    TestJobs.job(id)
                            .marketing()
                            .to("m" + i + "@d" + (i % 30) + ".example.com")
                            .build());
        }
        parts.publish(backlog);
        RealParts.await("marketing started", Duration.ofSeconds(60), () -> marketingAccepted() > 0);

        List<EmailJob> urgent = new ArrayList<>(URGENT);
        for (int i = 0; i < URGENT; i++) {
            urgent.add(
                    TestJobs.job("tx-" + i)
                            .to("reset" + i + "@d" + (i % 30) + ".example.com")
                            .build());
        }
        parts.publish(urgent);
        RealParts.await(
                "every transactional email at the relay",
                Duration.ofSeconds(60),
                () -> urgent.stream().allMatch(j -> relay.accepted(j.jobId()) == 1));

        long marketingDone = marketingAccepted();
        assertThat(BACKLOG - marketingDone)
                .as("marketing still waiting when the last transactional email was accepted")
                .isGreaterThan(BACKLOG / 2);
    }

    @Test
    @Order(2)
    void pausingTheMarketingPoolStopsOnlyMarketing() throws Exception {
        control(ControlCommand.Action.PAUSE, "marketing");
        // what was released before the pause drains; then marketing stays flat
        Thread.sleep(2_000);
        long paused = marketingAccepted();
        List<EmailJob> urgent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            urgent.add(TestJobs.job("tx2-" + i).to("otp" + i + "@d" + i + ".example.com").build());
        }
        parts.publish(urgent);
        RealParts.await(
                "transactional mail during the marketing pause",
                Duration.ofSeconds(60),
                () -> urgent.stream().allMatch(j -> relay.accepted(j.jobId()) == 1));
        assertThat(marketingAccepted()).as("no marketing sent while paused").isEqualTo(paused);

        control(ControlCommand.Action.RESUME, "marketing");
        RealParts.await(
                "marketing resumes", Duration.ofSeconds(30), () -> marketingAccepted() > paused);
    }

    private static void control(ControlCommand.Action action, String pool) {
        ControlCommand c =
                new ControlCommand(
                        UUID.randomUUID().toString(),
                        action,
                        pool,
                        null,
                        null,
                        null,
                        "priority ITCase",
                        "test",
                        Instant.now());
        parts.kafka.send(
                new ProducerRecord<>(
                        parts.options.topic(Topics.CONTROL),
                        c.scopeKey().getBytes(StandardCharsets.UTF_8),
                        Json.toBytes(c)));
    }

    /** Option keys used here (kept apart so the map above stays short). */
    private static final class SendPipelineOptionsKeys {
        static final String RECHECK = io.sendline.send.SendPipelineOptions.PAUSED_RECHECK;
    }

    @Test
    @Order(3)
    void deferralsAreRetriedShortlyThenGoToTheRetryTopicAndFeedThePacingLoop() {
        Instant start = Instant.now();
        // 4 tries (the first and 3 short retries), then the retry topic with its not-before time
        RealParts.await(
                "soft-1 on the retry topic",
                Duration.ofSeconds(60),
                () -> retries().stream().anyMatch(j -> j.jobId().equals("soft-1")));
        EmailJob retry =
                retries().stream().filter(j -> j.jobId().equals("soft-1")).findFirst().get();
        assertThat(retry.attempt()).isEqualTo(4);
        assertThat(retry.notBefore()).isAfter(start.plus(Duration.ofMinutes(4)));
        assertThat(
                        parts.events(0, Duration.ofSeconds(2)).stream()
                                .filter(e -> e.jobId().equals("soft-1"))
                                .map(e -> e.type() + "/" + e.attempt()))
                .contains("DEFERRED/0", "DEFERRED/1", "DEFERRED/2", "DEFERRED/3")
                .doesNotContain("SENT/0", "FAILED/3");
        assertThat(relay.accepted("soft-1")).isZero();

        // dispatch told the throttle: the domain deferred, the relay throttled the pool
        List<PacingSignal> signals =
                parts.kafka.readAll(parts.options.pacingTopic(), 2, Duration.ofSeconds(10)).stream()
                        .map(r -> Json.fromBytes(r.value(), PacingSignal.class))
                        .collect(Collectors.toList());
        assertThat(signals)
                .extracting(PacingSignal::pool, PacingSignal::domain, PacingSignal::kind)
                .contains(
                        tuple(
                                "transactional",
                                "simulator.sendline.dev",
                                PacingSignal.Kind.DEFERRED),
                        tuple("transactional", null, PacingSignal.Kind.THROTTLED));
        // and the throttle's pacing source read them (offsets committed on checkpoints)
        RealParts.await(
                "pacing feedback consumed",
                Duration.ofSeconds(30),
                () -> consumedPacingOffset() >= signals.size());
    }

    private static List<EmailJob> retries() {
        return parts
                .kafka
                .readAll(parts.options.topic(Topics.JOBS_RETRY), 0, Duration.ofSeconds(2))
                .stream()
                .map(r -> Json.fromBytes(r.value(), EmailJob.class))
                .collect(Collectors.toList());
    }

    private static long consumedPacingOffset() {
        try {
            var offsets =
                    parts.kafka
                            .admin()
                            .listConsumerGroupOffsets(parts.options.groupId() + "-pacing")
                            .partitionsToOffsetAndMetadata()
                            .get();
            return offsets.values().stream()
                    .filter(java.util.Objects::nonNull)
                    .mapToLong(o -> o.offset())
                    .sum();
        } catch (Exception e) {
            return -1;
        }
    }
}
