package io.sendline.common.ledger;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SendLedger} in memory with the same rules as {@link JdbcSendLedger}: for tests and for
 * the sandbox, where never-twice across process restarts is not needed.
 */
public final class InMemorySendLedger implements SendLedger {

    private final Map<String, LedgerEntry> rows = new ConcurrentHashMap<>();

    @Override
    public CompletableFuture<Claim> claim(String jobId, int attempt, String claimant) {
        Claim[] out = new Claim[1];
        rows.compute(
                jobId,
                (id, row) -> {
                    if (row == null || row.supersededBy(attempt)) {
                        out[0] = Claim.fresh(jobId, attempt);
                        return new LedgerEntry(
                                jobId,
                                attempt,
                                LedgerEntry.State.CLAIMED,
                                null,
                                null,
                                claimant,
                                null,
                                false);
                    }
                    out[0] = row.verdictFor(attempt);
                    return row;
                });
        return CompletableFuture.completedFuture(out[0]);
    }

    @Override
    public CompletableFuture<Void> accepted(
            String jobId, int attempt, String relay, String providerMessageId) {
        rows.compute(
                jobId,
                (id, row) ->
                        row != null && row.state() == LedgerEntry.State.ACCEPTED
                                ? row
                                : new LedgerEntry(
                                        jobId,
                                        attempt,
                                        LedgerEntry.State.ACCEPTED,
                                        relay,
                                        providerMessageId,
                                        row == null ? null : row.claimedBy(),
                                        null,
                                        false));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> failed(
            String jobId, int attempt, String reason, boolean retryable) {
        rows.compute(
                jobId,
                (id, row) ->
                        row != null
                                        && (row.state() == LedgerEntry.State.ACCEPTED
                                                || row.attempt() > attempt)
                                ? row
                                : new LedgerEntry(
                                        jobId,
                                        attempt,
                                        LedgerEntry.State.FAILED,
                                        null,
                                        null,
                                        row == null ? null : row.claimedBy(),
                                        reason,
                                        retryable));
        return CompletableFuture.completedFuture(null);
    }

    /** The row of a job, or null (for tests). */
    public LedgerEntry row(String jobId) {
        return rows.get(jobId);
    }

    /** Number of rows. */
    public int size() {
        return rows.size();
    }

    @Override
    public void close() {}
}
