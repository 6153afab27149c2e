package io.sendline.send.status;

import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.Json;
import io.sendline.send.events.JobEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Writes each job's status to PostgreSQL {@code email_job} with an idempotent upsert in which the
 * status only moves forward ({@link EmailEventType#rank()}): a replayed, duplicated or late event
 * never moves a job back, so at-least-once delivery of the status stream is enough. A row is
 * inserted when the job is not there yet (jobs enqueued by the campaign expander, or a pipeline
 * event that overtook the edge's own insert).
 *
 * <p>Batched ({@link BatchingJdbcSink}): the events buffered since the last flush are folded to one
 * row per job by the same forward-only rule ({@link StatusBatch}, {@link StatusRow}), so a job's
 * QUEUED and SENT that arrive in one batch cost one row write, and the batch is written with one
 * statement ({@link #UPSERT}: {@code INSERT ... SELECT FROM unnest(...)}). Rows the database
 * already has at the same or a further status are filtered out before the insert, so a replay after
 * a restore, or the QUEUED of a job the edge has already inserted, neither locks nor rewrites them.
 *
 * <p>Engagement events (opened, clicked) are not statuses and are left out by the wiring.
 */
public final class JobStatusSink {

    /**
     * The forward-only upsert of a batch, one row per job. At an equal rank only a later attempt of
     * the same status is recorded (a second deferral), so the row shows the current attempt.
     * Timestamps travel as ISO-8601 text.
     */
    public static final String UPSERT =
            "INSERT INTO email_job AS j (job_id, type, pool, to_address, from_address,"
                    + " template_id, template_version, campaign_id, status, status_rank,"
                    + " provider_message_id, scheduled_at, created_at, sent_at, updated_at, tags,"
                    + " metadata, last_reason, attempt)"
                    + " SELECT t.job_id, t.type, t.pool, t.to_address, t.from_address,"
                    + " t.template_id, t.template_version, t.campaign_id, t.status,"
                    + " t.status_rank::smallint, t.pmid, t.scheduled_at::timestamptz,"
                    + " COALESCE(t.created_at::timestamptz, now()), t.sent_at::timestamptz, now(),"
                    + " t.tags::jsonb, t.metadata::jsonb, t.reason, t.attempt"
                    + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                    + " ?::text[], ?::int[], ?::text[], ?::text[], ?::int[], ?::text[], ?::text[],"
                    + " ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[])"
                    + " AS t(job_id, type, pool, to_address, from_address, template_id,"
                    + " template_version, campaign_id, status, status_rank, pmid, scheduled_at,"
                    + " created_at, sent_at, tags, metadata, reason, attempt)"
                    // Skip rows already at this status or further (read without locking): the
                    // status only moves forward, so what is not further now never will be.
                    + " WHERE NOT EXISTS (SELECT 1 FROM email_job x WHERE x.job_id = t.job_id"
                    + " AND NOT (x.status_rank < t.status_rank"
                    + " OR (x.status = t.status AND x.attempt < t.attempt)))"
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
    static final int MAX_REASON = StatusRow.MAX_REASON;

    /** Tries after a failed write before the task fails (and replays from its checkpoint). */
    static final int MAX_RETRIES = 5;

    private JobStatusSink() {}

    /**
     * The sink: events folded per job and written as one statement, flushed every {@code
     * batchInterval} or {@code batchSize} events and on every checkpoint. Feed it a stream keyed by
     * job id, so that each job's events are written in order by one subtask.
     */
    public static BatchingJdbcSink<JobEvent> create(
            String url, String user, String password, int batchSize, Duration batchInterval) {
        return new BatchingJdbcSink<>(
                url,
                user,
                password,
                batchSize,
                batchInterval,
                MAX_RETRIES,
                "email_job status",
                Buffer::new);
    }

    /** True for events that are a job status (and therefore written). */
    public static boolean isStatus(JobEvent e) {
        return e != null && e.event() != null && e.event().type().isStatus();
    }

    /** Writes rows (one per job) with one statement. */
    public static void write(Connection c, List<StatusRow> rows) throws SQLException {
        int n = rows.size();
        if (n == 0) {
            return;
        }
        String[] jobIds = new String[n];
        String[] types = new String[n];
        String[] pools = new String[n];
        String[] tos = new String[n];
        String[] froms = new String[n];
        String[] templateIds = new String[n];
        Integer[] templateVersions = new Integer[n];
        String[] campaignIds = new String[n];
        String[] statuses = new String[n];
        Integer[] ranks = new Integer[n];
        String[] messageIds = new String[n];
        String[] scheduledAts = new String[n];
        String[] createdAts = new String[n];
        String[] sentAts = new String[n];
        String[] tags = new String[n];
        String[] metadata = new String[n];
        String[] reasons = new String[n];
        Integer[] attempts = new Integer[n];
        for (int i = 0; i < n; i++) {
            StatusRow r = rows.get(i);
            jobIds[i] = r.jobId();
            types[i] = r.emailType();
            pools[i] = r.pool();
            tos[i] = r.toAddress();
            froms[i] = r.fromAddress();
            templateIds[i] = r.templateId();
            templateVersions[i] = r.templateVersion();
            campaignIds[i] = r.campaignId();
            statuses[i] = r.status().name();
            ranks[i] = r.status().rank();
            messageIds[i] = r.providerMessageId();
            scheduledAts[i] = text(r.scheduledAt());
            createdAts[i] = text(r.createdAt());
            sentAts[i] = text(r.sentAt());
            tags[i] = r.tags() == null ? null : Json.toString(r.tags());
            metadata[i] = r.metadata() == null ? null : Json.toString(r.metadata());
            reasons[i] = r.reason();
            attempts[i] = r.attempt();
        }
        try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
            int p = 1;
            ps.setArray(p++, c.createArrayOf("text", jobIds));
            ps.setArray(p++, c.createArrayOf("text", types));
            ps.setArray(p++, c.createArrayOf("text", pools));
            ps.setArray(p++, c.createArrayOf("text", tos));
            ps.setArray(p++, c.createArrayOf("text", froms));
            ps.setArray(p++, c.createArrayOf("text", templateIds));
            ps.setArray(p++, c.createArrayOf("integer", templateVersions));
            ps.setArray(p++, c.createArrayOf("text", campaignIds));
            ps.setArray(p++, c.createArrayOf("text", statuses));
            ps.setArray(p++, c.createArrayOf("integer", ranks));
            ps.setArray(p++, c.createArrayOf("text", messageIds));
            ps.setArray(p++, c.createArrayOf("text", scheduledAts));
            ps.setArray(p++, c.createArrayOf("text", createdAts));
            ps.setArray(p++, c.createArrayOf("text", sentAts));
            ps.setArray(p++, c.createArrayOf("text", tags));
            ps.setArray(p++, c.createArrayOf("text", metadata));
            ps.setArray(p++, c.createArrayOf("text", reasons));
            ps.setArray(p, c.createArrayOf("integer", attempts));
            ps.executeUpdate();
        }
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }

    /** A writer's buffer: a {@link StatusBatch}. */
    /** A writer's buffer, as the sink uses it (benchmarks drive it outside Flink). */
    public static BatchingJdbcSink.Buffer<JobEvent> buffer() {
        return new Buffer();
    }

    static final class Buffer implements BatchingJdbcSink.Buffer<JobEvent> {
        private final StatusBatch batch = new StatusBatch();

        @Override
        public void add(JobEvent e) {
            batch.add(e);
        }

        @Override
        public int added() {
            return batch.added();
        }

        @Override
        public int rows() {
            return batch.size();
        }

        @Override
        public void write(Connection c) throws SQLException {
            JobStatusSink.write(c, batch.rows());
        }

        @Override
        public void clear() {
            batch.clear();
        }
    }
}
