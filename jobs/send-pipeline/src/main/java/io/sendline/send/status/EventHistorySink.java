package io.sendline.send.status;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.Json;
import io.sendline.send.events.JobEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Appends each event to PostgreSQL {@code email_event}, the history the edge shows at {@code GET
 * /v1/emails/{id}}. Event ids are deterministic ({@code jobId/attempt/TYPE}), so the insert is
 * idempotent ({@code ON CONFLICT (event_id) DO NOTHING}) and at-least-once delivery is enough. The
 * row's {@code data} is the event's JSON (it carries the recipient's domain, never the address).
 *
 * <p>Batched ({@link BatchingJdbcSink}): everything buffered since the last flush is written with
 * one statement ({@link #INSERT}: {@code INSERT ... SELECT FROM unnest(...)}).
 */
public final class EventHistorySink {

    /** The idempotent insert of a batch. Times travel as ISO-8601 text. */
    public static final String INSERT =
            "INSERT INTO email_event (event_id, job_id, type, provider, provider_message_id,"
                    + " reason, occurred_at, data)"
                    + " SELECT e, j, ty, p, pm, r, o::timestamptz, d::jsonb"
                    + " FROM unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[],"
                    + " ?::text[], ?::text[], ?::text[]) AS t(e, j, ty, p, pm, r, o, d)"
                    + " ON CONFLICT (event_id) DO NOTHING";

    private EventHistorySink() {}

    /**
     * Batched at-least-once inserts, flushed at {@code batchSize} events, {@code batchInterval},
     * checkpoints.
     */
    public static BatchingJdbcSink<JobEvent> create(
            String url, String user, String password, int batchSize, Duration batchInterval) {
        return new BatchingJdbcSink<>(
                url,
                user,
                password,
                batchSize,
                batchInterval,
                JobStatusSink.MAX_RETRIES,
                "email_event history",
                Buffer::new);
    }

    /** Writes events with one statement. */
    public static void write(Connection c, List<EmailEvent> events) throws SQLException {
        int n = events.size();
        if (n == 0) {
            return;
        }
        String[] ids = new String[n];
        String[] jobIds = new String[n];
        String[] types = new String[n];
        String[] providers = new String[n];
        String[] messageIds = new String[n];
        String[] reasons = new String[n];
        String[] times = new String[n];
        String[] data = new String[n];
        for (int i = 0; i < n; i++) {
            EmailEvent e = events.get(i);
            ids[i] = e.eventId();
            jobIds[i] = e.jobId();
            types[i] = e.type().name();
            providers[i] = e.provider();
            messageIds[i] = e.providerMessageId();
            reasons[i] = StatusRow.truncate(e.reason());
            times[i] = e.occurredAt().toString();
            data[i] = Json.toString(e);
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("text", ids));
            ps.setArray(2, c.createArrayOf("text", jobIds));
            ps.setArray(3, c.createArrayOf("text", types));
            ps.setArray(4, c.createArrayOf("text", providers));
            ps.setArray(5, c.createArrayOf("text", messageIds));
            ps.setArray(6, c.createArrayOf("text", reasons));
            ps.setArray(7, c.createArrayOf("text", times));
            ps.setArray(8, c.createArrayOf("text", data));
            ps.executeUpdate();
        }
    }

    /** A writer's buffer: events by id (a duplicate within a batch is written once). */
    /** A writer's buffer, as the sink uses it (benchmarks drive it outside Flink). */
    public static BatchingJdbcSink.Buffer<JobEvent> buffer() {
        return new Buffer();
    }

    static final class Buffer implements BatchingJdbcSink.Buffer<JobEvent> {
        private final Map<String, EmailEvent> events = new LinkedHashMap<>();
        private int added;

        @Override
        public void add(JobEvent e) {
            events.putIfAbsent(e.event().eventId(), e.event());
            added++;
        }

        @Override
        public int added() {
            return added;
        }

        @Override
        public int rows() {
            return events.size();
        }

        @Override
        public void write(Connection c) throws SQLException {
            List<EmailEvent> sorted = new ArrayList<>(events.values());
            // A fixed order of the unique-index insertions, so that two writers cannot deadlock.
            sorted.sort(Comparator.comparing(EmailEvent::eventId));
            EventHistorySink.write(c, sorted);
        }

        @Override
        public void clear() {
            events.clear();
            added = 0;
        }
    }
}
