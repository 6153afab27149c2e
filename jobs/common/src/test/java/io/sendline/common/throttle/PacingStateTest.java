package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PacingStateTest {

    @Test
    void bucketAndAimdSurviveASaveAndLoad() {
        PacingState s = PacingState.initial(2);
        TokenBucket bucket = s.bucket(10, 2);
        Aimd aimd = s.aimd(Aimd.withDefaults(10));
        bucket.tryAcquire(1_000);
        aimd.onDeferral(1_000);
        s.save(bucket, aimd);

        PacingState loaded = new PacingState();
        loaded.tokens = s.tokens;
        loaded.lastRefillMillis = s.lastRefillMillis;
        loaded.aimdRate = s.aimdRate;
        loaded.lastDecreaseMillis = s.lastDecreaseMillis;
        loaded.lastIncreaseMillis = s.lastIncreaseMillis;

        TokenBucket b2 = loaded.bucket(10, 2);
        Aimd a2 = loaded.aimd(Aimd.withDefaults(10));
        assertThat(b2.tokens()).isEqualTo(1.0);
        assertThat(b2.lastRefillMillis()).isEqualTo(1_000);
        assertThat(a2.rate()).isEqualTo(5.0);
        assertThat(a2.lastDecreaseMillis()).isEqualTo(1_000);
    }

    @Test
    void freshStateStartsWithAFullBucketAndAimdAtItsMaximum() {
        PacingState s = PacingState.initial(3);
        assertThat(s.bucket(1, 3).tryAcquire(0)).isZero();
        assertThat(s.aimd(Aimd.withDefaults(40)).rate()).isEqualTo(40);
    }
}
