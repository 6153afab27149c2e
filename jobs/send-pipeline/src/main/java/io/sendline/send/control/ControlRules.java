package io.sendline.send.control;

import io.sendline.schemas.ControlCommand;
import java.util.Locale;
import java.util.function.Function;

/**
 * How the send pipeline reads the control topic's commands. The last command per scope is its state
 * (the topic is compacted and keyed by scope), so the throttle keeps one entry per scope: pauses of
 * a pool, of a pool's recipient domain, or of a campaign, and rate overrides of a pool or of a
 * pool's domain. A RESUME, or a SET_RATE without a positive rate, removes its scope's entry.
 *
 * <ul>
 *   <li>A pool is paused when its pool-wide scope is paused; a (pool, domain) when either the pool
 *       or that domain is paused (a RESUME of the pool does not resume a domain paused on its own).
 *   <li>A rate override replaces the configured rate of its scope; the warm-up cap and the AIMD
 *       back-off still apply on top of it.
 * </ul>
 *
 * <p>No Flink imports: the throttle passes a lookup into its broadcast state.
 */
public final class ControlRules {

    private ControlRules() {}

    /** The state key of a command's scope, or null for a command the throttle ignores. */
    public static String stateKey(ControlCommand c) {
        if (c == null || c.action() == null) {
            return null;
        }
        boolean pause = c.action() != ControlCommand.Action.SET_RATE;
        if (c.campaignId() != null && !c.campaignId().isBlank()) {
            return pause ? campaignPauseKey(c.campaignId()) : null; // campaign rates: the expander
        }
        if (c.pool() == null || c.pool().isBlank()) {
            return null;
        }
        String domain =
                c.domain() == null || c.domain().isBlank()
                        ? null
                        : c.domain().strip().toLowerCase(Locale.ROOT);
        return pause ? pauseKey(c.pool(), domain) : rateKey(c.pool(), domain);
    }

    /** True when the command sets its scope (PAUSE, SET_RATE with a rate); false when it clears. */
    public static boolean sets(ControlCommand c) {
        switch (c.action()) {
            case PAUSE:
                return true;
            case SET_RATE:
                return c.ratePerSecond() != null
                        && c.ratePerSecond() > 0
                        && !c.ratePerSecond().isInfinite();
            default:
                return false;
        }
    }

    static String pauseKey(String pool, String domain) {
        return domain == null ? "pause|" + pool : "pause|" + pool + "|" + domain;
    }

    static String rateKey(String pool, String domain) {
        return domain == null ? "rate|" + pool : "rate|" + pool + "|" + domain;
    }

    static String campaignPauseKey(String campaignId) {
        return "pause-campaign|" + campaignId;
    }

    /** True when the pool, or the domain within it, is paused. */
    public static boolean paused(
            Function<String, ControlCommand> lookup, String pool, String domain) {
        return lookup.apply(pauseKey(pool, null)) != null
                || lookup.apply(pauseKey(pool, domain)) != null;
    }

    /** True when the campaign is paused (false for a job of no campaign). */
    public static boolean campaignPaused(Function<String, ControlCommand> lookup, String campaign) {
        return campaign != null && lookup.apply(campaignPauseKey(campaign)) != null;
    }

    /** The pool's rate: the override when there is one, else {@code configured}. */
    public static double poolRate(
            Function<String, ControlCommand> lookup, String pool, double configured) {
        ControlCommand c = lookup.apply(rateKey(pool, null));
        return c == null ? configured : c.ratePerSecond();
    }

    /** The (pool, domain) rate: the override when there is one, else {@code configured}. */
    public static double domainRate(
            Function<String, ControlCommand> lookup,
            String pool,
            String domain,
            double configured) {
        ControlCommand c = lookup.apply(rateKey(pool, domain));
        return c == null ? configured : c.ratePerSecond();
    }
}
