package io.sendline.common.throttle;

import java.io.Serializable;

/**
 * A token bucket on a caller-supplied clock: {@code ratePerSecond} tokens are added per second up
 * to {@code burst}; a send takes one. The clock is passed in (epoch millis) so tests and Flink
 * timers drive it deterministically; the bucket never sleeps or reads the system clock.
 *
 * <p>Not thread-safe: one bucket per throttle key, used from the task thread.
 */
public final class TokenBucket implements Serializable {

    private static final long serialVersionUID = 1L;

    private double rate;
    private final double burst;
    private double tokens;
    private long lastMillis;
    private boolean started;

    /**
     * @param ratePerSecond tokens added per second; 0 pauses the bucket
     * @param burst most tokens held at once (at least 1); the bucket starts full
     */
    public TokenBucket(double ratePerSecond, double burst) {
        if (!(burst >= 1) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException("burst must be a finite number >= 1, was " + burst);
        }
        checkRate(ratePerSecond);
        this.rate = ratePerSecond;
        this.burst = burst;
        this.tokens = burst;
    }

    /**
     * Takes one token if there is one.
     *
     * @return 0 when a token was taken; otherwise the millis to wait until one is available (at
     *     least 1), or {@link Long#MAX_VALUE} when the rate is 0
     */
    public long tryAcquire(long nowMillis) {
        refill(nowMillis);
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return 0;
        }
        return waitMillis();
    }

    /** Millis until a token is available (0 if one is now), without taking one. */
    public long peekWait(long nowMillis) {
        refill(nowMillis);
        return tokens >= 1.0 ? 0 : waitMillis();
    }

    /** Changes the rate; tokens already earned at the old rate are kept. */
    public void setRate(double ratePerSecond, long nowMillis) {
        checkRate(ratePerSecond);
        refill(nowMillis);
        this.rate = ratePerSecond;
    }

    /**
     * Changes the rate from now on. Tokens earned since the last call are credited at the new rate,
     * so prefer {@link #setRate(double, long)} when the time is known.
     */
    public void setRate(double ratePerSecond) {
        checkRate(ratePerSecond);
        this.rate = ratePerSecond;
    }

    /** Current rate in tokens per second. */
    public double rate() {
        return rate;
    }

    /** Bucket size. */
    public double burst() {
        return burst;
    }

    /** Tokens available at the last refill (for metrics and tests). */
    public double tokens() {
        return tokens;
    }

    /** Time of the last refill (epoch millis), or {@link Long#MIN_VALUE} before the first call. */
    public long lastRefillMillis() {
        return started ? lastMillis : Long.MIN_VALUE;
    }

    /**
     * A bucket continuing from saved state ({@link PacingState}).
     *
     * @param lastRefillMillis as returned by {@link #lastRefillMillis()}
     */
    public static TokenBucket restore(
            double ratePerSecond, double burst, double tokens, long lastRefillMillis) {
        TokenBucket b = new TokenBucket(ratePerSecond, burst);
        b.tokens = Math.max(0, Math.min(burst, tokens));
        if (lastRefillMillis != Long.MIN_VALUE) {
            b.started = true;
            b.lastMillis = lastRefillMillis;
        }
        return b;
    }

    private long waitMillis() {
        if (rate <= 0) {
            return Long.MAX_VALUE;
        }
        double ms = (1.0 - tokens) * 1000.0 / rate;
        return Math.max(1L, (long) Math.ceil(ms));
    }

    private void refill(long nowMillis) {
        if (!started) {
            started = true;
            lastMillis = nowMillis;
            return;
        }
        long elapsed = nowMillis - lastMillis;
        if (elapsed <= 0) {
            return; // a clock that steps back earns nothing, and does not go into debt
        }
        tokens = Math.min(burst, tokens + elapsed * rate / 1000.0);
        lastMillis = nowMillis;
    }

    private static void checkRate(double ratePerSecond) {
        if (!(ratePerSecond >= 0) || Double.isInfinite(ratePerSecond)) {
            throw new IllegalArgumentException(
                    "rate must be a finite number >= 0, was " + ratePerSecond);
        }
    }
}
