package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * A change to the suppression list: the payload of the compacted topic {@code email.suppressions},
 * keyed by the normalised address. The last record per address is its state.
 *
 * @param address normalised address (lower-cased domain, punycode)
 * @param action add or remove
 * @param reason why
 * @param source who decided (e.g. {@code ses-webhook}, {@code api}, {@code event-aggregation})
 * @param jobId job that caused it, if any
 * @param at when the decision was made
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SuppressionChange(
        String address,
        Action action,
        SuppressionReason reason,
        String source,
        String jobId,
        Instant at) {

    /** Add to or remove from the list. */
    public enum Action {
        ADD,
        REMOVE
    }
}
