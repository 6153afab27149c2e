package io.sendline.relay.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SandboxRelayTest {

    private final String ledgerName = "sandbox-test-" + UUID.randomUUID();
    private InMemoryEventSink sink;
    private SandboxRelay relay;

    @BeforeEach
    void start() {
        sink = new InMemoryEventSink();
        relay =
                new SandboxRelay(
                        SandboxSettings.builder()
                                .ledger(ledgerName)
                                .eventDelay(Duration.ofMillis(5))
                                .slowLatency(Duration.ofMillis(300))
                                .throttleRetryAfter(Duration.ofSeconds(2))
                                .build(),
                        sink);
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    private static OutboundMessage message(String jobId, String to) {
        return new OutboundMessage(
                jobId,
                "bulk",
                "bounces@example.com",
                to,
                ("To: " + to + "\r\n\r\nhi\r\n").getBytes(StandardCharsets.US_ASCII),
                Map.of());
    }

    private static RelayResult get(CompletableFuture<RelayResult> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private List<SandboxEvent> eventsOf(String jobId, int count) throws InterruptedException {
        return sink.await(e -> jobId.equals(e.jobId()), count, Duration.ofSeconds(5));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            success@simulator.sendline.dev          | DELIVERED
            someone@example.org                     | DELIVERED
            ooto@simulator.sendline.dev             | DELIVERED
            bounce@simulator.sendline.dev           | BOUNCED:PERMANENT:General:5.1.1
            bounce+x17@simulator.sendline.dev       | BOUNCED:PERMANENT:General:5.1.1
            Bounce@Simulator.Sendline.Dev           | BOUNCED:PERMANENT:General:5.1.1
            suppressionlist@simulator.sendline.dev  | BOUNCED:PERMANENT:OnSuppressionList:5.1.1
            softbounce@simulator.sendline.dev       | BOUNCED:TRANSIENT:MailboxFull:4.2.2
            soft@simulator.sendline.dev             | BOUNCED:TRANSIENT:MailboxFull:4.2.2
            complaint@simulator.sendline.dev        | DELIVERED,COMPLAINED
            delay@simulator.sendline.dev            | DELAYED:::4.4.1,DELIVERED
            """)
    void acceptedScenariosReportTheirWebhookEvents(String to, String expected) throws Exception {
        String jobId = "job-" + UUID.randomUUID();
        RelayResult r = get(relay.send(message(jobId, to)));
        assertThat(r).isInstanceOf(RelayResult.Accepted.class);
        String providerId = ((RelayResult.Accepted) r).providerMessageId();
        String[] want = expected.split(",");
        List<SandboxEvent> events = eventsOf(jobId, want.length);
        // Give a wrong extra event the chance to show up.
        Thread.sleep(50);
        events = eventsOf(jobId, want.length);
        assertThat(events).hasSize(want.length);
        String got =
                events.stream()
                        .map(
                                e ->
                                        e.type()
                                                + (e.bounceType() == null
                                                                && e.type()
                                                                        != SandboxEvent.Type.DELAYED
                                                        ? ""
                                                        : ":"
                                                                + nz(e.bounceType())
                                                                + ":"
                                                                + nz(e.bounceSubType())
                                                                + ":"
                                                                + nz(e.enhancedStatus())))
                        .collect(Collectors.joining(","));
        assertThat(got).isEqualTo(expected);
        for (SandboxEvent e : events) {
            assertThat(e.providerMessageId()).isEqualTo(providerId);
            assertThat(e.recipient()).isEqualTo(to);
            assertThat(e.eventId()).isNotBlank();
        }
        assertThat(relay.ledger().accepted(jobId)).isEqualTo(1);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            throttle@simulator.sendline.dev  | THROTTLED           | 0
            tempfail@simulator.sendline.dev  | RETRYABLE           | 451
            unknown@simulator.sendline.dev   | PERMANENT_RECIPIENT | 550
            reject@simulator.sendline.dev    | PERMANENT_POLICY    | 554
            """)
    void refusedScenariosAreClassifiedAndNotCounted(String to, Outcome outcome, int code)
            throws Exception {
        String jobId = "job-" + UUID.randomUUID();
        RelayResult r = get(relay.send(message(jobId, to)));
        assertThat(r.outcome()).isEqualTo(outcome);
        if (code != 0) {
            assertThat(((RelayResult.Failed) r).replyCode()).isEqualTo(code);
        }
        assertThat(relay.ledger().accepted(jobId)).isZero();
        Thread.sleep(50);
        assertThat(sink.events()).noneMatch(e -> jobId.equals(e.jobId()));
    }

    @Test
    void throttleAnswersLikeSesWithARetryHint() throws Exception {
        RelayResult.Failed f =
                (RelayResult.Failed)
                        get(relay.send(message("job-t", SandboxScenario.THROTTLE.address())));
        assertThat(f.outcome().throttlesPool()).isTrue();
        assertThat(f.detail()).contains("Maximum sending rate exceeded");
        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void slowAddressIsAcceptedOnlyAfterTheSlowLatency() throws Exception {
        CompletableFuture<RelayResult> f =
                relay.send(message("job-slow", SandboxScenario.SLOW.address()));
        assertThat(f).isNotDone();
        assertThat(get(f)).isInstanceOf(RelayResult.Accepted.class);
        assertThat(relay.ledger().accepted("job-slow")).isEqualTo(1);
    }

    @Test
    void ledgerCountsAcceptancesPerJobSoDuplicatesShow() throws Exception {
        get(relay.send(message("job-a", "a@example.org")));
        get(relay.send(message("job-a", "a@example.org")));
        get(relay.send(message("job-a", "a@example.org")));
        get(relay.send(message("job-b", "b@example.org")));
        get(relay.send(message("job-c", SandboxScenario.THROTTLE.address())));
        SandboxLedger ledger = SandboxLedger.named(ledgerName);
        assertThat(ledger).isSameAs(relay.ledger());
        assertThat(ledger.accepted("job-a")).isEqualTo(3);
        assertThat(ledger.accepted("job-b")).isEqualTo(1);
        assertThat(ledger.accepted("job-c")).isZero();
        assertThat(ledger.total()).isEqualTo(4);
        assertThat(ledger.distinctJobs()).isEqualTo(2);
        assertThat(ledger.duplicates()).isEqualTo(2);
        assertThat(ledger.duplicatedJobs()).isEqualTo(Map.of("job-a", 3));
        ledger.reset();
        assertThat(ledger.total()).isZero();
    }

    @Test
    void closedRelayRefusesRetryably() throws Exception {
        relay.close();
        assertThat(get(relay.send(message("job-late", "a@example.org"))).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(relay.ledger().accepted("job-late")).isZero();
    }

    @Test
    void scenarioAddressesRoundTrip() {
        for (SandboxScenario s : SandboxScenario.values()) {
            assertThat(SandboxScenario.of(s.address())).isEqualTo(s);
            assertThat(SandboxScenario.of(s.address("load-42"))).isEqualTo(s);
        }
        assertThat(SandboxScenario.of("bounce@example.org")).isEqualTo(SandboxScenario.DELIVERED);
        assertThat(SandboxScenario.of(null)).isEqualTo(SandboxScenario.DELIVERED);
    }

    @Test
    void webhookBatchingIsConfigurableAndBounded() {
        String p = "relay.pool.default.sandbox.";
        Map<String, String> props =
                Map.of(
                        p + "webhookUrl", "http://127.0.0.1:8080/webhooks/sandbox",
                        p + "webhookSecret", "0123456789abcdef",
                        p + "webhookMaxBatch", "200",
                        p + "webhookLinger", "20ms");
        SandboxSettings s = SandboxSettings.fromProperties(p, props);
        assertThat(s.webhookMaxBatch()).isEqualTo(200);
        assertThat(s.webhookLinger()).isEqualTo(Duration.ofMillis(20));
        SandboxSettings d = SandboxSettings.builder().build();
        assertThat(d.webhookMaxBatch()).isEqualTo(500);
        assertThat(d.webhookLinger()).isEqualTo(Duration.ofMillis(50));
        assertThatThrownBy(
                        () ->
                                SandboxSettings.builder()
                                        .webhookBatching(1001, Duration.ZERO)
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhookMaxBatch must be between 1 and 1000");
        assertThatThrownBy(
                        () ->
                                SandboxSettings.builder()
                                        .webhookBatching(10, Duration.ofMillis(-1))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("webhookLinger must not be negative");
    }

    @Test
    void aBatchBodyIsAnArrayOfTheSingleEventObjects() {
        SandboxEvent a =
                new SandboxEvent(
                        "e-1",
                        SandboxEvent.Type.BOUNCED,
                        "job-1",
                        "sandbox-1",
                        "bounce@simulator.sendline.dev",
                        "PERMANENT",
                        "General",
                        "smtp; 550 5.1.1 user unknown",
                        "5.1.1",
                        java.time.Instant.parse("2026-12-04T09:00:00.123Z"));
        SandboxEvent b =
                new SandboxEvent(
                        "e-2",
                        SandboxEvent.Type.DELIVERED,
                        "job-2",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        java.time.Instant.parse("2026-12-04T09:00:01Z"));
        String one = new String(a.toJson(), StandardCharsets.UTF_8);
        assertThat(one)
                .isEqualTo(
                        "{\"eventId\":\"e-1\",\"type\":\"BOUNCED\",\"jobId\":\"job-1\","
                                + "\"providerMessageId\":\"sandbox-1\","
                                + "\"recipient\":\"bounce@simulator.sendline.dev\","
                                + "\"bounceType\":\"PERMANENT\",\"bounceSubType\":\"General\","
                                + "\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\","
                                + "\"enhancedStatus\":\"5.1.1\","
                                + "\"timestamp\":\"2026-12-04T09:00:00.123Z\"}");
        byte[] batch = SandboxEvent.toJsonArray(List.of(a, b));
        assertThat(new String(batch, StandardCharsets.UTF_8))
                .isEqualTo("[" + one + "," + new String(b.toJson(), StandardCharsets.UTF_8) + "]");
        assertThat(SandboxEvent.fromJsonBody(batch)).containsExactly(a, b);
        assertThat(SandboxEvent.fromJsonBody(a.toJson())).containsExactly(a);
        assertThat(SandboxEvent.fromJson(a.toJson())).isEqualTo(a);
    }
}
