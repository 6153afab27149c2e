package io.sendline.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class BackoffTest {

    /** Always returns {@code value}: makes jitter deterministic. */
    private static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    private final Backoff backoff =
            Backoff.builder()
                    .initial(Duration.ofSeconds(1))
                    .max(Duration.ofSeconds(60))
                    .multiplier(2)
                    .jitter(0.5)
                    .maxHint(Duration.ofMinutes(30))
                    .build();

    @Test
    void growsExponentiallyWithoutJitter() {
        RandomGenerator none = fixed(0);
        assertThat(backoff.delay(1, null, none)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(2, null, none)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(3, null, none)).isEqualTo(Duration.ofSeconds(4));
        assertThat(backoff.delay(6, null, none)).isEqualTo(Duration.ofSeconds(32));
    }

    @Test
    void isCappedEvenForHugeAttemptNumbers() {
        RandomGenerator none = fixed(0);
        assertThat(backoff.delay(7, null, none)).isEqualTo(Duration.ofSeconds(60));
        assertThat(backoff.delay(10_000, null, none)).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void jitterOnlyShortensWithinTheConfiguredFraction() {
        SplittableRandom seeds = new SplittableRandom(42);
        for (int i = 0; i < 1000; i++) {
            Duration d = backoff.delay(4, null, seeds.split());
            assertThat(d).isBetween(Duration.ofSeconds(4), Duration.ofSeconds(8));
        }
        assertThat(backoff.delay(4, null, fixed(0.999))).isLessThan(Duration.ofMillis(4010));
    }

    @Test
    void neverRetriesBeforeTheRelaysHint() {
        SplittableRandom seeds = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            Duration d = backoff.delay(1, Duration.ofSeconds(120), seeds.split());
            assertThat(d).isBetween(Duration.ofSeconds(120), Duration.ofSeconds(132));
        }
    }

    @Test
    void aShortHintDoesNotShortenTheBackoff() {
        assertThat(backoff.delay(5, Duration.ofSeconds(1), fixed(0)))
                .isEqualTo(Duration.ofSeconds(16));
    }

    @Test
    void hintsAreCapped() {
        assertThat(backoff.delay(1, Duration.ofDays(3), fixed(0)))
                .isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void takesTheHintFromAFailure() {
        RelayResult.Failed f =
                new RelayResult.Failed(Outcome.THROTTLED, 454, "4.7.0", "x", Duration.ofSeconds(9));
        assertThat(backoff.delay(1, f)).isBetween(Duration.ofSeconds(9), Duration.ofMillis(9900));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> backoff.delay(0, (Duration) null)).hasMessageContaining("1-based");
        assertThatThrownBy(() -> Backoff.builder().initial(Duration.ZERO).build())
                .hasMessageContaining("initial delay must be positive");
        assertThatThrownBy(
                        () ->
                                Backoff.builder()
                                        .initial(Duration.ofSeconds(5))
                                        .max(Duration.ofSeconds(1))
                                        .build())
                .hasMessageContaining("must be >= initial");
        assertThatThrownBy(() -> Backoff.builder().jitter(1.5).build())
                .hasMessageContaining("jitter must be within 0..1");
        assertThatThrownBy(() -> Backoff.builder().multiplier(0.5).build())
                .hasMessageContaining("multiplier must be >= 1");
    }

    @Test
    void isSerializable() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(backoff);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            Backoff copy = (Backoff) in.readObject();
            assertThat(copy.delay(3, null, fixed(0))).isEqualTo(Duration.ofSeconds(4));
        }
    }
}
