package io.sendline.common.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.db.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The send ledger's rules on a real PostgreSQL with the real migrations. */
class JdbcSendLedgerITCase {

    private static EmbeddedPostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = EmbeddedPostgres.start();
        Migrations.apply(pg.dataSource());
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @BeforeEach
    void emptyLedger() throws SQLException {
        try (Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("TRUNCATE send_ledger");
        }
    }

    private static JdbcSendLedger ledger() {
        return new JdbcSendLedger(pg.dataSource());
    }

    private static Claim claim(SendLedger l, String job, int attempt, String who) {
        return l.claim(job, attempt, who).orTimeout(30, TimeUnit.SECONDS).join();
    }

    private static Map<String, Object> row(String job) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT attempt, state, relay, provider_message_id, claimed_by,"
                                        + " failure_reason, retryable, completed_at IS NOT NULL"
                                        + " FROM send_ledger WHERE job_id = ?")) {
            ps.setString(1, job);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> m = new java.util.HashMap<>();
                m.put("attempt", rs.getInt(1));
                m.put("state", rs.getString(2));
                m.put("relay", rs.getString(3));
                m.put("pmid", rs.getString(4));
                m.put("claimedBy", rs.getString(5));
                m.put("reason", rs.getString(6));
                m.put("retryable", rs.getBoolean(7));
                m.put("completed", rs.getBoolean(8));
                return m;
            }
        }
    }

    @Test
    void claimAcceptAndReplayReportsTheStoredAcceptanceInsteadOfSendingAgain() throws Exception {
        try (JdbcSendLedger l = ledger()) {
            assertThat(claim(l, "job-1", 0, "run1/0").kind()).isEqualTo(Claim.Kind.FRESH);
            assertThat(row("job-1")).containsEntry("state", "CLAIMED");
            l.accepted("job-1", 0, "ses", "pm-1").join();
            assertThat(row("job-1"))
                    .containsEntry("state", "ACCEPTED")
                    .containsEntry("pmid", "pm-1")
                    .containsEntry("completed", true);
        }
        // a restored job (new process, new ledger) replays the record
        try (JdbcSendLedger l = ledger()) {
            Claim replay = claim(l, "job-1", 0, "run2/0");
            assertThat(replay.kind()).isEqualTo(Claim.Kind.ALREADY_ACCEPTED);
            assertThat(replay.maySend()).isFalse();
            assertThat(replay.relay()).isEqualTo("ses");
            assertThat(replay.providerMessageId()).isEqualTo("pm-1");
            // a later attempt of an accepted job is refused too
            assertThat(claim(l, "job-1", 3, "run2/0").kind())
                    .isEqualTo(Claim.Kind.ALREADY_ACCEPTED);
        }
    }

    @Test
    void writesAreIdempotent() throws Exception {
        try (JdbcSendLedger l = ledger()) {
            claim(l, "job-1", 0, "a");
            l.accepted("job-1", 0, "ses", "pm-1").join();
            l.accepted("job-1", 0, "ses", "pm-other").join(); // a duplicate callback
            assertThat(row("job-1")).containsEntry("pmid", "pm-1");

            claim(l, "job-2", 0, "a");
            l.failed("job-2", 0, "550 unknown user", false).join();
            l.failed("job-2", 0, "550 unknown user", false).join();
            assertThat(row("job-2"))
                    .containsEntry("state", "FAILED")
                    .containsEntry("reason", "550 unknown user");

            Claim again = claim(l, "job-3", 0, "a");
            Claim twice = claim(l, "job-3", 0, "a");
            assertThat(again.kind()).isEqualTo(Claim.Kind.FRESH);
            assertThat(twice.kind()).isEqualTo(Claim.Kind.IN_DOUBT);
            assertThat(twice.detail()).isEqualTo("a");
        }
    }

    @Test
    void outcomesNeverMoveBackwards() throws Exception {
        try (JdbcSendLedger l = ledger()) {
            claim(l, "job-1", 0, "a");
            l.accepted("job-1", 0, "smtp", "pm").join();
            l.failed("job-1", 0, "late timeout", true).join();
            assertThat(row("job-1")).containsEntry("state", "ACCEPTED");

            claim(l, "job-2", 0, "a");
            l.failed("job-2", 0, "421", true).join();
            claim(l, "job-2", 1, "a");
            l.failed("job-2", 0, "stale failure of attempt 0", false).join();
            assertThat(row("job-2")).containsEntry("attempt", 1).containsEntry("state", "CLAIMED");
        }
    }

    @Test
    void retryableFailureIsSupersededByALaterAttemptAndAReplayMayRetry() throws Exception {
        try (JdbcSendLedger l = ledger()) {
            claim(l, "job-1", 0, "a");
            l.failed("job-1", 0, "421 try later", true).join();
            Claim replay = claim(l, "job-1", 0, "a");
            assertThat(replay.kind()).isEqualTo(Claim.Kind.ALREADY_FAILED);
            assertThat(replay.mayRetry()).isTrue();
            assertThat(replay.detail()).isEqualTo("421 try later");

            Claim next = claim(l, "job-1", 1, "a");
            assertThat(next.kind()).isEqualTo(Claim.Kind.FRESH);
            assertThat(next.attempt()).isEqualTo(1);
            assertThat(row("job-1"))
                    .containsEntry("state", "CLAIMED")
                    .containsEntry("attempt", 1)
                    .containsEntry("reason", null);

            claim(l, "job-2", 0, "a");
            l.failed("job-2", 0, "550 no such user", false).join();
            Claim permanent = claim(l, "job-2", 1, "a");
            assertThat(permanent.kind()).isEqualTo(Claim.Kind.ALREADY_FAILED);
            assertThat(permanent.mayRetry()).isFalse();
        }
    }

    @Test
    void ofConcurrentClaimsFromTwoThreadsOnlyOneWins() throws Exception {
        int jobs = 3000;
        // Two ledgers, as two subtasks (or an old and a new attempt) would have: separate
        // connections, separate batches. Small batches make the statements interleave.
        try (JdbcSendLedger a = new JdbcSendLedger(pg.dataSource(), 50, Duration.ZERO, 2);
                JdbcSendLedger b = new JdbcSendLedger(pg.dataSource(), 50, Duration.ZERO, 2)) {
            Map<String, List<Claim>> results = new ConcurrentHashMap<>();
            CountDownLatch start = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (JdbcSendLedger l : List.of(a, b)) {
                String who = l == a ? "A" : "B";
                Thread t =
                        new Thread(
                                () -> {
                                    List<CompletableFuture<Claim>> fs = new ArrayList<>();
                                    try {
                                        start.await();
                                    } catch (InterruptedException e) {
                                        return;
                                    }
                                    for (int i = 0; i < jobs; i++) {
                                        fs.add(l.claim("job-" + i, 0, who));
                                    }
                                    for (CompletableFuture<Claim> f : fs) {
                                        Claim c = f.orTimeout(60, TimeUnit.SECONDS).join();
                                        results.computeIfAbsent(
                                                        c.jobId(),
                                                        k ->
                                                                java.util.Collections
                                                                        .synchronizedList(
                                                                                new ArrayList<>()))
                                                .add(c);
                                    }
                                });
                threads.add(t);
                t.start();
            }
            start.countDown();
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(90));
            }
            assertThat(results).hasSize(jobs);
            results.forEach(
                    (job, claims) -> {
                        assertThat(claims).as(job).hasSize(2);
                        assertThat(claims.stream().filter(Claim::maySend).count())
                                .as("winners of %s", job)
                                .isEqualTo(1);
                        assertThat(claims.stream().filter(c -> !c.maySend()))
                                .allSatisfy(
                                        c -> {
                                            assertThat(c.kind()).isEqualTo(Claim.Kind.IN_DOUBT);
                                            assertThat(c.attempt()).isZero();
                                            assertThat(c.detail()).isNotNull();
                                        });
                    });
            assertThat(a.statementsExecuted()).isLessThan(a.operationsCompleted());
        }
    }

    @Test
    void inDoubtListsClaimsThatNeverGotAnOutcome() throws Exception {
        try (JdbcSendLedger l = ledger()) {
            claim(l, "sent", 0, "run1/0");
            l.accepted("sent", 0, "ses", "pm").join();
            claim(l, "failed", 0, "run1/0");
            l.failed("failed", 0, "550", false).join();
            claim(l, "crashed-1", 0, "run1/0");
            claim(l, "crashed-2", 2, "run1/1");

            List<InDoubtClaim> inDoubt = l.inDoubt(Instant.now().plusSeconds(5), 100);
            assertThat(inDoubt)
                    .extracting(InDoubtClaim::jobId)
                    .containsExactlyInAnyOrder("crashed-1", "crashed-2");
            InDoubtClaim two =
                    inDoubt.stream().filter(c -> c.jobId().equals("crashed-2")).findFirst().get();
            assertThat(two.attempt()).isEqualTo(2);
            assertThat(two.claimedBy()).isEqualTo("run1/1");
            assertThat(two.claimedAt()).isBefore(Instant.now().plusSeconds(1));
            assertThat(l.inDoubt(Instant.now().minusSeconds(3600), 100)).isEmpty();
            assertThat(l.inDoubt(Instant.now().plusSeconds(5), 1)).hasSize(1);

            // a relay event resolves it later: the acceptance is recorded, no longer in doubt
            l.accepted("crashed-1", 0, "ses", "pm-from-webhook").join();
            assertThat(l.inDoubt(Instant.now().plusSeconds(5), 100))
                    .extracting(InDoubtClaim::jobId)
                    .containsExactly("crashed-2");
        }
    }

    @Test
    void takeOverOfAnInDoubtClaimWinsForExactlyOneOfTwoRacers() throws Exception {
        try (JdbcSendLedger l = ledger();
                JdbcSendLedger other = ledger()) {
            for (int i = 0; i < 200; i++) {
                claim(l, "job-" + i, 0, "dead-run");
            }
            Function<JdbcSendLedger, List<CompletableFuture<Claim>>> race =
                    x -> {
                        List<CompletableFuture<Claim>> fs = new ArrayList<>();
                        for (int i = 0; i < 200; i++) {
                            fs.add(x.takeOver("job-" + i, 0, "dead-run", "run2/" + x.hashCode()));
                        }
                        return fs;
                    };
            List<CompletableFuture<Claim>> mine = race.apply(l);
            List<CompletableFuture<Claim>> theirs = race.apply(other);
            for (int i = 0; i < 200; i++) {
                Claim x = mine.get(i).orTimeout(30, TimeUnit.SECONDS).join();
                Claim y = theirs.get(i).orTimeout(30, TimeUnit.SECONDS).join();
                assertThat((x.maySend() ? 1 : 0) + (y.maySend() ? 1 : 0)).isEqualTo(1);
                assertThat(x.maySend() ? y.kind() : x.kind()).isEqualTo(Claim.Kind.IN_DOUBT);
            }
            // once accepted, a take-over reports the acceptance
            l.accepted("job-0", 0, "ses", "pm").join();
            assertThat(l.takeOver("job-0", 0, "dead-run", "z").join().kind())
                    .isEqualTo(Claim.Kind.ALREADY_ACCEPTED);
            // no row at all: taking over is a plain claim
            assertThat(l.takeOver("never-claimed", 0, null, "z").join().kind())
                    .isEqualTo(Claim.Kind.FRESH);
            assertThat(row("never-claimed")).containsEntry("claimedBy", "z");
        }
    }

    @Test
    void callsForOneJobTakeEffectInTheOrderTheyWereMade() throws Exception {
        // Many writers: a failure and the next attempt's claim, made without waiting in between,
        // must still be written in that order, or the claim would find the old claim open.
        try (JdbcSendLedger l = new JdbcSendLedger(pg.dataSource(), 20, Duration.ZERO, 4)) {
            for (int i = 0; i < 500; i++) {
                claim(l, "job-" + i, 0, "a");
            }
            List<CompletableFuture<Claim>> next = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                l.failed("job-" + i, 0, "421", true);
                next.add(l.claim("job-" + i, 1, "a"));
            }
            for (CompletableFuture<Claim> f : next) {
                assertThat(f.orTimeout(30, TimeUnit.SECONDS).join().kind())
                        .isEqualTo(Claim.Kind.FRESH);
            }
        }
    }

    @Test
    void manyCallsAreBatchedIntoFewStatements() throws Exception {
        try (JdbcSendLedger l = new JdbcSendLedger(pg.dataSource(), 500, Duration.ofMillis(5), 1)) {
            List<CompletableFuture<Claim>> fs = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                fs.add(l.claim("job-" + i, 0, "a"));
            }
            for (CompletableFuture<Claim> f : fs) {
                assertThat(f.join().kind()).isEqualTo(Claim.Kind.FRESH);
            }
            // The writer counts operations after it has completed their futures.
            awaitCount(l::operationsCompleted, 2000);
            assertThat(l.operationsCompleted()).isEqualTo(2000);
            assertThat(l.statementsExecuted()).isLessThanOrEqualTo(100);
        }
    }

    @Test
    void smallBatchesOfScalarStatementsAndLargeUnnestBatchesGiveTheSameVerdicts() throws Exception {
        // Up to PIPELINE_MAX operations go as scalar statements in one JDBC batch, more as one
        // unnest statement: both must read the same rows the same way.
        Map<Integer, List<String>> verdicts = new java.util.TreeMap<>();
        for (int maxBatch : new int[] {4, 500}) {
            String p = "b" + maxBatch + "-";
            try (JdbcSendLedger l = ledger()) {
                claim(l, p + "accepted", 0, "run1");
                l.accepted(p + "accepted", 0, "ses", "pm-1").join();
                claim(l, p + "failed", 0, "run1");
                l.failed(p + "failed", 0, "550", false).join();
                claim(l, p + "retryable", 0, "run1");
                l.failed(p + "retryable", 0, "421", true).join();
                claim(l, p + "open", 0, "run1");
            }
            try (JdbcSendLedger l =
                    new JdbcSendLedger(pg.dataSource(), maxBatch, Duration.ofMillis(200), 1)) {
                List<CompletableFuture<Claim>> fs = new ArrayList<>();
                for (String job : List.of("accepted", "failed", "retryable", "open")) {
                    fs.add(l.claim(p + job, 0, "run2"));
                }
                fs.add(l.claim(p + "never-claimed", 0, "run2"));
                for (int i = 0; i < JdbcSendLedger.PIPELINE_MAX + 8; i++) {
                    fs.add(l.claim(p + "new-" + i, 0, "run2"));
                }
                List<String> kinds = new ArrayList<>();
                for (CompletableFuture<Claim> f : fs) {
                    Claim c = f.orTimeout(30, TimeUnit.SECONDS).join();
                    kinds.add(c.kind() + "/" + c.attempt() + "/" + c.mayRetry());
                }
                if (maxBatch > JdbcSendLedger.PIPELINE_MAX) {
                    // The writer counts a statement after it has completed the statement's calls.
                    awaitCount(l::statementsExecuted, 1);
                    assertThat(l.statementsExecuted()).as("one unnest statement").isEqualTo(1);
                }
                verdicts.put(maxBatch, kinds);
            }
        }
        assertThat(verdicts.get(4)).isEqualTo(verdicts.get(500));
        assertThat(verdicts.get(4).subList(0, 5))
                .containsExactly(
                        "ALREADY_ACCEPTED/0/false",
                        "ALREADY_FAILED/0/false",
                        "ALREADY_FAILED/0/true",
                        "IN_DOUBT/0/false",
                        "FRESH/0/false");
    }

    @Test
    void callsAfterCloseFailClearly() {
        JdbcSendLedger l = ledger();
        l.close();
        assertThat(l.claim("job-1", 0, "a")).isCompletedExceptionally();
    }

    /** Waits up to 10 s for a counter the writer thread bumps after completing the futures. */
    private static void awaitCount(java.util.function.LongSupplier counter, long atLeast)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (counter.getAsLong() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }
}
