package io.sendline.common.ledger;

import java.time.Instant;

/**
 * A claim without an outcome, as listed by {@link SendLedger#inDoubt}: the relay may or may not
 * have accepted this attempt (the process died between the hand-over and the ledger write, or
 * before the hand-over). Listed for an operator, or for a reconciler that matches relay events.
 *
 * @param jobId the job
 * @param attempt the claimed attempt
 * @param claimedBy who claimed it (Flink job, subtask and attempt number)
 * @param claimedAt when
 */
public record InDoubtClaim(String jobId, int attempt, String claimedBy, Instant claimedAt) {}
