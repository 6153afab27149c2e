package io.sendline.send.dispatch;

/**
 * What dispatch does with a job whose earlier attempt is <i>in doubt</i>: the ledger holds a claim
 * but no outcome, so the relay may or may not have accepted the message before the task died (the
 * one ambiguous window of the exactly-once design, see docs/send-pipeline.md).
 */
public enum InDoubtPolicy {
    /**
     * Send again with the same Message-ID. At least once: the recipient may get a duplicate (many
     * clients fold equal Message-IDs), but never nothing. The default for transactional mail, where
     * a lost password reset is worse than a second one.
     */
    RESEND,
    /**
     * Do not send; report the job FAILED with reason {@code IN_DOUBT} for an operator to look at.
     * At most once. The default for marketing mail, where a duplicate newsletter costs reputation
     * and a missing one costs little.
     */
    HOLD
}
