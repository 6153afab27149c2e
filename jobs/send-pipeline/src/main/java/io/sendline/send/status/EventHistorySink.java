package io.sendline.send.status;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.Json;
import io.sendline.send.events.JobEvent;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import org.apache.flink.connector.jdbc.JdbcConnectionOptions;
import org.apache.flink.connector.jdbc.JdbcExecutionOptions;
import org.apache.flink.connector.jdbc.core.datastream.sink.JdbcSink;

/**
 * Appends each event to PostgreSQL {@code email_event}, the history the edge shows at {@code GET
 * /v1/emails/{id}}. Event ids are deterministic ({@code jobId/attempt/TYPE}), so the insert is
 * idempotent ({@code ON CONFLICT (event_id) DO NOTHING}) and at-least-once delivery is enough. The
 * row's {@code data} is the event's JSON (it carries the recipient's domain, never the address).
 */
public final class EventHistorySink {

    public static final String INSERT =
            "INSERT INTO email_event (event_id, job_id, type, provider, provider_message_id,"
                    + " reason, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
                    + " ON CONFLICT (event_id) DO NOTHING";

    private EventHistorySink() {}

    /**
     * Batched at-least-once inserts, flushed at {@code batchSize}, {@code batchInterval},
     * checkpoints.
     */
    public static JdbcSink<JobEvent> create(
            String url, String user, String password, int batchSize, Duration batchInterval) {
        return JdbcSink.<JobEvent>builder()
                .withQueryStatement(INSERT, EventHistorySink::bind)
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

    static void bind(PreparedStatement ps, JobEvent je) throws SQLException {
        EmailEvent e = je.event();
        ps.setString(1, e.eventId());
        ps.setString(2, e.jobId());
        ps.setString(3, e.type().name());
        ps.setString(4, e.provider());
        ps.setString(5, e.providerMessageId());
        String reason = e.reason();
        if (reason != null && reason.length() > JobStatusSink.MAX_REASON) {
            reason = reason.substring(0, JobStatusSink.MAX_REASON - 1) + "…";
        }
        ps.setString(6, reason);
        ps.setTimestamp(7, Timestamp.from(e.occurredAt()));
        ps.setString(8, Json.toString(e));
    }
}
