package io.sendline.schemas;

import java.time.Instant;

/**
 * Cancel a scheduled job before it is sent: the payload of {@code email.jobs.cancellations}, keyed
 * by job id so it reaches the same keyed state as the waiting job.
 *
 * @param jobId job to cancel
 * @param requestedAt when
 */
public record CancelRequest(String jobId, Instant requestedAt) {}
