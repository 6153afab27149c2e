package io.sendline.relay.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

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
}
