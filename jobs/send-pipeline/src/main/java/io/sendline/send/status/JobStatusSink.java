package io.sendline.send.status;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.Json;
import io.sendline.send.events.JobEvent;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.JdbcStatementBuilder;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * Writes each job's status to PostgreSQL {@code email_job} with an idempotent upsert in which the
 * status only moves forward ({@link EmailEventType#rank()}): a replayed, duplicated or late event
 * never moves a job back, so at-least-once delivery of the status stream is enough. A row is
 * inserted when the job is not there yet (jobs enqueued by the campaign expander, or a pipeline
 * event that overtook the edge's own insert).
 *
 * <p>Engagement events (opened, clicked) are not statuses and are left out by the wiring.
 */
public final class JobStatusSink {

    /**
     * The forward-only upsert. At an equal rank only a later attempt of the same status is recorded
     * (a second deferral), so the row shows the current attempt.
     */
    public static final String UPSERT =
            "INSERT INTO email_job AS j (job_id, type, pool, to_address, from_address,"
                    + " template_id, template_version, campaign_id, status, status_rank,"
                    + " provider_message_id, scheduled_at, created_at, sent_at, updated_at, tags,"
                    + " metadata, last_reason, attempt)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(?, now()), ?, now(),"
                    + " CAST(? AS jsonb), CAST(? AS jsonb), ?, ?)"
                    + " ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status,"
                    + " status_rank = EXCLUDED.status_rank,"
                    + " provider_message_id = COALESCE(EXCLUDED.provider_message_id,"
                    + " j.provider_message_id),"
                    + " sent_at = COALESCE(j.sent_at, EXCLUDED.sent_at),"
                    + " updated_at = now(),"
                    + " last_reason = COALESCE(EXCLUDED.last_reason, j.last_reason),"
                    + " attempt = GREATEST(j.attempt, EXCLUDED.attempt)"
                    + " WHERE j.status_rank < EXCLUDED.status_rank"
                    + " OR (j.status = EXCLUDED.status AND j.attempt < EXCLUDED.attempt)";

    /** Longest reason stored (a reason is a readable sentence, not a log). */
    static final int MAX_REASON = 2000;

    private JobStatusSink() {}

    /**
     * The sink: batched at-least-once upserts, flushed every {@code batchInterval} or {@code
     * batchSize} rows and on every checkpoint.
     */
    public static JdbcSink<JobEvent> create(
            String url, String user, String password, int batchSize, Duration batchInterval) {
        return JdbcSink.<JobEvent>builder()
                .withQueryStatement(UPSERT, statement())
                .withExecutionOptions(
                        JdbcExecutionOptions.builder()
                                .withBatchSize(batchSize)
                                .withBatchIntervalMs(batchInterval.toMillis())
                                .withMaxRetries(5)
                                .build())
                .buildAtLeastOnce(
                        new JdbcConnectionOptions.JdbcConnectionOptionsBuilder()
                                .withUrl(url)
                                .withDriverName("org.postgresql.Driver")
                                .withUsername(user)
                                .withPassword(password)
                                .build());
    }

    /** True for events that are a job status (and therefore written). */
    public static boolean isStatus(JobEvent e) {
        return e != null && e.event() != null && e.event().type().isStatus();
    }

    /** Fills the upsert's parameters from one event. */
    public static JdbcStatementBuilder<JobEvent> statement() {
        return JobStatusSink::bind;
    }

    static void bind(PreparedStatement ps, JobEvent je) throws SQLException {
        EmailEvent e = je.event();
        int i = 1;
        ps.setString(i++, e.jobId());
        ps.setString(i++, e.emailType() == null ? null : e.emailType().name());
        ps.setString(i++, e.pool());
        ps.setString(i++, je.toAddress());
        ps.setString(i++, je.fromAddress());
        ps.setString(i++, je.templateId());
        if (je.templateVersion() == null) {
            ps.setNull(i++, Types.INTEGER);
        } else {
            ps.setInt(i++, je.templateVersion());
        }
        ps.setString(i++, e.campaignId());
        ps.setString(i++, e.type().name());
        ps.setShort(i++, (short) e.type().rank());
        ps.setString(i++, e.providerMessageId());
        ps.setTimestamp(i++, ts(je.scheduledAt()));
        ps.setTimestamp(i++, ts(je.createdAt()));
        ps.setTimestamp(i++, e.type() == EmailEventType.SENT ? ts(e.occurredAt()) : null);
        ps.setString(i++, e.tags() == null ? null : Json.toString(e.tags()));
        ps.setString(i++, e.metadata() == null ? null : Json.toString(e.metadata()));
        String reason = e.reason();
        if (reason != null && reason.length() > MAX_REASON) {
            reason = reason.substring(0, MAX_REASON - 1) + "…";
        }
        ps.setString(i++, reason);
        ps.setInt(i, e.attempt());
    }

    private static Timestamp ts(Instant t) {
        return t == null ? null : Timestamp.from(t);
    }
}
