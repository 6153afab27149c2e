package io.sendline.bench.pg;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.Json;
import io.sendline.send.events.JobEvent;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;

/**
 * The statements the send pipeline's {@code email_job} and {@code email_event} sinks issued while
 * they were Flink {@code JdbcSink}s (up to commit 6d35354): one single-row statement per event,
 * sent as a JDBC batch. Kept here, byte for byte, so that {@link PgWriteCost} can measure them
 * against their replacement on the same machine in the same run.
 */
final class LegacyStatements {

    static final String UPSERT =
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

    static final String INSERT_EVENT =
            "INSERT INTO email_event (event_id, job_id, type, provider, provider_message_id,"
                    + " reason, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, CAST(? AS jsonb))"
                    + " ON CONFLICT (event_id) DO NOTHING";

    private static final int MAX_REASON = 2000;

    private LegacyStatements() {}

    static void bindUpsert(PreparedStatement ps, JobEvent je) throws SQLException {
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
        ps.setString(i++, reason(e.reason()));
        ps.setInt(i, e.attempt());
    }

    static void bindInsert(PreparedStatement ps, JobEvent je) throws SQLException {
        EmailEvent e = je.event();
        ps.setString(1, e.eventId());
        ps.setString(2, e.jobId());
        ps.setString(3, e.type().name());
        ps.setString(4, e.provider());
        ps.setString(5, e.providerMessageId());
        ps.setString(6, reason(e.reason()));
        ps.setTimestamp(7, Timestamp.from(e.occurredAt()));
        ps.setString(8, Json.toString(e));
    }

    private static String reason(String reason) {
        if (reason != null && reason.length() > MAX_REASON) {
            return reason.substring(0, MAX_REASON - 1) + "…";
        }
        return reason;
    }

    private static Timestamp ts(Instant t) {
        return t == null ? null : Timestamp.from(t);
    }
}
