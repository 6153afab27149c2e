package io.sendline.schemas.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.EmailEventType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The migrations build the whole schema on a real, empty PostgreSQL, and its rules hold. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationsITCase {

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void start() {
        pg = EmbeddedPostgres.start();
        assertThat(Migrations.apply(pg.jdbcUrl(), pg.user(), pg.password())).isPositive();
    }

    @AfterAll
    static void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    @Order(1)
    void applyingAgainIsANoOp() throws Exception {
        assertThat(Migrations.apply(pg.dataSource())).isZero();
        assertThat(Migrations.apply(pg.dataSource())).isZero();
        try (Connection c = pg.connect();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(migrationCount());
        }
    }

    @Test
    void everyTableExists() throws Exception {
        List<String> tables = new ArrayList<>();
        try (Connection c = pg.connect();
                ResultSet rs =
                        c.createStatement()
                                .executeQuery(
                                        "SELECT table_name FROM information_schema.tables"
                                                + " WHERE table_schema = 'public'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        assertThat(tables)
                .contains(
                        "email_job",
                        "email_template",
                        "email_suppression",
                        "email_event",
                        "campaign",
                        "campaign_recipient",
                        "send_ledger",
                        "api_idempotency",
                        "email_attachment");
    }

    @Test
    void statusRanksInTheDatabaseAreThoseOfEmailEventType() throws Exception {
        try (Connection c = pg.connect()) {
            for (EmailEventType t : EmailEventType.values()) {
                if (t.isStatus()) {
                    insertJob(c, "rank-" + t, t.name(), t.rank());
                    assertThatThrownBy(() -> insertJob(c, "wrong-" + t, t.name(), t.rank() + 10))
                            .isInstanceOf(SQLException.class)
                            .hasMessageContaining("email_job_status_rank_check");
                } else {
                    assertThatThrownBy(() -> insertJob(c, "engagement-" + t, t.name(), 0))
                            .isInstanceOf(SQLException.class);
                }
            }
        }
    }

    @Test
    void jobStatusOnlyMovesForward() throws Exception {
        String upsert =
                "INSERT INTO email_job AS j (job_id, type, pool, to_address, from_address,"
                        + " status, status_rank) VALUES (?, 'TRANSACTIONAL', 'transactional',"
                        + " 'a@example.com', 'b@example.com', ?, ?)"
                        + " ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status,"
                        + " status_rank = EXCLUDED.status_rank, updated_at = now()"
                        + " WHERE j.status_rank < EXCLUDED.status_rank";
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(upsert)) {
            for (EmailEventType t :
                    List.of(EmailEventType.QUEUED, EmailEventType.DELIVERED, EmailEventType.SENT)) {
                ps.setString(1, "forward-1");
                ps.setString(2, t.name());
                ps.setInt(3, t.rank());
                ps.executeUpdate();
            }
            assertThat(queryString(c, "SELECT status FROM email_job WHERE job_id = 'forward-1'"))
                    .isEqualTo("DELIVERED");
        }
    }

    @Test
    void eventsAreInsertedOnce() throws Exception {
        String insert =
                "INSERT INTO email_event (event_id, job_id, type, occurred_at, data)"
                        + " VALUES ('ev-1', 'job-1', 'BOUNCED', now(), '{\"bounceType\":\"PERMANENT\"}')"
                        + " ON CONFLICT (event_id) DO NOTHING";
        try (Connection c = pg.connect();
                Statement st = c.createStatement()) {
            assertThat(st.executeUpdate(insert)).isEqualTo(1);
            assertThat(st.executeUpdate(insert)).isZero();
        }
    }

    @Test
    void hardBouncesAndComplaintsAreNeverRemovedNorWeakened() throws Exception {
        try (Connection c = pg.connect();
                Statement st = c.createStatement()) {
            st.executeUpdate(
                    "INSERT INTO email_suppression (address, reason, source) VALUES"
                            + " ('hard@example.com', 'HARD_BOUNCE', 'test'),"
                            + " ('unsub@example.com', 'UNSUBSCRIBE', 'test')");
            st.executeUpdate("DELETE FROM email_suppression WHERE address = 'hard@example.com'");
            st.executeUpdate(
                    "INSERT INTO email_suppression (address, reason, scope) VALUES"
                            + " ('hard@example.com', 'UNSUBSCRIBE', 'MARKETING')"
                            + " ON CONFLICT (address) DO UPDATE SET reason = EXCLUDED.reason,"
                            + " scope = EXCLUDED.scope");
            assertThat(
                            queryString(
                                    c,
                                    "SELECT reason || '/' || scope FROM email_suppression"
                                            + " WHERE address = 'hard@example.com'"))
                    .isEqualTo("HARD_BOUNCE/ALL");

            // A bounce may still harden an unsubscribe, and an unsubscribe may be removed.
            st.executeUpdate(
                    "UPDATE email_suppression SET reason = 'COMPLAINT', scope = 'ALL'"
                            + " WHERE address = 'unsub@example.com'");
            assertThat(
                            queryString(
                                    c,
                                    "SELECT reason FROM email_suppression"
                                            + " WHERE address = 'unsub@example.com'"))
                    .isEqualTo("COMPLAINT");
            st.executeUpdate(
                    "INSERT INTO email_suppression (address, reason, scope) VALUES"
                            + " ('gone@example.com', 'UNSUBSCRIBE', 'MARKETING')");
            assertThat(
                            st.executeUpdate(
                                    "DELETE FROM email_suppression"
                                            + " WHERE address = 'gone@example.com'"))
                    .isEqualTo(1);

            assertThatThrownBy(
                            () ->
                                    st.executeUpdate(
                                            "INSERT INTO email_suppression (address, reason)"
                                                    + " VALUES ('x@example.com', 'BORED')"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void sendLedgerLetsOnlyOneAttemptClaimAJob() throws Exception {
        // The claim of JdbcSendLedger (jobs/common): a replayed claim after a Flink restore
        // finds the row and takes nothing; only a retryable failure may be claimed again, and
        // only by a later attempt.
        String claim =
                "INSERT INTO send_ledger AS l (job_id, attempt, state, claimed_by)"
                        + " VALUES (?, ?, 'CLAIMED', ?)"
                        + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                        + " state = 'CLAIMED', claimed_by = EXCLUDED.claimed_by,"
                        + " claimed_at = now(), failure_reason = NULL, retryable = false"
                        + " WHERE l.state = 'FAILED' AND l.retryable"
                        + " AND l.attempt < EXCLUDED.attempt";
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(claim);
                Statement st = c.createStatement()) {
            assertThat(claim(ps, "ledger-1", 0, "task-a")).isEqualTo(1);
            assertThat(claim(ps, "ledger-1", 0, "task-b")).isZero();
            assertThat(claim(ps, "ledger-1", 1, "task-b")).isZero();
            assertThat(
                            queryString(
                                    c,
                                    "SELECT string_agg(job_id, ',') FROM send_ledger"
                                            + " WHERE state = 'CLAIMED'"))
                    .as("claimed without an outcome: in doubt, never sent blindly again")
                    .isEqualTo("ledger-1");

            st.executeUpdate(
                    "INSERT INTO send_ledger (job_id, attempt, state, failure_reason, retryable)"
                            + " VALUES ('ledger-2', 0, 'FAILED', '421 try later', true),"
                            + " ('ledger-3', 0, 'FAILED', '550 no such user', false)");
            assertThat(claim(ps, "ledger-2", 0, "task-a")).isZero();
            assertThat(claim(ps, "ledger-2", 1, "task-a")).isEqualTo(1);
            assertThat(claim(ps, "ledger-3", 1, "task-a")).isZero();

            assertThat(
                            st.executeUpdate(
                                    "UPDATE send_ledger SET state = 'ACCEPTED', relay = 'ses',"
                                            + " provider_message_id = 'pm-1', completed_at = now()"
                                            + " WHERE job_id = 'ledger-1'"))
                    .isEqualTo(1);
            assertThatThrownBy(
                            () ->
                                    st.executeUpdate(
                                            "INSERT INTO send_ledger (job_id, state)"
                                                    + " VALUES ('ledger-4', 'SENT')"))
                    .isInstanceOf(SQLException.class);
            assertThat(
                            queryString(
                                    c,
                                    "SELECT indexdef FROM pg_indexes"
                                            + " WHERE indexname = 'send_ledger_in_doubt_idx'"))
                    .contains("WHERE (state = 'CLAIMED'");
        }
    }

    private static int claim(PreparedStatement ps, String jobId, int attempt, String by)
            throws SQLException {
        ps.setString(1, jobId);
        ps.setInt(2, attempt);
        ps.setString(3, by);
        return ps.executeUpdate();
    }

    @Test
    void attachmentSizeMustMatchItsContent() throws Exception {
        String sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "INSERT INTO email_attachment (sha256, filename, content_type,"
                                        + " size, content) VALUES (?, 'a.txt', 'text/plain', ?, ?)")) {
            ps.setString(1, sha);
            ps.setLong(2, 5);
            ps.setBytes(3, "hello".getBytes());
            assertThat(ps.executeUpdate()).isEqualTo(1);
            ps.setString(1, sha.replace('9', '8'));
            ps.setLong(2, 6);
            assertThatThrownBy(ps::executeUpdate).isInstanceOf(SQLException.class);
        }
    }

    private static void insertJob(Connection c, String id, String status, int rank)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO email_job (job_id, type, pool, to_address, from_address,"
                                + " status, status_rank) VALUES (?, 'MARKETING', 'marketing',"
                                + " 'a@example.com', 'b@example.com', ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, status);
            ps.setInt(3, rank);
            ps.executeUpdate();
        }
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getString(1);
        }
    }

    /** How many migrations Flyway resolves on the classpath (works from a jar as well). */
    private static int migrationCount() {
        org.flywaydb.core.api.MigrationInfoService info =
                org.flywaydb.core.Flyway.configure(Migrations.class.getClassLoader())
                        .locations(Migrations.LOCATION)
                        .dataSource(pg.dataSource())
                        .load()
                        .info();
        assertThat(info.pending()).as("pending migrations").isEmpty();
        return info.all().length;
    }
}
