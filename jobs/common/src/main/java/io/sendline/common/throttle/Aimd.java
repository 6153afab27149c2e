package io.sendline.common.throttle;

import java.io.Serializable;

/**
 * Additive-increase, multiplicative-decrease control of a sending rate, as TCP does for its window:
 * a deferral (4xx) or a relay's throttling halves the rate (at most once per cool-down, so a burst
 * of deferrals from messages already in flight counts once), and every {@code increaseInterval} of
 * successes without trouble adds a fixed share of the maximum back, up to the configured maximum.
 *
 * <p>The clock is passed in (epoch millis). Not thread-safe; one instance per throttle key.
 */
public final class Aimd implements Serializable {

    private static final long serialVersionUID = 1L;

    private final double min;
    private double max;
    private final double decreaseFactor;
    private final double throttledFactor;
    private final double increaseFraction;
    private final long coolDownMillis;
    private final long increaseIntervalMillis;

    private double rate;
    private long lastDecreaseMillis = Long.MIN_VALUE;
    private long lastIncreaseMillis = Long.MIN_VALUE;

    /**
     * @param min lowest rate per second (greater than 0, so a key always probes again)
     * @param max highest rate per second, and the starting rate
     * @param decreaseFactor multiplier on a deferral, e.g. 0.5
     * @param throttledFactor multiplier when the relay says it is throttling us, e.g. 0.5
     * @param increaseFraction share of {@code max} added per interval of successes, e.g. 0.05
     * @param coolDownMillis at most one decrease per this many millis, e.g. 5,000
     * @param increaseIntervalMillis at most one increase per this many millis, e.g. 1,000
     */
    public Aimd(
            double min,
            double max,
            double decreaseFactor,
            double throttledFactor,
            double increaseFraction,
            long coolDownMillis,
            long increaseIntervalMillis) {
        if (!(min > 0) || !(max >= min) || Double.isInfinite(max)) {
            throw new IllegalArgumentException(
                    "need 0 < min <= max < infinity, was min=" + min + " max=" + max);
        }
        if (!(decreaseFactor > 0 && decreaseFactor < 1)
                || !(throttledFactor > 0 && throttledFactor < 1)) {
            throw new IllegalArgumentException("decrease factors must be in (0, 1)");
        }
        if (!(increaseFraction > 0 && increaseFraction <= 1)) {
            throw new IllegalArgumentException("increaseFraction must be in (0, 1]");
        }
        if (coolDownMillis < 0 || increaseIntervalMillis < 0) {
            throw new IllegalArgumentException("intervals must be >= 0");
        }
        this.min = min;
        this.max = max;
        this.decreaseFactor = decreaseFactor;
        this.throttledFactor = throttledFactor;
        this.increaseFraction = increaseFraction;
        this.coolDownMillis = coolDownMillis;
        this.increaseIntervalMillis = increaseIntervalMillis;
        this.rate = max;
    }

    /**
     * Defaults: halve on trouble at most every 5 s, add 5 % of max per second of successes, never
     * below 1 % of max (at least 0.01/s).
     */
    public static Aimd withDefaults(double max) {
        // For a tiny max (a warm-up day-0 cap of a few per hour) the floor is max itself.
        return new Aimd(
                Math.min(max, Math.max(0.01, max * 0.01)), max, 0.5, 0.5, 0.05, 5_000, 1_000);
    }

    /** A message was accepted: increase the rate if an interval passed since the last change. */
    public void onSuccess(long nowMillis) {
        if (rate >= max) {
            return;
        }
        if (lastDecreaseMillis != Long.MIN_VALUE
                && nowMillis - lastDecreaseMillis < coolDownMillis) {
            return; // let the relay settle before probing upwards
        }
        if (lastIncreaseMillis != Long.MIN_VALUE
                && nowMillis - lastIncreaseMillis < increaseIntervalMillis) {
            return;
        }
        rate = Math.min(max, rate + increaseFraction * max);
        lastIncreaseMillis = nowMillis;
    }

    /** The recipient's server deferred a message (4xx): slow down. */
    public void onDeferral(long nowMillis) {
        decrease(nowMillis, decreaseFactor);
    }

    /** The relay throttled us (e.g. SES "Maximum sending rate exceeded", HTTP 429): slow down. */
    public void onThrottled(long nowMillis) {
        decrease(nowMillis, throttledFactor);
    }

    /** Current rate per second. */
    public double rate() {
        return rate;
    }

    /** Lower bound. */
    public double min() {
        return min;
    }

    /** Time of the last decrease (epoch millis), or {@link Long#MIN_VALUE}. */
    public long lastDecreaseMillis() {
        return lastDecreaseMillis;
    }

    /** Time of the last increase (epoch millis), or {@link Long#MIN_VALUE}. */
    public long lastIncreaseMillis() {
        return lastIncreaseMillis;
    }

    /** Continues from saved state ({@link PacingState}): rate and the times of the last changes. */
    public Aimd restore(double savedRate, long savedLastDecrease, long savedLastIncrease) {
        this.rate = Math.max(floor(), Math.min(max, savedRate));
        this.lastDecreaseMillis = savedLastDecrease;
        this.lastIncreaseMillis = savedLastIncrease;
        return this;
    }

    /** Upper bound. */
    public double max() {
        return max;
    }

    /**
     * Changes the upper bound (a control-topic SET_RATE or a warm-up step); the current rate is
     * capped to it, and a higher bound is approached by additive increase, not jumped to.
     */
    public void setMax(double newMax) {
        if (!(newMax > 0) || Double.isInfinite(newMax)) {
            throw new IllegalArgumentException("max must be > 0 and finite, was " + newMax);
        }
        // A bound below min (a SET_RATE or warm-up cap lower than the AIMD floor) is obeyed: the
        // floor then is the bound itself, see floor().
        this.max = newMax;
        this.rate = Math.min(rate, newMax);
    }

    /** The effective floor: {@code min}, or {@code max} when that was set lower. */
    private double floor() {
        return Math.min(min, max);
    }

    private void decrease(long nowMillis, double factor) {
        if (lastDecreaseMillis != Long.MIN_VALUE
                && nowMillis - lastDecreaseMillis < coolDownMillis) {
            return;
        }
        rate = Math.max(floor(), rate * factor);
        lastDecreaseMillis = nowMillis;
    }
}
