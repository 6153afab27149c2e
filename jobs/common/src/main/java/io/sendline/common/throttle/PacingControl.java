package io.sendline.common.throttle;

import io.sendline.schemas.ControlCommand;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The runtime pacing overrides that arrive on the compacted {@code email.control} topic: pauses (of
 * a pool, of one recipient domain of a pool, or of a campaign) and rates set by an operator or by
 * the reputation breaker. The send pipeline keeps the commands in broadcast state (keyed by {@link
 * ControlCommand#scopeKey()}, as on the topic) and rebuilds this object from them with {@link #of};
 * the throttle asks it on every decision, so a command takes effect as soon as it is applied.
 *
 * <p>Scopes are independent, as on the topic: resuming a pool does not resume a domain of it that
 * was paused on its own, and a pool's rate does not replace a domain's rate. A {@code SET_RATE} is
 * a new ceiling, still lowered by the pool's warm-up cap and by AIMD back-off ({@link
 * PacingRules}); rate 0 stops sending like a pause. There is no "unset": set the configured rate
 * again.
 *
 * <p>Not thread-safe; one instance per subtask, built in {@code initializeState}/{@code open} from
 * the broadcast state (it is runtime state, not serialized with the function).
 */
public final class PacingControl {

    /** Paused scopes: {@code pool}, {@code pool:domain}, {@code campaign:id}. */
    private final Map<String, ControlCommand> pauses = new HashMap<>();

    /** Rates by the same scopes. */
    private final Map<String, ControlCommand> rates = new HashMap<>();

    /** An empty control state: nothing paused, no overrides. */
    public PacingControl() {}

    /** The state after applying {@code commands} in order (e.g. from restored broadcast state). */
    public static PacingControl of(Iterable<ControlCommand> commands) {
        PacingControl c = new PacingControl();
        for (ControlCommand command : commands) {
            c.apply(command);
        }
        return c;
    }

    /**
     * Applies one command.
     *
     * @return true when it changed the state
     * @throws IllegalArgumentException when the command lacks an action or pool, or a SET_RATE has
     *     no finite rate &gt;= 0 (the caller dead-letters it)
     */
    public boolean apply(ControlCommand command) {
        Objects.requireNonNull(command, "command");
        if (command.action() == null) {
            throw new IllegalArgumentException("control command needs an action");
        }
        if (command.pool() == null || command.pool().isBlank()) {
            throw new IllegalArgumentException("control command needs a pool");
        }
        String scope = scope(command.pool(), command.domain(), command.campaignId());
        switch (command.action()) {
            case PAUSE:
                return !command.equals(pauses.put(scope, command));
            case RESUME:
                return pauses.remove(scope) != null;
            case SET_RATE:
                Double r = command.ratePerSecond();
                if (r == null || !(r >= 0) || r.isInfinite()) {
                    throw new IllegalArgumentException(
                            "SET_RATE needs a finite ratePerSecond >= 0, was " + r);
                }
                return !command.equals(rates.put(scope, command));
            default:
                throw new IllegalArgumentException("unknown action " + command.action());
        }
    }

    /**
     * True when mail of this pool, recipient domain and campaign must wait: its pool, its domain
     * within the pool, or its campaign is paused.
     *
     * @param domain recipient domain, or null
     * @param campaignId campaign, or null
     */
    public boolean isPaused(String pool, String domain, String campaignId) {
        if (pauses.isEmpty()) {
            return false;
        }
        return pauses.containsKey(scope(pool, null, null))
                || (domain != null && pauses.containsKey(scope(pool, domain, null)))
                || (campaignId != null && pauses.containsKey(scope(pool, null, campaignId)));
    }

    /** True when the whole pool, or this domain of it, is paused (the throttle key's view). */
    public boolean isPaused(String pool, String domain) {
        return isPaused(pool, domain, null);
    }

    /** The pool's rate set by a command, if any. */
    public OptionalDouble poolRate(String pool) {
        return rate(scope(pool, null, null));
    }

    /** The rate to this domain from this pool set by a command, if any. */
    public OptionalDouble domainRate(String pool, String domain) {
        return rate(scope(pool, domain, null));
    }

    /** A campaign's rate set by a command, if any. */
    public OptionalDouble campaignRate(String campaignId) {
        return rate(scope(null, null, campaignId));
    }

    /** The commands in force (pauses and rates), e.g. to write back to state. */
    public Collection<ControlCommand> commands() {
        List<ControlCommand> out = new ArrayList<>(pauses.values());
        out.addAll(rates.values());
        return out;
    }

    private OptionalDouble rate(String scope) {
        ControlCommand c = rates.get(scope);
        return c == null ? OptionalDouble.empty() : OptionalDouble.of(c.ratePerSecond());
    }

    /** A campaign scope ignores pool and domain, as {@link ControlCommand#scopeKey()} does. */
    private static String scope(String pool, String domain, String campaignId) {
        if (campaignId != null) {
            return "campaign:" + campaignId;
        }
        return domain == null ? pool : pool + ":" + domain.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "PacingControl{paused=" + pauses.keySet() + ", rates=" + rates.keySet() + "}";
    }
}
