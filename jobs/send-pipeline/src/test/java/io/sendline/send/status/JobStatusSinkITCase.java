package io.sendline.send.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.db.Migrations;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The status upsert and the event history on a real PostgreSQL with the project's migrations. */
class JobStatusSinkITCase {

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgres.start();
        Migrations.apply(pg.jdbcUrl(), pg.user(), pg.password());
    }

    @AfterAll
    static void stop() {
        pg.close();
    }

    /** Writes the events as one batch of each sink, as a flush would. */
    private static void write(JobEvent... events) throws Exception {
        BatchingJdbcSink<JobEvent>.Writer status = statusSink(pg.jdbcUrl(), 5).writer();
        BatchingJdbcSink<JobEvent>.Writer history = historySink(pg.jdbcUrl(), 5).writer();
        for (JobEvent e : events) {
            status.add(e);
            history.add(e);
        }
        status.flush(false);
        history.flush(false);
        status.close();
        history.close();
    }

    private static BatchingJdbcSink<JobEvent> statusSink(String url, int retries) {
        return new BatchingJdbcSink<>(
                url,
                pg.user(),
                pg.password(),
                10_000,
                Duration.ZERO,
                retries,
                "email_job status",
                JobStatusSink.Buffer::new);
    }

    private static BatchingJdbcSink<JobEvent> historySink(String url, int retries) {
        return new BatchingJdbcSink<>(
                url,
                pg.user(),
                pg.password(),
                10_000,
                Duration.ZERO,
                retries,
                "email_event history",
                EventHistorySink.Buffer::new);
    }

    /** Row versions of the job's row (xmin changes whenever the row is rewritten or locked). */
    private static String version(String jobId) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT xmin::text || '/' || xmax::text FROM email_job"
                                        + " WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    /** Ends the server sessions of a sink (its connection breaks under it). */
    private static void killSessions(String applicationName) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                        + " WHERE application_name = ?")) {
            ps.setString(1, applicationName);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("sessions of " + applicationName).isPositive();
            }
        }
    }

    private static String row(String jobId) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT status, provider_message_id, attempt, to_address,"
                                        + " sent_at IS NOT NULL FROM email_job WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("row of " + jobId).isTrue();
                return rs.getString(1)
                        + " "
                        + rs.getString(2)
                        + " "
                        + rs.getInt(3)
                        + " "
                        + rs.getString(4)
                        + " "
                        + rs.getBoolean(5);
            }
        }
    }

    private static int historyRows(String jobId) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT count(*) FROM email_event WHERE job_id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    @Test
    void statusOnlyMovesForwardWhateverTheOrderOfArrival() throws Exception {
        EmailJob job = TestJobs.job("fwd").build();
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        JobEvent queued = Events.of(job, EmailEventType.QUEUED, null, t);
        JobEvent sent =
                Events.of(job, EmailEventType.SENT, "sandbox", "pmid-1", null, t.plusSeconds(1));
        write(queued, sent);
        assertThat(row("fwd")).isEqualTo("SENT pmid-1 0 ada@example.com true");

        // A replay after a restore, and a late QUEUED, change nothing.
        write(queued, sent, queued);
        assertThat(row("fwd")).isEqualTo("SENT pmid-1 0 ada@example.com true");
        assertThat(historyRows("fwd")).isEqualTo(2);
    }

    @Test
    void eventThatOvertookTheJobsRowInsertsIt() throws Exception {
        EmailJob job = TestJobs.job("late-row").marketing().build();
        write(Events.of(job, EmailEventType.SUPPRESSED, "suppressed: COMPLAINT", Instant.now()));
        assertThat(row("late-row")).isEqualTo("SUPPRESSED null 0 ada@example.com false");
    }

    @Test
    void laterDeferralOfTheSameStatusRecordsItsAttempt() throws Exception {
        EmailJob first = TestJobs.job("deferred").build();
        EmailJob second = first.nextAttempt(Instant.now());
        write(
                Events.of(first, EmailEventType.DEFERRED, "sandbox", null, "451", Instant.now()),
                Events.of(second, EmailEventType.DEFERRED, "sandbox", null, "451", Instant.now()));
        assertThat(row("deferred")).startsWith("DEFERRED null 1");
        write(Events.of(second, EmailEventType.SENT, "sandbox", "pmid-2", null, Instant.now()));
        assertThat(row("deferred")).startsWith("SENT pmid-2 1");
        assertThat(historyRows("deferred")).isEqualTo(3);
    }

    @Test
    void outOfOrderAndDuplicatedEventsInOneBatchEndAtTheFurthestStatus() throws Exception {
        EmailJob job = TestJobs.job("one-batch").build();
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        JobEvent queued = Events.of(job, EmailEventType.QUEUED, null, t);
        JobEvent deferred =
                Events.of(job, EmailEventType.DEFERRED, "sandbox", null, "451 later", t);
        JobEvent sent =
                Events.of(
                        job.nextAttempt(null),
                        EmailEventType.SENT,
                        "sandbox",
                        "pmid-9",
                        null,
                        t.plusSeconds(2));
        write(sent, queued, sent, deferred, queued);
        assertThat(row("one-batch")).isEqualTo("SENT pmid-9 1 ada@example.com true");
        assertThat(historyRows("one-batch")).isEqualTo(3);
    }

    @Test
    void anyArrivalOrderOverAnyBatchesEndsLikeTheEventsWrittenOneByOne() throws Exception {
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        Random random = new Random(42);
        for (int run = 0; run < 20; run++) {
            String id = "shuffled-" + run;
            EmailJob first = TestJobs.job(id).build();
            EmailJob second = first.nextAttempt(null);
            List<JobEvent> events =
                    new ArrayList<>(
                            List.of(
                                    Events.of(first, EmailEventType.QUEUED, null, t),
                                    Events.of(
                                            first,
                                            EmailEventType.DEFERRED,
                                            "sandbox",
                                            null,
                                            "451 try later",
                                            t.plusSeconds(1)),
                                    Events.of(
                                            second,
                                            EmailEventType.DEFERRED,
                                            "sandbox",
                                            null,
                                            "451 again",
                                            t.plusSeconds(2)),
                                    Events.of(
                                            second,
                                            EmailEventType.SENT,
                                            "sandbox",
                                            "pmid-" + run,
                                            null,
                                            t.plusSeconds(3))));
            events.add(events.get(random.nextInt(events.size()))); // a duplicate
            Collections.shuffle(events, random);
            // Cut the stream into batches of random sizes, as flushes would.
            int from = 0;
            while (from < events.size()) {
                int to = Math.min(events.size(), from + 1 + random.nextInt(3));
                write(events.subList(from, to).toArray(JobEvent[]::new));
                from = to;
            }
            assertThat(row(id))
                    .as(events.toString())
                    .isEqualTo("SENT pmid-" + run + " 1 ada@example.com true");
            assertThat(historyRows(id)).isEqualTo(4);
        }
    }

    @Test
    void aBrokenConnectionIsReopenedAndTheBatchWrittenOnce() throws Exception {
        String app = "status-retry";
        String url = pg.jdbcUrl() + "?ApplicationName=" + app;
        BatchingJdbcSink<JobEvent>.Writer status = statusSink(url, 3).writer();
        BatchingJdbcSink<JobEvent>.Writer history = historySink(url, 3).writer();
        EmailJob job = TestJobs.job("retried").build();
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        JobEvent queued = Events.of(job, EmailEventType.QUEUED, null, t);
        status.add(queued);
        history.add(queued);
        status.flush(false);
        history.flush(false);

        killSessions(app);
        JobEvent sent = Events.of(job, EmailEventType.SENT, "sandbox", "pmid-r", null, t);
        status.add(sent);
        history.add(sent);
        status.flush(false); // the first try fails on the dead connection, the second writes
        history.flush(false);
        status.close();
        history.close();
        assertThat(row("retried")).isEqualTo("SENT pmid-r 0 ada@example.com true");
        assertThat(historyRows("retried")).isEqualTo(2);
    }

    @Test
    void replayAfterAFailedFlushWritesNothingTwice() throws Exception {
        String app = "status-replay";
        String url = pg.jdbcUrl() + "?ApplicationName=" + app;
        Instant t = Instant.parse("2026-06-01T10:00:00Z");
        List<JobEvent> sinceCheckpoint = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmailJob job = TestJobs.job("replayed-" + i).build();
            sinceCheckpoint.add(Events.of(job, EmailEventType.QUEUED, null, t));
            sinceCheckpoint.add(
                    Events.of(job, EmailEventType.SENT, "sandbox", "pmid-" + i, null, t));
        }
        // A task writes the first half (an interval flush), then its next flush fails for good.
        BatchingJdbcSink<JobEvent>.Writer status = statusSink(url, 0).writer();
        BatchingJdbcSink<JobEvent>.Writer history = historySink(url, 0).writer();
        for (JobEvent e : sinceCheckpoint.subList(0, 3)) {
            status.add(e);
            history.add(e);
        }
        status.flush(false);
        history.flush(false);
        String before = version("replayed-0");
        for (JobEvent e : sinceCheckpoint.subList(3, 6)) {
            status.add(e);
            history.add(e);
        }
        killSessions(app);
        assertThatThrownBy(() -> status.flush(false)).isInstanceOf(IOException.class);
        status.close();
        history.close();
        // replayed-0 is complete (both events were in the first flush): nothing to do for it.
        assertThat(row("replayed-0")).isEqualTo("SENT pmid-0 0 ada@example.com true");

        // The restored task replays everything since the checkpoint, in one batch or several.
        write(sinceCheckpoint.subList(0, 4).toArray(JobEvent[]::new));
        write(sinceCheckpoint.subList(4, 6).toArray(JobEvent[]::new));
        for (int i = 0; i < 3; i++) {
            assertThat(row("replayed-" + i))
                    .isEqualTo("SENT pmid-" + i + " 0 ada@example.com true");
            assertThat(historyRows("replayed-" + i)).isEqualTo(2);
        }
        // The replayed events of a row already at SENT neither rewrote nor locked it.
        assertThat(version("replayed-0")).isEqualTo(before);
    }
}
