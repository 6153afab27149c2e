package io.sendline.send.throttle;

import io.sendline.common.throttle.Aimd;
import io.sendline.common.throttle.PacingState;

/**
 * AIMD back-off of a pool or of a recipient domain, kept as a <i>factor</i> in (0, 1] applied to
 * whatever rate is configured (or set from the control topic), so that a rate change and the
 * back-off never fight: a deferral halves the factor (at most once per cool-down), and each second
 * without trouble after the cool-down adds 5 % back, up to 1. The rule itself is {@link Aimd} (max
 * 1.0); this class only replays its increases over time.
 *
 * <p>Increases are derived from the clock instead of from acknowledgements: dispatch reports only
 * trouble (a {@link PacingSignal}), so "no signal for a second" counts as a second of success. That
 * keeps the feedback topic as small as the trouble, and makes the factor a pure function of (saved
 * state, time): every throttle subtask computes the same factor from the same broadcast state.
 *
 * <p>No Flink imports; stateless apart from its parameters.
 */
public final class BackoffFactor {

    /** Lowest factor: a backed-off domain still gets 1 % of its rate, so it keeps probing. */
    public static final double MIN = 0.01;

    /** Factor on a deferral or a throttle. */
    public static final double DECREASE = 0.5;

    /** Share of the full rate added back per increase interval. */
    public static final double INCREASE = 0.05;

    /** At most one decrease per this many millis (a burst of deferrals counts once). */
    public static final long COOL_DOWN_MILLIS = 5_000;

    /** At most one increase per this many millis. */
    public static final long INCREASE_INTERVAL_MILLIS = 1_000;

    private BackoffFactor() {}

    private static Aimd fresh() {
        return new Aimd(
                MIN, 1.0, DECREASE, DECREASE, INCREASE, COOL_DOWN_MILLIS, INCREASE_INTERVAL_MILLIS);
    }

    /** The factor at {@code nowMillis}: 1 without state. */
    public static double at(PacingState state, long nowMillis) {
        if (state == null || state.aimdRate <= 0) {
            return 1.0;
        }
        return advance(state, nowMillis).rate();
    }

    /** True when the state has fully recovered by {@code nowMillis} and can be forgotten. */
    public static boolean recovered(PacingState state, long nowMillis) {
        return at(state, nowMillis) >= 1.0;
    }

    /**
     * Applies a signal at {@code atMillis} to {@code state} (null: a fresh state) and returns the
     * new state.
     */
    public static PacingState apply(PacingState state, PacingSignal.Kind kind, long atMillis) {
        Aimd aimd = state == null || state.aimdRate <= 0 ? fresh() : advance(state, atMillis);
        if (kind == PacingSignal.Kind.THROTTLED) {
            aimd.onThrottled(atMillis);
        } else {
            aimd.onDeferral(atMillis);
        }
        PacingState out = new PacingState();
        return out.save(null, aimd);
    }

    /** The AIMD restored from {@code state} with every increase due up to {@code nowMillis}. */
    private static Aimd advance(PacingState state, long nowMillis) {
        Aimd aimd = state.aimd(fresh());
        long next = Long.MIN_VALUE;
        if (state.lastDecreaseMillis != Long.MIN_VALUE) {
            next = state.lastDecreaseMillis + COOL_DOWN_MILLIS;
        }
        if (state.lastIncreaseMillis != Long.MIN_VALUE) {
            next = Math.max(next, state.lastIncreaseMillis + INCREASE_INTERVAL_MILLIS);
        }
        if (next == Long.MIN_VALUE) {
            next = nowMillis;
        }
        // At most 1 / INCREASE (20) steps: the loop ends at the full rate.
        for (long t = next; t <= nowMillis && aimd.rate() < 1.0; t += INCREASE_INTERVAL_MILLIS) {
            aimd.onSuccess(t);
        }
        return aimd;
    }
}
