package io.sendline.common.ledger;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The dispatch ledger that makes sending never-twice: before a job goes to a relay, its attempt is
 * claimed; after the relay answers, the outcome is recorded. A job replayed after a restore is
 * recognised by its claim instead of being sent again.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>The first claim of a job (or of a later attempt after a retryable failure) is {@link
 *       Claim.Kind#FRESH}; exactly one of several concurrent claims of the same job wins.
 *   <li>A job a relay accepted is {@link Claim.Kind#ALREADY_ACCEPTED} for ever, whatever the
 *       attempt.
 *   <li>A claim with no outcome is {@link Claim.Kind#IN_DOUBT}: the one ambiguous window (the relay
 *       accepted, then the process died before {@link #accepted} was written). The caller must not
 *       send it again; it reports the job as in doubt.
 *   <li>A permanent failure, or a replay of an attempt whose failure is recorded, is {@link
 *       Claim.Kind#ALREADY_FAILED}; when that failure was retryable ({@link Claim#mayRetry()}) the
 *       caller continues with the retry policy and claims the next attempt.
 *   <li>Outcomes never move backwards: {@code failed} does not overwrite {@code accepted}, nor a
 *       later attempt's row.
 *   <li>An in-doubt claim is only sent again through {@link #takeOver}, a compare-and-set on the
 *       previous claimant, so that of several replays at most one re-sends.
 * </ul>
 *
 * <p>Calls for one job take effect in the order they were made (the implementations guarantee it),
 * so the next attempt may be claimed right after {@link #failed} without waiting for it.
 *
 * <p>Implementations are thread-safe; futures may complete on an internal thread, so callbacks must
 * not block.
 */
public interface SendLedger extends AutoCloseable {

    /**
     * Claims an attempt of a job for sending.
     *
     * @param jobId the job
     * @param attempt its delivery attempt ({@code EmailJob.attempt()})
     * @param claimant who claims (e.g. the subtask), stored for diagnosis of in-doubt claims
     */
    CompletableFuture<Claim> claim(String jobId, int attempt, String claimant);

    /** Records that a relay accepted the attempt. */
    CompletableFuture<Void> accepted(
            String jobId, int attempt, String relay, String providerMessageId);

    /**
     * Records that the attempt failed at the relay (the relay did not accept it).
     *
     * @param retryable true when a later attempt may try again (it then supersedes this one)
     */
    CompletableFuture<Void> failed(String jobId, int attempt, String reason, boolean retryable);

    /**
     * Takes over an in-doubt claim so that it may be sent again (an at-least-once policy for that
     * job): succeeds, with {@link Claim.Kind#FRESH}, only if the row is still {@code CLAIMED} at
     * {@code attempt} by {@code expectedClaimant} (the {@link Claim#detail()} of the IN_DOUBT
     * verdict); otherwise returns the row's current verdict. Of several concurrent take-overs of
     * the same claim exactly one wins. A job without any row is simply claimed.
     *
     * @param expectedClaimant who holds the claim now (may be null if it was stored as null)
     * @param claimant the new holder
     */
    default CompletableFuture<Claim> takeOver(
            String jobId, int attempt, String expectedClaimant, String claimant) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getName() + " cannot take over"));
    }

    /**
     * Claims without an outcome that are older than {@code claimedBefore}, oldest first: the jobs
     * in the ambiguous window, for an operator or a reconciler. Blocking; not for the hot path.
     *
     * @param limit at most this many
     */
    default List<InDoubtClaim> inDoubt(Instant claimedBefore, int limit) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot list in-doubt");
    }

    /** Flushes pending writes and releases resources. */
    @Override
    void close();
}
