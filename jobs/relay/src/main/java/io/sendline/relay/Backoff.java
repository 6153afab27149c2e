package io.sendline.relay;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * When to try a failed message again: exponential back-off with jitter, capped, that never retries
 * before the relay's own hint ("retry in N seconds", {@link RelayResult.Failed#retryAfter()}).
 *
 * <p>Without a hint the delay for attempt {@code n} (1-based: the number of failures so far) is
 * {@code min(max, initial * multiplier^(n-1))}, reduced by a random fraction of up to {@code
 * jitter} so that messages failed together do not come back together. With a hint the delay is at
 * least the hint (capped at {@code maxHint}, so a broken hint cannot park a message for days), plus
 * up to 10 % spread for the same reason. Immutable and serializable, so a Flink operator can hold
 * it.
 */
public final class Backoff implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Spread added on top of a relay's hint, as a fraction of the hint. */
    private static final double HINT_SPREAD = 0.10;

    private final Duration initial;
    private final Duration max;
    private final double multiplier;
    private final double jitter;
    private final Duration maxHint;

    private Backoff(Builder b) {
        this.initial = b.initial;
        this.max = b.max;
        this.multiplier = b.multiplier;
        this.jitter = b.jitter;
        this.maxHint = b.maxHint;
    }

    /** 1 s doubling to at most 15 min, jitter 0.5, hints honoured up to 1 h. */
    public static Backoff defaults() {
        return builder().build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Delay before attempt {@code attempt + 1}, given the relay's answer to attempt {@code
     * attempt}.
     */
    public Duration delay(int attempt, RelayResult.Failed failure) {
        return delay(attempt, failure == null ? null : failure.retryAfter());
    }

    /** Delay after {@code attempt} failures (1-based), honouring {@code hint} when not null. */
    public Duration delay(int attempt, Duration hint) {
        return delay(attempt, hint, ThreadLocalRandom.current());
    }

    /** As {@link #delay(int, Duration)} with a given random source (for deterministic tests). */
    public Duration delay(int attempt, Duration hint, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt is 1-based, got " + attempt);
        }
        long capMillis = max.toMillis();
        double exp = initial.toMillis() * Math.pow(multiplier, attempt - 1);
        long base = (long) Math.min(capMillis, exp);
        long jittered = base - (long) (base * jitter * random.nextDouble());
        if (hint == null || hint.isNegative() || hint.isZero()) {
            return Duration.ofMillis(jittered);
        }
        long hintMillis = Math.min(hint.toMillis(), maxHint.toMillis());
        long spread = (long) (hintMillis * HINT_SPREAD * random.nextDouble());
        return Duration.ofMillis(Math.max(jittered, hintMillis + spread));
    }

    public Duration initial() {
        return initial;
    }

    public Duration max() {
        return max;
    }

    public double multiplier() {
        return multiplier;
    }

    public double jitter() {
        return jitter;
    }

    public Duration maxHint() {
        return maxHint;
    }

    @Override
    public String toString() {
        return "Backoff{initial="
                + initial
                + ", max="
                + max
                + ", multiplier="
                + multiplier
                + ", jitter="
                + jitter
                + ", maxHint="
                + maxHint
                + '}';
    }

    /** Builds a {@link Backoff}; {@link #build()} checks the values. */
    public static final class Builder {
        private Duration initial = Duration.ofSeconds(1);
        private Duration max = Duration.ofMinutes(15);
        private double multiplier = 2.0;
        private double jitter = 0.5;
        private Duration maxHint = Duration.ofHours(1);

        private Builder() {}

        /** Delay after the first failure (before jitter). */
        public Builder initial(Duration initial) {
            this.initial = initial;
            return this;
        }

        /** Cap of the exponential delay. */
        public Builder max(Duration max) {
            this.max = max;
            return this;
        }

        /** Growth per attempt, at least 1. */
        public Builder multiplier(double multiplier) {
            this.multiplier = multiplier;
            return this;
        }

        /** Fraction (0..1) of the delay that is randomised away. */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /** Longest relay hint honoured. */
        public Builder maxHint(Duration maxHint) {
            this.maxHint = maxHint;
            return this;
        }

        public Backoff build() {
            Objects.requireNonNull(initial, "backoff initial delay must be set");
            Objects.requireNonNull(max, "backoff max delay must be set");
            Objects.requireNonNull(maxHint, "backoff maxHint must be set");
            if (initial.isNegative() || initial.isZero()) {
                throw new IllegalArgumentException(
                        "backoff initial delay must be positive, got " + initial);
            }
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException(
                        "backoff max (" + max + ") must be >= initial (" + initial + ")");
            }
            if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
                throw new IllegalArgumentException(
                        "backoff multiplier must be >= 1, got " + multiplier);
            }
            if (!(jitter >= 0.0 && jitter <= 1.0)) {
                throw new IllegalArgumentException(
                        "backoff jitter must be within 0..1, got " + jitter);
            }
            if (maxHint.isNegative()) {
                throw new IllegalArgumentException(
                        "backoff maxHint must not be negative, got " + maxHint);
            }
            return new Backoff(this);
        }
    }
}
