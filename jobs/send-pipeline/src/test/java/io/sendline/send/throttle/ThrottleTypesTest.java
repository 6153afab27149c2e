package io.sendline.send.throttle;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.sendline.common.throttle.PacingConfig;
import io.sendline.common.throttle.PacingState;
import io.sendline.schemas.ControlCommand;
import io.sendline.send.control.ControlRules;
import io.sendline.send.control.ControlSignal;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The throttle's state and broadcast types, its key, and the plain rules it calls. */
class ThrottleTypesTest {

    @Test
    void stateAndBroadcastTypesAreSerializedWithoutKryo() {
        assertSerializedAsPojoWithoutKryo(QueueState.class);
        assertSerializedAsPojoWithoutKryo(PacingState.class);
        assertSerializedAsPojoWithoutKryo(PacingSignal.class);
        assertSerializedAsPojoWithoutKryo(ControlSignal.class);
    }

    @Test
    void hotDomainIsSplitOverStableSubKeysAndOthersAreNot() {
        PacingConfig pacing = PacingConfig.builder().splits("gmail.com", 4).build();
        Map<String, Integer> perKey = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            String key =
                    ThrottleKeySelector.keyOf(
                            TestJobs.marketing("job-" + i, "u" + i + "@gmail.com"), pacing);
            perKey.merge(key, 1, Integer::sum);
        }
        assertThat(perKey.keySet())
                .containsExactlyInAnyOrder(
                        "bulk|gmail.com|0",
                        "bulk|gmail.com|1",
                        "bulk|gmail.com|2",
                        "bulk|gmail.com|3");
        assertThat(perKey.values()).allSatisfy(n -> assertThat(n).isBetween(60, 140));
        assertThat(ThrottleKeySelector.keyOf(TestJobs.marketing("x", "a@small.org"), pacing))
                .isEqualTo("bulk|small.org|0");
        // the same job always gets the same key
        assertThat(ThrottleKeySelector.keyOf(TestJobs.marketing("job-7", "z@gmail.com"), pacing))
                .isEqualTo(
                        ThrottleKeySelector.keyOf(
                                TestJobs.marketing("job-7", "u7@gmail.com"), pacing));
    }

    @Test
    void backoffHalvesOncePerCoolDownAndRecoversLinearly() {
        PacingState s = BackoffFactor.apply(null, PacingSignal.Kind.DEFERRED, 0);
        assertThat(BackoffFactor.at(s, 0)).isEqualTo(0.5);
        s = BackoffFactor.apply(s, PacingSignal.Kind.DEFERRED, 1_000); // within the cool-down
        assertThat(BackoffFactor.at(s, 1_000)).isEqualTo(0.5);
        // recovery began after the 5 s cool-down (0.55 at 5 s, 0.6 at 6 s), then halved again
        s = BackoffFactor.apply(s, PacingSignal.Kind.THROTTLED, 6_000);
        assertThat(BackoffFactor.at(s, 6_000)).isCloseTo(0.30, within(1e-9));
        assertThat(BackoffFactor.at(s, 10_999)).isCloseTo(0.30, within(1e-9));
        // then +0.05 a second
        assertThat(BackoffFactor.at(s, 11_000)).isCloseTo(0.35, within(1e-9));
        assertThat(BackoffFactor.at(s, 20_000)).isCloseTo(0.80, within(1e-9));
        assertThat(BackoffFactor.recovered(s, 23_000)).isFalse();
        assertThat(BackoffFactor.recovered(s, 25_000)).isTrue();
        assertThat(BackoffFactor.at(null, 0)).isEqualTo(1.0);
    }

    @Test
    void controlCommandsKeepTheLastStatePerScope() {
        Map<String, ControlCommand> state = new HashMap<>();
        apply(state, cmd(ControlCommand.Action.PAUSE, "bulk", null, null, null));
        apply(state, cmd(ControlCommand.Action.PAUSE, "bulk", "Gmail.com", null, null));
        apply(state, cmd(ControlCommand.Action.SET_RATE, "bulk", "yahoo.com", null, 5.0));
        assertThat(ControlRules.paused(state::get, "bulk", "other.org")).isTrue();
        apply(state, cmd(ControlCommand.Action.RESUME, "bulk", null, null, null));
        assertThat(ControlRules.paused(state::get, "bulk", "other.org")).isFalse();
        assertThat(ControlRules.paused(state::get, "bulk", "gmail.com"))
                .as("a domain paused on its own stays paused")
                .isTrue();
        assertThat(ControlRules.domainRate(state::get, "bulk", "yahoo.com", 100)).isEqualTo(5.0);
        apply(state, cmd(ControlCommand.Action.SET_RATE, "bulk", "yahoo.com", null, null));
        assertThat(ControlRules.domainRate(state::get, "bulk", "yahoo.com", 100)).isEqualTo(100);
        apply(state, cmd(ControlCommand.Action.PAUSE, null, null, "spring-sale", null));
        assertThat(ControlRules.campaignPaused(state::get, "spring-sale")).isTrue();
        assertThat(ControlRules.campaignPaused(state::get, null)).isFalse();
    }

    @Test
    void aControlSignalCarriesExactlyOneThing() {
        assertThatThrownBy(() -> new ControlSignal(null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void apply(Map<String, ControlCommand> state, ControlCommand c) {
        String k = ControlRules.stateKey(c);
        if (ControlRules.sets(c)) {
            state.put(k, c);
        } else {
            state.remove(k);
        }
    }

    private static ControlCommand cmd(
            ControlCommand.Action a, String pool, String domain, String campaign, Double rate) {
        return new ControlCommand(
                "c", a, pool, domain, campaign, rate, "test", "test", Instant.EPOCH);
    }
}
