package io.sendline.common.ledger;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link SendLedger} in memory with the same rules as {@link JdbcSendLedger}: for tests and for
 * the sandbox, where never-twice across process restarts is not needed.
 */
public final class InMemorySendLedger implements SendLedger {

    private final Map<String, LedgerEntry> rows = new ConcurrentHashMap<>();
    private final Map<String, Instant> claimedAt = new ConcurrentHashMap<>();
    private final Clock clock;

    /** A ledger on the system clock. */
    public InMemorySendLedger() {
        this(Clock.systemUTC());
    }

    /** A ledger whose claim times come from {@code clock} (for tests of {@link #inDoubt}). */
    public InMemorySendLedger(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletableFuture<Claim> claim(String jobId, int attempt, String claimant) {
        Claim[] out = new Claim[1];
        rows.compute(
                jobId,
                (id, row) -> {
                    if (row == null || row.supersededBy(attempt)) {
                        out[0] = Claim.fresh(jobId, attempt);
                        claimedAt.put(jobId, clock.instant());
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

    @Override
    public CompletableFuture<Claim> takeOver(
            String jobId, int attempt, String expectedClaimant, String claimant) {
        Claim[] out = new Claim[1];
        rows.compute(
                jobId,
                (id, row) -> {
                    // No row at all: nobody claimed it, so taking it over is a plain claim.
                    if (row == null
                            || (row.state() == LedgerEntry.State.CLAIMED
                                    && row.attempt() == attempt
                                    && Objects.equals(row.claimedBy(), expectedClaimant))) {
                        out[0] = Claim.fresh(jobId, attempt);
                        claimedAt.put(jobId, clock.instant());
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
    public List<InDoubtClaim> inDoubt(Instant claimedBefore, int limit) {
        List<InDoubtClaim> out = new ArrayList<>();
        for (LedgerEntry row : rows.values()) {
            Instant at = claimedAt.get(row.jobId());
            if (row.state() == LedgerEntry.State.CLAIMED
                    && at != null
                    && at.isBefore(claimedBefore)) {
                out.add(new InDoubtClaim(row.jobId(), row.attempt(), row.claimedBy(), at));
            }
        }
        out.sort(Comparator.comparing(InDoubtClaim::claimedAt).thenComparing(InDoubtClaim::jobId));
        return out.size() > limit ? new ArrayList<>(out.subList(0, limit)) : out;
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
