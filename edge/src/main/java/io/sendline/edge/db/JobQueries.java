package io.sendline.edge.db;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.schemas.Json;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Reads an email's status and events from PostgreSQL (blocking; call from a worker thread). */
public final class JobQueries {

    /** Most events returned for one email. */
    static final int MAX_EVENTS = 500;

    private static final String JOB =
            "SELECT job_id, type, pool, to_address, from_address, template_id, template_version,"
                    + " campaign_id, status, provider_message_id, scheduled_at, created_at, sent_at,"
                    + " updated_at, tags::text, metadata::text, last_reason, attempt"
                    + " FROM email_job WHERE job_id = ?";

    private static final String EVENTS =
            "SELECT event_id, type, provider, provider_message_id, reason, occurred_at, data::text"
                    + " FROM email_event WHERE job_id = ? ORDER BY occurred_at, recorded_at LIMIT "
                    + MAX_EVENTS;

    private final DataSource dataSource;

    public JobQueries(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * An email as stored.
     *
     * @param jobId id
     * @param type TRANSACTIONAL or MARKETING
     * @param pool sending pool
     * @param to recipient
     * @param from sender
     * @param templateId template, if any
     * @param templateVersion pinned version, if any
     * @param campaignId campaign, if any
     * @param status current status
     * @param providerMessageId relay's message id, once sent
     * @param scheduledAt scheduled time, if any
     * @param createdAt accepted at
     * @param sentAt handed to the relay at
     * @param updatedAt last change
     * @param tags caller tags
     * @param metadata caller metadata
     * @param lastReason reason of the last failure, deferral or suppression
     * @param attempt delivery attempt
     */
    public record JobRecord(
            String jobId,
            String type,
            String pool,
            String to,
            String from,
            String templateId,
            Integer templateVersion,
            String campaignId,
            String status,
            String providerMessageId,
            Instant scheduledAt,
            Instant createdAt,
            Instant sentAt,
            Instant updatedAt,
            JsonNode tags,
            JsonNode metadata,
            String lastReason,
            int attempt) {}

    /**
     * One event of an email.
     *
     * @param eventId dedupe id
     * @param type event type
     * @param provider relay or TRACKING
     * @param providerMessageId relay's message id
     * @param reason reason text
     * @param occurredAt when
     * @param data extra JSON as written by the pipeline (bounce details, clicked URL ...)
     */
    public record EventRecord(
            String eventId,
            String type,
            String provider,
            String providerMessageId,
            String reason,
            Instant occurredAt,
            JsonNode data) {}

    /** The job, or empty when there is none. */
    public Optional<JobRecord> job(String jobId) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(JOB)) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                int v = rs.getInt(7);
                Integer version = rs.wasNull() ? null : v;
                return Optional.of(
                        new JobRecord(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5),
                                rs.getString(6),
                                version,
                                rs.getString(8),
                                rs.getString(9),
                                rs.getString(10),
                                Database.instant(rs.getTimestamp(11)),
                                Database.instant(rs.getTimestamp(12)),
                                Database.instant(rs.getTimestamp(13)),
                                Database.instant(rs.getTimestamp(14)),
                                json(rs.getString(15)),
                                json(rs.getString(16)),
                                rs.getString(17),
                                rs.getInt(18)));
            }
        }
    }

    /** The job's events, oldest first. */
    public List<EventRecord> events(String jobId) throws SQLException {
        List<EventRecord> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(EVENTS)) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String data = rs.getString(7);
                    out.add(
                            new EventRecord(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    Database.instant(rs.getTimestamp(6)),
                                    json(data)));
                }
            }
        }
        return out;
    }

    /**
     * jsonb columns as JSON, whatever their shape: rows are also written by the send pipeline and
     * event aggregation, and an unexpected shape must not break the read.
     */
    private static JsonNode json(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
