package io.sendline.common.ledger;

/**
 * The answer to {@link SendLedger#claim}: may this attempt of this job be handed to a relay?
 *
 * @param kind the verdict
 * @param jobId the job
 * @param attempt the attempt the ledger row is at (the claimed attempt for {@link Kind#FRESH})
 * @param relay for {@link Kind#ALREADY_ACCEPTED}: the relay that accepted it
 * @param providerMessageId for {@link Kind#ALREADY_ACCEPTED}: the relay's message id
 * @param detail for {@link Kind#IN_DOUBT}: who holds the claim; for {@link Kind#ALREADY_FAILED}:
 *     the failure reason; otherwise null
 * @param retryable for {@link Kind#ALREADY_FAILED}: the recorded failure may be retried by a later
 *     attempt (see {@link #mayRetry()}); otherwise false
 */
public record Claim(
        Kind kind,
        String jobId,
        int attempt,
        String relay,
        String providerMessageId,
        String detail,
        boolean retryable) {

    /** The six-component form of before {@code retryable} existed; {@code retryable} is false. */
    public Claim(
            Kind kind,
            String jobId,
            int attempt,
            String relay,
            String providerMessageId,
            String detail) {
        this(kind, jobId, attempt, relay, providerMessageId, detail, false);
    }

    /** The verdict of a claim. */
    public enum Kind {
        /** Nobody has sent this attempt: go and send it. */
        FRESH,
        /** A relay already accepted this job: do not send; report SENT with the stored id. */
        ALREADY_ACCEPTED,
        /**
         * A claim exists without an outcome: a previous run may have crashed between the relay's
         * acceptance and the ledger write (or is still sending). Do not send; report it.
         */
        IN_DOUBT,
        /** This job failed permanently (or this attempt's failure is already recorded). */
        ALREADY_FAILED
    }

    /** True only for {@link Kind#FRESH}: the caller may send. */
    public boolean maySend() {
        return kind == Kind.FRESH;
    }

    /**
     * True for a replayed attempt whose retryable failure is already recorded (typically after a
     * restore): do not send this attempt again and do not report FAILED; carry on as if it had just
     * failed, i.e. ask the retry policy about {@link #attempt()} and claim {@code attempt + 1}.
     */
    public boolean mayRetry() {
        return kind == Kind.ALREADY_FAILED && retryable;
    }

    /** A fresh claim. */
    public static Claim fresh(String jobId, int attempt) {
        return new Claim(Kind.FRESH, jobId, attempt, null, null, null);
    }

    /** Already accepted by a relay. */
    public static Claim alreadyAccepted(
            String jobId, int attempt, String relay, String providerMessageId) {
        return new Claim(Kind.ALREADY_ACCEPTED, jobId, attempt, relay, providerMessageId, null);
    }

    /** Claimed before, no outcome recorded. */
    public static Claim inDoubt(String jobId, int attempt, String claimedBy) {
        return new Claim(Kind.IN_DOUBT, jobId, attempt, null, null, claimedBy);
    }

    /** Failed before, permanently. */
    public static Claim alreadyFailed(String jobId, int attempt, String reason) {
        return alreadyFailed(jobId, attempt, reason, false);
    }

    /** Failed before; {@code retryable} when a later attempt may try again. */
    public static Claim alreadyFailed(String jobId, int attempt, String reason, boolean retryable) {
        return new Claim(Kind.ALREADY_FAILED, jobId, attempt, null, null, reason, retryable);
    }
}
