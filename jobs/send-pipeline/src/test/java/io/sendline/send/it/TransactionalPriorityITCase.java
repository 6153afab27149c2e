package io.sendline.send.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.send.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
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
}
