package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AimdTest {

    private static Aimd aimd() {
        // min 1, max 100, halve on deferral, x0.25 on throttling, +10 per second, cool-down 5 s
        return new Aimd(1, 100, 0.5, 0.25, 0.1, 5_000, 1_000);
    }

    @Test
    void startsAtTheMaximum() {
        assertThat(aimd().rate()).isEqualTo(100);
    }

    @Test
    void deferralHalvesTheRate() {
        Aimd a = aimd();
        a.onDeferral(0);
        assertThat(a.rate()).isEqualTo(50);
    }

    @Test
    void relayThrottlingCutsByItsOwnFactor() {
        Aimd a = aimd();
        a.onThrottled(0);
        assertThat(a.rate()).isEqualTo(25);
    }

    @Test
    void aBurstOfDeferralsWithinTheCoolDownCountsOnce() {
        Aimd a = aimd();
        a.onDeferral(0);
        a.onDeferral(100);
        a.onThrottled(4_999);
        assertThat(a.rate()).isEqualTo(50);
        a.onDeferral(5_000);
        assertThat(a.rate()).isEqualTo(25);
    }

    @Test
    void neverGoesBelowTheMinimum() {
        Aimd a = aimd();
        for (long t = 0; t < 100_000; t += 5_000) {
            a.onThrottled(t);
        }
        assertThat(a.rate()).isEqualTo(1);
    }

    @Test
    void speedsUpAdditivelyAfterTheCoolDownBackToTheMaximum() {
        Aimd a = aimd();
        a.onDeferral(0); // 50
        a.onSuccess(1_000); // still cooling down
        assertThat(a.rate()).isEqualTo(50);
        a.onSuccess(5_000);
        assertThat(a.rate()).isEqualTo(60);
        a.onSuccess(5_500); // less than an increase interval later
        assertThat(a.rate()).isEqualTo(60);
        for (long t = 6_000; t <= 20_000; t += 1_000) {
            a.onSuccess(t);
        }
        assertThat(a.rate()).isEqualTo(100);
    }

    @Test
    void lowerMaximumCapsAtOnceAndAHigherOneIsClimbedTo() {
        Aimd a = aimd();
        a.setMax(20);
        assertThat(a.rate()).isEqualTo(20);
        a.setMax(40);
        assertThat(a.rate()).isEqualTo(20);
        a.onSuccess(0);
        assertThat(a.rate()).isEqualTo(24);
    }

    @Test
    void maximumBelowTheFloorIsObeyed() {
        Aimd a = aimd();
        a.setMax(0.2); // a warm-up cap or SET_RATE under the AIMD floor of 1/s
        assertThat(a.rate()).isEqualTo(0.2);
        a.onDeferral(0);
        assertThat(a.rate()).isEqualTo(0.2);
    }

    @Test
    void defaultsWorkForTinyRates() {
        Aimd a = Aimd.withDefaults(0.005);
        assertThat(a.rate()).isEqualTo(0.005);
        a.onDeferral(0);
        assertThat(a.rate()).isPositive().isLessThanOrEqualTo(0.005);
    }

    @Test
    void restoreContinuesWhereTheSavedStateWas() {
        Aimd a = aimd();
        a.onDeferral(10_000);
        Aimd b = aimd().restore(a.rate(), a.lastDecreaseMillis(), a.lastIncreaseMillis());
        assertThat(b.rate()).isEqualTo(50);
        b.onDeferral(12_000); // still within the cool-down of the saved decrease
        assertThat(b.rate()).isEqualTo(50);
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new Aimd(0, 10, 0.5, 0.5, 0.1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Aimd(1, 10, 1.5, 0.5, 0.1, 0, 0))
                .hasMessageContaining("decrease");
        assertThatThrownBy(() -> aimd().setMax(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
