package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TokenBucketTest {

    @Test
    void startsFullAndAllowsABurst() {
        TokenBucket b = new TokenBucket(10, 3);
        assertThat(b.tryAcquire(1_000)).isZero();
        assertThat(b.tryAcquire(1_000)).isZero();
        assertThat(b.tryAcquire(1_000)).isZero();
        assertThat(b.tryAcquire(1_000)).isEqualTo(100); // one token per 100 ms at 10/s
    }

    @Test
    void refillsAtTheRateAndNeverAboveTheBurst() {
        TokenBucket b = new TokenBucket(10, 2);
        b.tryAcquire(0);
        b.tryAcquire(0);
        assertThat(b.tryAcquire(50)).isEqualTo(50);
        assertThat(b.tryAcquire(100)).isZero();
        assertThat(b.peekWait(100_000)).isZero();
        assertThat(b.tokens()).isEqualTo(2.0);
    }

    @Test
    void sendsAtMostTheRateOverTime() {
        TokenBucket b = new TokenBucket(50, 1);
        int sent = 0;
        for (long now = 0; now < 10_000; now++) {
            if (b.tryAcquire(now) == 0) {
                sent++;
            }
        }
        assertThat(sent).isBetween(480, 501);
    }

    @Test
    void rateZeroHoldsEverythingAndEarnsNothingWhilePaused() {
        TokenBucket b = new TokenBucket(10, 1);
        b.tryAcquire(0);
        b.setRate(0, 0);
        assertThat(b.tryAcquire(60_000)).isEqualTo(Long.MAX_VALUE);
        b.setRate(10, 60_000);
        // an hour of pause earned nothing: the next token is 100 ms away
        assertThat(b.tryAcquire(60_000)).isEqualTo(100);
    }

    @Test
    void tokensEarnedBeforeARateChangeAreKept() {
        TokenBucket b = new TokenBucket(1, 5);
        for (int i = 0; i < 5; i++) {
            b.tryAcquire(0);
        }
        b.setRate(100, 2_000); // 2 tokens earned at 1/s
        assertThat(b.tokens()).isEqualTo(2.0);
    }

    @Test
    void clockSteppingBackEarnsNothingAndCostsNothing() {
        TokenBucket b = new TokenBucket(10, 1);
        b.tryAcquire(1_000);
        assertThat(b.tryAcquire(500)).isPositive();
        assertThat(b.tryAcquire(1_100)).isZero();
    }

    @Test
    void restoreContinuesFromSavedState() {
        TokenBucket b = new TokenBucket(10, 4);
        b.tryAcquire(0);
        b.tryAcquire(0);
        TokenBucket r = TokenBucket.restore(10, 4, b.tokens(), b.lastRefillMillis());
        assertThat(r.tokens()).isEqualTo(2.0);
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isZero();
        assertThat(r.tryAcquire(0)).isPositive();
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThatThrownBy(() -> new TokenBucket(-1, 1)).hasMessageContaining("rate");
        assertThatThrownBy(() -> new TokenBucket(1, 0.5)).hasMessageContaining("burst");
        assertThatThrownBy(() -> new TokenBucket(Double.NaN, 1)).hasMessageContaining("rate");
    }
}
