package io.sendline.send.status;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.send.events.JobEvent;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one status event, or several events of one job folded together, writes to the job's {@code
 * email_job} row, and the forward-only rule of {@link JobStatusSink#UPSERT} in Java, so that a
 * batch can carry one row per job ({@link StatusBatch}).
 *
 * <p>The rule ({@link #isFurtherThan}): a status moves a row when its rank is higher ({@link
 * EmailEventType#rank()}), or when it is the same status at a later attempt (a second deferral).
 * Folding a later event into an earlier one ({@link #then}) gives the row that writing them one
 * after the other gives: the furthest status; the job's facts (recipient, template, created_at, …)
 * from the first event, which is the one that would have inserted the row; the latest non-null
 * provider message id and reason, the first non-null {@code sent_at}; the highest attempt. Events
 * of different statuses at the same rank (CANCELLED, SUPPRESSED, FAILED) do not move each other:
 * the first one stays, as in the database.
 *
 * <p>One approximation, harmless and rare: the fold assumes the row is behind the first event. If
 * the row already stands between two events of a batch (e.g. at FAILED when CANCELLED then FAILED
 * of a later attempt arrive together), the database applies the fold's result instead of the second
 * event; the status still never moves backwards.
 *
 * @param jobId the job
 * @param emailType TRANSACTIONAL or MARKETING
 * @param pool the sending pool
 * @param toAddress recipient (never logged)
 * @param fromAddress sender
 * @param templateId template, or null
 * @param templateVersion pinned template version, or null
 * @param campaignId campaign, or null
 * @param status the status the row moves to
 * @param providerMessageId the relay's message id, or null
 * @param scheduledAt scheduled time, or null
 * @param createdAt when the job was accepted, or null (the database's now())
 * @param sentAt when the relay accepted it (from a SENT event), or null
 * @param tags the job's tags, or null
 * @param metadata the job's metadata, or null
 * @param reason why (deferral, failure), truncated, or null
 * @param attempt the delivery attempt
 */
public record StatusRow(
        String jobId,
        String emailType,
        String pool,
        String toAddress,
        String fromAddress,
        String templateId,
        Integer templateVersion,
        String campaignId,
        EmailEventType status,
        String providerMessageId,
        Instant scheduledAt,
        Instant createdAt,
        Instant sentAt,
        List<String> tags,
        Map<String, String> metadata,
        String reason,
        int attempt) {

    /** Longest reason stored (a reason is a readable sentence, not a log). */
    static final int MAX_REASON = 2000;

    /** The row one status event writes. */
    public static StatusRow of(JobEvent je) {
        EmailEvent e = je.event();
        return new StatusRow(
                e.jobId(),
                e.emailType() == null ? null : e.emailType().name(),
                e.pool(),
                je.toAddress(),
                je.fromAddress(),
                je.templateId(),
                je.templateVersion(),
                e.campaignId(),
                e.type(),
                e.providerMessageId(),
                je.scheduledAt(),
                je.createdAt(),
                e.type() == EmailEventType.SENT ? e.occurredAt() : null,
                e.tags(),
                e.metadata(),
                truncate(e.reason()),
                e.attempt());
    }

    /** A reason cut to {@link #MAX_REASON} characters. */
    static String truncate(String reason) {
        if (reason != null && reason.length() > MAX_REASON) {
            return reason.substring(0, MAX_REASON - 1) + "…";
        }
        return reason;
    }

    /** True when this status moves a row that stands at {@code other} (the SQL's WHERE). */
    public boolean isFurtherThan(StatusRow other) {
        return status.rank() > other.status.rank()
                || (status == other.status && attempt > other.attempt);
    }

    /** This row with a later event of the same job folded in (see the class comment). */
    public StatusRow then(StatusRow later) {
        if (!later.jobId.equals(jobId)) {
            throw new IllegalArgumentException("rows of different jobs cannot be folded");
        }
        if (!later.isFurtherThan(this)) {
            return this;
        }
        return new StatusRow(
                jobId,
                emailType,
                pool,
                toAddress,
                fromAddress,
                templateId,
                templateVersion,
                campaignId,
                later.status,
                later.providerMessageId != null ? later.providerMessageId : providerMessageId,
                scheduledAt,
                createdAt,
                sentAt != null ? sentAt : later.sentAt,
                tags,
                metadata,
                later.reason != null ? later.reason : reason,
                Math.max(attempt, later.attempt));
    }
}
