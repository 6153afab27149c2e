package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * An operator's or the reputation breaker's command to the send pipeline: the payload of the
 * compacted topic {@code email.control}, keyed by {@link #scopeKey()} so that the last command per
 * scope is its state.
 *
 * @param commandId unique id
 * @param action pause, resume or set a rate
 * @param pool pool the command applies to (required)
 * @param domain recipient domain, or null for the whole pool
 * @param campaignId campaign, or null
 * @param ratePerSecond new rate for SET_RATE
 * @param reason why (shown in the UI and logs)
 * @param issuedBy operator or component
 * @param issuedAt when
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ControlCommand(
        String commandId,
        Action action,
        String pool,
        String domain,
        String campaignId,
        Double ratePerSecond,
        String reason,
        String issuedBy,
        Instant issuedAt) {

    /** What to do. */
    public enum Action {
        PAUSE,
        RESUME,
        SET_RATE
    }

    /**
     * Kafka key: one state per pool, pool+domain or campaign (pause/resume and rate kept apart).
     */
    public String scopeKey() {
        String kind = action == Action.SET_RATE ? "rate" : "pause";
        if (campaignId != null) {
            return kind + ":campaign:" + campaignId;
        }
        return kind + ":" + pool + (domain == null ? "" : ":" + domain);
    }
}
