package io.sendline.common.ledger;

/**
 * One ledger row as the rules see it, and the rules themselves, shared by {@link JdbcSendLedger}
 * (whose SQL mirrors {@link #supersededBy}) and {@link InMemorySendLedger}.
 *
 * @param jobId the job
 * @param attempt attempt the row is at
 * @param state CLAIMED, ACCEPTED or FAILED
 * @param relay relay that accepted it
 * @param providerMessageId relay's message id
 * @param claimedBy who holds the claim
 * @param failureReason why it failed
 * @param retryable whether a failure may be retried by a later attempt
 */
public record LedgerEntry(
        String jobId,
        int attempt,
        State state,
        String relay,
        String providerMessageId,
        String claimedBy,
        String failureReason,
        boolean retryable) {

    /** Ledger states, as stored in the {@code state} column. */
    public enum State {
        CLAIMED,
        ACCEPTED,
        FAILED
    }

    /** A new claim may replace this row: it failed retryably and the new attempt is later. */
    public boolean supersededBy(int newAttempt) {
        return state == State.FAILED && retryable && attempt < newAttempt;
    }

    /**
     * The verdict for a claim of {@code newAttempt} that found this row and did not supersede it.
     */
    public Claim verdictFor(int newAttempt) {
        switch (state) {
            case ACCEPTED:
                return Claim.alreadyAccepted(jobId, attempt, relay, providerMessageId);
            case FAILED:
                return Claim.alreadyFailed(jobId, attempt, failureReason, retryable);
            default:
                return Claim.inDoubt(jobId, attempt, claimedBy);
        }
    }
}
