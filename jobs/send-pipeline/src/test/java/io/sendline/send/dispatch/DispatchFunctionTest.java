package io.sendline.send.dispatch;

import static io.sendline.send.dispatch.ScriptedRelay.never;
import static io.sendline.send.dispatch.ScriptedRelay.result;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.common.ledger.LedgerEntry;
import io.sendline.common.retry.RetryPolicy;
import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.send.events.SendOutcome;
import io.sendline.send.render.RenderedEmail;
import io.sendline.send.throttle.PacingSignal;
import io.sendline.send.throttle.TestJobs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * {@link DispatchFunction} in Flink's async operator, on an in-memory ledger and a scripted relay.
 */
class DispatchFunctionTest {

    private static final long TIMEOUT = 60_000;

    private static final RetryPolicy FAST_RETRIES =
            RetryPolicy.of(
                    List.of(Duration.ofMillis(10), Duration.ofMillis(10), Duration.ofMillis(10)),
                    List.of(Duration.ofMinutes(5), Duration.ofMinutes(30)),
                    Duration.ofSeconds(60),
                    Duration.ofHours(24),
                    List.of(Duration.ofHours(1)));

    private OneInputStreamOperatorTestHarness<RenderedEmail, SendOutcome> harness;
    private TestResources resources;

    private OneInputStreamOperatorTestHarness<RenderedEmail, SendOutcome> open(
            TestInfo test, EmailType lane, InDoubtPolicy inDoubt) throws Exception {
        resources = new TestResources(test.getDisplayName() + System.nanoTime());
        DispatchSettings settings =
                new DispatchSettings(lane, inDoubt, FAST_RETRIES, TIMEOUT, 1_000, Set.of());
        harness =
                new OneInputStreamOperatorTestHarness<>(
                        new AsyncWaitOperatorFactory<>(
                                new DispatchFunction(settings, resources),
                                TIMEOUT,
                                16,
                                AsyncDataStream.OutputMode.UNORDERED),
                        TypeInformation.of(RenderedEmail.class)
                                .createSerializer(new SerializerConfigImpl()));
        harness.open();
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private static RenderedEmail rendered(EmailJob job) {
        return new RenderedEmail(
                job,
                job.jobId() + "@example.com",
                "bounces@example.com",
                job.to(),
                "Subject: hi\r\n\r\nhi".getBytes(StandardCharsets.US_ASCII));
    }

    private static EmailJob job(String id, EmailType type) {
        return TestJobs.job(id, type, type.name().toLowerCase(), "user@example.org", null);
    }

    private List<SendOutcome> run(EmailJob... jobs) throws Exception {
        for (EmailJob j : jobs) {
            harness.processElement(new StreamRecord<>(rendered(j), 0));
        }
        harness.endInput();
        return outputs();
    }

    private List<SendOutcome> outputs() {
        return harness.getOutput().stream()
                .filter(o -> o instanceof StreamRecord)
                .map(o -> (SendOutcome) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }

    private static List<EmailEvent> events(List<SendOutcome> outs) {
        return outs.stream()
                .filter(o -> o.event() != null)
                .map(o -> o.event().event())
                .collect(Collectors.toList());
    }

    private static List<EmailJob> retries(List<SendOutcome> outs) {
        return outs.stream()
                .filter(o -> o.retry() != null)
                .map(SendOutcome::retry)
                .collect(Collectors.toList());
    }

    @Test
    void acceptedJobIsSentOnceReportedSentAndRecordedInTheLedger(TestInfo t) throws Exception {
        open(t, EmailType.TRANSACTIONAL, InDoubtPolicy.RESEND);
        List<SendOutcome> out = run(job("a", EmailType.TRANSACTIONAL));

        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.SENT);
                            assertThat(e.providerMessageId()).isEqualTo("pm-a-1");
                            assertThat(e.provider()).isEqualTo("sandbox");
                            assertThat(e.eventId()).isEqualTo("a/0/SENT");
                        });
        assertThat(resources.parts().relay.callsFor("a")).isEqualTo(1);
        LedgerEntry row = resources.parts().ledger.row("a");
        assertThat(row.state()).isEqualTo(LedgerEntry.State.ACCEPTED);
        assertThat(row.providerMessageId()).isEqualTo("pm-a-1");
    }

    @Test
    void replayOfAJobTheRelayAcceptedIsReportedFromTheLedgerWithoutSendingAgain(TestInfo t)
            throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        // a run before the restore claimed and sent it, and recorded the acceptance
        var ledger = resources.parts().ledger;
        ledger.claim("b", 0, "marketing/1/0/dead").join();
        ledger.accepted("b", 0, "sandbox", "pm-original").join();

        List<SendOutcome> out = run(job("b", EmailType.MARKETING));

        assertThat(resources.parts().relay.calls).isEmpty();
        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.SENT);
                            assertThat(e.providerMessageId()).isEqualTo("pm-original");
                            assertThat(e.eventId())
                                    .as("same id as the lost copy")
                                    .isEqualTo("b/0/SENT");
                        });
    }

    @Test
    void deferralIsRetriedShortlyAsTheNextAttemptAndFedBackToTheThrottle(TestInfo t)
            throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        resources
                .parts()
                .relay
                .answer(
                        "c",
                        result(
                                new RelayResult.Failed(
                                        Outcome.RETRYABLE, 451, "4.3.0", "try later", null)));

        List<SendOutcome> out = run(job("c", EmailType.MARKETING));

        assertThat(events(out))
                .extracting(EmailEvent::eventId)
                .containsExactly("c/0/DEFERRED", "c/1/SENT");
        assertThat(retries(out)).isEmpty();
        assertThat(resources.parts().relay.callsFor("c")).isEqualTo(2);
        assertThat(resources.parts().ledger.row("c").attempt()).isEqualTo(1);
        assertThat(resources.parts().signals)
                .containsExactly(
                        new PacingSignal(
                                "marketing",
                                "example.org",
                                PacingSignal.Kind.DEFERRED,
                                resources.parts().signals.get(0).atMillis()));
    }

    @Test
    void relayRetryAfterHintIsHonouredAndThrottlingSlowsThePool(TestInfo t) throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        resources
                .parts()
                .relay
                .answer(
                        "d",
                        result(
                                new RelayResult.Failed(
                                        Outcome.THROTTLED,
                                        454,
                                        "4.7.0",
                                        "slow down",
                                        Duration.ofMillis(300))));

        run(job("d", EmailType.MARKETING));

        List<ScriptedRelay.Call> calls = resources.parts().relay.calls;
        assertThat(calls).hasSize(2);
        assertThat(calls.get(1).atMillis() - calls.get(0).atMillis())
                .as("waited for the relay's hint, not the 10 ms back-off")
                .isGreaterThanOrEqualTo(300);
        assertThat(resources.parts().signals)
                .extracting(PacingSignal::kind, PacingSignal::domain)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(PacingSignal.Kind.THROTTLED, null));
    }

    @Test
    void softFailureThatExhaustsShortRetriesGoesToTheRetryTopicWithNotBefore(TestInfo t)
            throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        RelayResult.Failed soft =
                new RelayResult.Failed(Outcome.RETRYABLE, 421, "4.7.0", "busy", null);
        resources.parts().relay.answer("e", result(soft), result(soft), result(soft), result(soft));
        Instant before = Instant.now();

        List<SendOutcome> out = run(job("e", EmailType.MARKETING));

        assertThat(events(out))
                .extracting(EmailEvent::eventId)
                .containsExactly("e/0/DEFERRED", "e/1/DEFERRED", "e/2/DEFERRED", "e/3/DEFERRED");
        assertThat(retries(out))
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.attempt()).isEqualTo(4);
                            assertThat(r.notBefore())
                                    .isAfterOrEqualTo(before.plus(Duration.ofMinutes(5)));
                        });
        assertThat(resources.parts().relay.callsFor("e")).isEqualTo(4);
        LedgerEntry row = resources.parts().ledger.row("e");
        assertThat(row.state()).isEqualTo(LedgerEntry.State.FAILED);
        assertThat(row.retryable()).as("the retry's claim supersedes it").isTrue();
    }

    @Test
    void unknownRecipientFailsPermanentlyAndSaysItSuppresses(TestInfo t) throws Exception {
        open(t, EmailType.TRANSACTIONAL, InDoubtPolicy.RESEND);
        resources
                .parts()
                .relay
                .answer(
                        "f",
                        result(
                                new RelayResult.Failed(
                                        Outcome.PERMANENT_RECIPIENT,
                                        550,
                                        "5.1.1",
                                        "user unknown",
                                        null)));

        List<SendOutcome> out = run(job("f", EmailType.TRANSACTIONAL));

        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.FAILED);
                            assertThat(e.reason())
                                    .contains("PERMANENT_RECIPIENT", "suppress", "5.1.1");
                        });
        assertThat(resources.parts().relay.callsFor("f")).isEqualTo(1);
        assertThat(resources.parts().ledger.row("f").retryable()).isFalse();
    }

    @Test
    void timeoutReportsDeferredAndARetryInsteadOfFailingTheJob(TestInfo t) throws Exception {
        open(t, EmailType.TRANSACTIONAL, InDoubtPolicy.RESEND);
        resources.parts().relay.answer("g", never());
        harness.processElement(new StreamRecord<>(rendered(job("g", EmailType.TRANSACTIONAL)), 0));
        harness.setProcessingTime(TIMEOUT + 1);
        harness.endInput();

        List<SendOutcome> out = outputs();
        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.DEFERRED);
                            assertThat(e.reason()).contains("did not finish");
                        });
        assertThat(retries(out))
                .singleElement()
                .satisfies(r -> assertThat(r.attempt()).isEqualTo(1));
        // the hanging try still holds its claim: the retry will find it in doubt or resolved
        assertThat(resources.parts().ledger.row("g").state()).isEqualTo(LedgerEntry.State.CLAIMED);
    }

    @Test
    void inDoubtMarketingJobIsHeldAndReportedNotSent(TestInfo t) throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        resources.parts().ledger.claim("h", 0, "marketing/0/0/crashed").join();

        List<SendOutcome> out = run(job("h", EmailType.MARKETING));

        assertThat(resources.parts().relay.calls).isEmpty();
        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.FAILED);
                            assertThat(e.reason())
                                    .startsWith("IN_DOUBT")
                                    .contains("marketing/0/0/crashed");
                        });
    }

    @Test
    void inDoubtTransactionalJobIsSentAgain(TestInfo t) throws Exception {
        open(t, EmailType.TRANSACTIONAL, InDoubtPolicy.RESEND);
        resources.parts().ledger.claim("i", 0, "transactional/0/0/crashed").join();

        List<SendOutcome> out = run(job("i", EmailType.TRANSACTIONAL));

        assertThat(resources.parts().relay.callsFor("i")).isEqualTo(1);
        assertThat(events(out)).extracting(EmailEvent::type).containsExactly(EmailEventType.SENT);
        assertThat(resources.parts().ledger.row("i").state()).isEqualTo(LedgerEntry.State.ACCEPTED);
    }

    @Test
    void replayAfterARecordedRetryableFailureCarriesOnWithTheNextAttempt(TestInfo t)
            throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        var ledger = resources.parts().ledger;
        // the lost run: attempts 0 and 1 failed softly, its in-operator retry never happened
        ledger.claim("k", 0, "x").join();
        ledger.failed("k", 0, "RETRYABLE 451", true).join();
        ledger.claim("k", 1, "x").join();
        ledger.failed("k", 1, "RETRYABLE 451", true).join();

        List<SendOutcome> out = run(job("k", EmailType.MARKETING));

        assertThat(resources.parts().relay.callsFor("k")).isEqualTo(1);
        assertThat(events(out))
                .extracting(EmailEvent::eventId)
                .containsExactly("k/1/DEFERRED", "k/2/SENT");
    }

    @Test
    void permanentlyFailedJobIsNotSentAgainOnReplay(TestInfo t) throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        var ledger = resources.parts().ledger;
        ledger.claim("m", 0, "x").join();
        ledger.failed("m", 0, "PERMANENT_POLICY 554", false).join();

        List<SendOutcome> out = run(job("m", EmailType.MARKETING));

        assertThat(resources.parts().relay.calls).isEmpty();
        assertThat(events(out))
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.type()).isEqualTo(EmailEventType.FAILED);
                            assertThat(e.reason()).isEqualTo("PERMANENT_POLICY 554");
                        });
    }

    @Test
    void twoReplaysOfAnInDoubtJobResendItOnlyOnce(TestInfo t) throws Exception {
        open(t, EmailType.TRANSACTIONAL, InDoubtPolicy.RESEND);
        resources.parts().ledger.claim("n", 0, "transactional/0/0/crashed").join();

        List<SendOutcome> out =
                run(job("n", EmailType.TRANSACTIONAL), job("n", EmailType.TRANSACTIONAL));

        // When both replays are in flight at once, neither may take the claim over yet: each goes
        // to the retry topic instead. Either way: never two sends, and nothing dropped.
        long calls = resources.parts().relay.callsFor("n");
        assertThat(calls).isLessThanOrEqualTo(1);
        if (calls == 1) {
            assertThat(events(out))
                    .filteredOn(e -> e.type() == EmailEventType.SENT)
                    .extracting(EmailEvent::eventId)
                    .containsOnly("n/0/SENT");
        } else {
            assertThat(retries(out)).isNotEmpty();
        }
    }

    @Test
    void aJobCreatedLongBeforeItsFirstTryStillGetsItsRetries(TestInfo t) throws Exception {
        open(t, EmailType.MARKETING, InDoubtPolicy.HOLD);
        EmailJob fresh = job("old", EmailType.MARKETING);
        EmailJob old =
                new EmailJob(
                        fresh.jobId(),
                        fresh.type(),
                        fresh.pool(),
                        fresh.to(),
                        null,
                        fresh.from(),
                        null,
                        null,
                        null,
                        null,
                        fresh.subject(),
                        fresh.html(),
                        null,
                        fresh.variables(),
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        0,
                        null,
                        Instant.now().minus(Duration.ofDays(30)));
        resources
                .parts()
                .relay
                .answer(
                        "old",
                        result(
                                new RelayResult.Failed(
                                        Outcome.RETRYABLE, 451, "4.3.0", "later", null)));

        List<SendOutcome> out = run(old);

        assertThat(events(out))
                .extracting(EmailEvent::eventId)
                .containsExactly("old/0/DEFERRED", "old/1/SENT");
    }
}
