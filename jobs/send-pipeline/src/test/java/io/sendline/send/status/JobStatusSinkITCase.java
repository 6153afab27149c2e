package io.sendline.send.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.db.Migrations;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
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

    private static void write(JobEvent... events) throws Exception {
        try (Connection c = pg.connect();
                PreparedStatement status = c.prepareStatement(JobStatusSink.UPSERT);
                PreparedStatement history = c.prepareStatement(EventHistorySink.INSERT)) {
            for (JobEvent e : events) {
                JobStatusSink.bind(status, e);
                status.addBatch();
                EventHistorySink.bind(history, e);
                history.addBatch();
            }
            status.executeBatch();
            history.executeBatch();
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
}
