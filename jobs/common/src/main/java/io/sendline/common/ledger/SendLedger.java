package io.sendline.common.ledger;

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
 *       Claim.Kind#ALREADY_FAILED}.
 *   <li>Outcomes never move backwards: {@code failed} does not overwrite {@code accepted}.
 * </ul>
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

    /** Flushes pending writes and releases resources. */
    @Override
    void close();
}
