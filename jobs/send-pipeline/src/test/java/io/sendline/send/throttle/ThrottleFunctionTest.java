package io.sendline.send.throttle;

import static io.sendline.send.throttle.TestJobs.marketing;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.common.throttle.PacingConfig;
import io.sendline.common.throttle.WarmupSchedule;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.send.control.ControlSignal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Operator-harness tests of {@link ThrottleFunction} on processing time driven by the test. */
class ThrottleFunctionTest {

    private static final long T0 = Instant.parse("2026-12-04T10:00:00Z").toEpochMilli();

    private KeyedBroadcastOperatorTestHarness<String, EmailJob, ControlSignal, EmailJob> harness;
    private ThrottleFunction function;

    private KeyedBroadcastOperatorTestHarness<String, EmailJob, ControlSignal, EmailJob> open(
            PacingConfig pacing) throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        function = new ThrottleFunction(ThrottleSettings.of(pacing)),
                        new ThrottleKeySelector(pacing),
                        Types.STRING,
                        ThrottleFunction.CONTROL_STATE,
                        ThrottleFunction.BACKOFF_STATE);
        harness.setProcessingTime(T0);
        return harness;
    }

    @AfterEach
    void close() throws Exception {
        if (harness != null) {
            harness.close();
        }
    }

    private void send(int n, String prefix, String domain) throws Exception {
        for (int i = 0; i < n; i++) {
            harness.processElement(marketing(prefix + i, "user" + i + "@" + domain), 0);
        }
    }

    private List<EmailJob> released() {
        return harness.getOutput().stream()
                .filter(o -> o instanceof StreamRecord)
                .map(o -> (EmailJob) ((StreamRecord<?>) o).getValue())
                .collect(Collectors.toList());
    }

    /** Advances processing time in steps of {@code step} ms to {@code until} (relative to T0). */
    private void advance(long until, long step) throws Exception {
        long now = harness.getProcessingTime();
        while (now < T0 + until) {
            now = Math.min(now + step, T0 + until);
            harness.setProcessingTime(now);
        }
    }

    private void control(ControlCommand.Action action, String pool, String domain, Double rate)
            throws Exception {
        harness.processBroadcastElement(
                ControlSignal.of(
                        new ControlCommand(
                                "c-" + System.nanoTime(),
                                action,
                                pool,
                                domain,
                                null,
                                rate,
                                "test",
                                "test",
                                Instant.ofEpochMilli(harness.getProcessingTime()))),
                0);
    }

    /** Keys that hold any of the throttle's keyed state. */
    private long keysWithState() {
        CoBroadcastWithKeyedOperator<?, ?, ?, ?> op =
                (CoBroadcastWithKeyedOperator<?, ?, ?, ?>) harness.getOperator();
        long n = 0;
        for (String state : List.of("queue", "queue-state")) {
            n += op.getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE).count();
        }
        return n;
    }

    @Test
    void domainRateIsRespectedOverTimerFirings() throws Exception {
        open(
                PacingConfig.builder()
                        .poolRate("bulk", 100)
                        .domainRate("bulk", "slow.com", 5)
                        .build());
        send(50, "j", "slow.com");
        assertThat(released()).hasSize(1); // a bucket of burst 1 at 5/s

        advance(2_000, 50);
        // 5/s for 2 s after the first one
        assertThat(released()).hasSize(11);
        advance(4_000, 50);
        assertThat(released()).hasSize(21);
        // in arrival order
        assertThat(released().get(20).jobId()).isEqualTo("j20");
    }

    @Test
    void eachDomainHasItsOwnKeyAndPoolShareBoundsThemAll() throws Exception {
        // pool 10/s on one subtask; each domain 10/s: together they still get 10/s, not 20
        open(PacingConfig.builder().poolRate("bulk", 10).poolDomainDefaultRate("bulk", 10).build());
        send(40, "a", "a.com");
        send(40, "b", "b.com");
        advance(3_000, 20);
        int n = released().size();
        // burst of 2 (200 ms at 10/s), then 10/s for 3 s
        assertThat(n).isBetween(30, 33);
        long fromA = released().stream().filter(j -> j.jobId().startsWith("a")).count();
        assertThat(fromA).as("both domains get a share").isBetween(8L, (long) n - 8);
    }

    @Test
    void pauseHoldsJobsAndResumeReleasesThemWithinTheRecheckInterval() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 1000).build());
        control(ControlCommand.Action.PAUSE, "bulk", null, null);
        send(10, "p", "example.com");
        advance(10_000, 100);
        assertThat(released()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).as("one re-check timer").isEqualTo(1);
        assertThat(function.queueDepth("bulk", "other")).as("queue depth metric").isEqualTo(10);

        control(ControlCommand.Action.RESUME, "bulk", null, null);
        advance(11_000, 100);
        assertThat(released()).hasSize(10);
        assertThat(function.queueDepth("bulk", "other")).isZero();
    }

    @Test
    void domainPauseLeavesOtherDomainsOfThePoolAlone() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 1000).build());
        control(ControlCommand.Action.PAUSE, "bulk", "paused.com", null);
        send(3, "x", "paused.com");
        send(3, "y", "open.com");
        advance(2_000, 100);
        assertThat(released()).extracting(EmailJob::jobId).containsExactly("y0", "y1", "y2");
    }

    @Test
    void rateFromTheControlTopicTakesEffectWithinTheRecheckInterval() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 1000).domainRate("bulk", "x.com", 1).build());
        send(100, "r", "x.com");
        advance(1_000, 100);
        int before = released().size();
        assertThat(before).isLessThanOrEqualTo(2);

        control(ControlCommand.Action.SET_RATE, "bulk", "x.com", 50.0);
        advance(3_000, 10);
        // within a second the new rate applies: ~50/s for ~1-2 s
        assertThat(released().size() - before).isGreaterThan(50);
    }

    @Test
    void deferralsHalveTheDomainRateAndItRecoversAfterwards() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 1000).domainRate("bulk", "d.com", 20).build());
        send(1000, "d", "d.com");
        advance(1_000, 10);
        int firstSecond = released().size();
        assertThat(firstSecond).isBetween(20, 25);

        harness.processBroadcastElement(
                ControlSignal.of(PacingSignal.deferred("bulk", "d.com", T0 + 1_000)), 0);
        advance(2_000, 10);
        int secondSecond = released().size() - firstSecond;
        assertThat(secondSecond).as("halved").isBetween(9, 11);

        // 5 s cool-down, then +5 % per second: back to full after ~15 s more
        advance(30_000, 50);
        int before = released().size();
        advance(31_000, 10);
        assertThat(released().size() - before).as("recovered").isBetween(19, 21);
    }

    @Test
    void relayThrottlingSlowsTheWholePool() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 20).poolDomainDefaultRate("bulk", 20).build());
        harness.processBroadcastElement(ControlSignal.of(PacingSignal.throttled("bulk", T0)), 0);
        send(100, "a", "a.com");
        send(100, "b", "b.com");
        advance(2_000, 10);
        // pool at 10/s instead of 20/s: ~20 in 2 s plus the bursts
        assertThat(released().size()).isBetween(18, 24);
    }

    @Test
    void warmupCapsThePool() throws Exception {
        LocalDate today = Instant.ofEpochMilli(T0).atZone(ZoneOffset.UTC).toLocalDate();
        open(
                PacingConfig.builder()
                        .poolRate("bulk", 1000)
                        .warmup("bulk", WarmupSchedule.geometric(today, 7200, 2, 1e9))
                        .build());
        send(50, "w", "example.com");
        advance(5_000, 50);
        // 7,200 per hour = 2/s
        assertThat(released().size()).isBetween(10, 12);
    }

    @Test
    void aPausedCampaignDoesNotHoldUpOtherJobsOfItsDomain() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 1000).build());
        harness.processBroadcastElement(
                ControlSignal.of(
                        new ControlCommand(
                                "c1",
                                ControlCommand.Action.PAUSE,
                                "bulk",
                                null,
                                "camp-1",
                                null,
                                "test",
                                "test",
                                Instant.ofEpochMilli(T0))),
                0);
        harness.processElement(
                TestJobs.job("c0", EmailType.MARKETING, "bulk", "a@x.com", "camp-1"), 0);
        harness.processElement(
                TestJobs.job("c1", EmailType.MARKETING, "bulk", "b@x.com", "camp-1"), 0);
        harness.processElement(marketing("free", "c@x.com"), 0);
        advance(3_000, 100);
        assertThat(released()).extracting(EmailJob::jobId).containsExactly("free");
    }

    @Test
    void stateAndTimersAreGoneOnceTheQueueEmptiesAndTheBucketRefilled() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 100).domainRate("bulk", "c.com", 10).build());
        send(30, "s", "c.com");
        assertThat(keysWithState()).isGreaterThan(0);
        advance(5_000, 10);
        assertThat(released()).hasSize(30);
        assertThat(keysWithState()).isZero();
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void aJobThatMayGoNowPassesWithoutQueueing() throws Exception {
        open(PacingConfig.builder().poolRate("bulk", 100).build());
        harness.processElement(marketing("now", "a@fast.com"), 0);
        assertThat(released()).extracting(EmailJob::jobId).containsExactly("now");
    }

    @Test
    void backoffStateIsForgottenOnceRecovered() throws Exception {
        open(PacingConfig.defaults());
        harness.processBroadcastElement(
                ControlSignal.of(PacingSignal.deferred("bulk", "a.com", T0)), 0);
        harness.processBroadcastElement(
                ControlSignal.of(PacingSignal.deferred("bulk", "b.com", T0 + 60_000)), 0);
        CoBroadcastWithKeyedOperator<?, ?, ?, ?> op =
                (CoBroadcastWithKeyedOperator<?, ?, ?, ?>) harness.getOperator();
        int entries = 0;
        for (var ignored :
                op.getOperatorStateBackend()
                        .getBroadcastState(ThrottleFunction.BACKOFF_STATE)
                        .entries()) {
            entries++;
        }
        assertThat(entries).as("a.com recovered after a minute; only b.com remains").isEqualTo(1);
    }
}
