package io.sendline.common.ledger;

import io.sendline.common.jdbc.PostgresDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SendLedger} on the PostgreSQL table {@code send_ledger}, batched: at thousands of messages
 * a second one statement per claim would make the database round trip the limit, so calls are
 * queued and a few writer threads turn everything that arrived meanwhile (up to {@code maxBatch},
 * waiting at most {@code linger} for more) into one multi-row statement per kind: claims become one
 * {@code INSERT ... SELECT FROM unnest(...) ON CONFLICT (job_id) DO UPDATE ... WHERE <superseded>
 * RETURNING}, outcomes one upsert each. Each caller's future is completed from the result. Small
 * batches (up to {@value #PIPELINE_MAX} operations: at a real sending rate most batches hold one or
 * two) go instead as one JDBC batch of single-row statements (one round trip and one transaction as
 * well), because PostgreSQL plans the {@code unnest} form anew on every execution while it plans
 * the single-row form once per connection: that halves the ledger's server CPU per email at 750
 * emails/s (docs/send-pipeline.md, "PostgreSQL writes").
 *
 * <p>Order per job is kept: all calls for one job go to the same writer (chosen by the job id's
 * hash), and a batch is cut where a job id repeats, so a claim and an outcome of one job are never
 * reordered (a {@code failed} followed at once by the next attempt's {@code claim} is written in
 * that order). Rows are written in job-id order so concurrent writers cannot deadlock. A claim that
 * loses a race against a concurrent claim of the same job (whose row was not yet committed when
 * this statement took its snapshot) is {@link Claim.Kind#IN_DOUBT}: another claimant holds it and
 * it has no outcome.
 *
 * <p>Thread-safe. Futures complete on a writer thread: callbacks must not block.
 */
public final class JdbcSendLedger implements SendLedger {

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSendLedger.class);

    /** Default most operations per statement. */
    public static final int DEFAULT_MAX_BATCH = 500;

    /** Default wait for more operations once one arrived. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(2);

    /**
     * Default number of writer threads (each with its own connection). One: every dispatch subtask
     * opens its own ledger, so there are already several writers; a second one per ledger halves
     * the batches and doubles the statements, which is what costs PostgreSQL CPU (PgWriteCost at
     * 750 emails/s, two ledgers: 256 us per email with two writers each, 174 with one; at full
     * speed one writer also did more: 22,000 against 17,000 emails/s).
     */
    public static final int DEFAULT_WRITERS = 1;

    static final String CLAIM_SQL =
            "WITH input AS (SELECT * FROM unnest(?::text[], ?::int[], ?::text[])"
                    + " AS t(job_id, attempt, claimed_by)),"
                    + " taken AS (INSERT INTO send_ledger AS l"
                    + " (job_id, attempt, state, claimed_at, claimed_by)"
                    + " SELECT job_id, attempt, 'CLAIMED', now(), claimed_by FROM input"
                    + " ORDER BY job_id"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'CLAIMED', claimed_at = EXCLUDED.claimed_at,"
                    + " claimed_by = EXCLUDED.claimed_by, relay = NULL,"
                    + " provider_message_id = NULL, completed_at = NULL,"
                    + " failure_reason = NULL, retryable = false"
                    // mirrors LedgerEntry.supersededBy
                    + " WHERE l.state = 'FAILED' AND l.retryable AND l.attempt < EXCLUDED.attempt"
                    + " RETURNING l.job_id)"
                    + " SELECT i.job_id, t.job_id IS NOT NULL AS taken, s.attempt, s.state::text,"
                    + " s.relay, s.provider_message_id, s.claimed_by, s.failure_reason, s.retryable"
                    + " FROM input i LEFT JOIN taken t ON t.job_id = i.job_id"
                    + " LEFT JOIN send_ledger s ON s.job_id = i.job_id";

    static final String ACCEPTED_SQL =
            "INSERT INTO send_ledger AS l (job_id, attempt, state, relay, provider_message_id,"
                    + " claimed_at, completed_at)"
                    + " SELECT job_id, attempt, 'ACCEPTED', relay, pmid, now(), now()"
                    + " FROM unnest(?::text[], ?::int[], ?::text[], ?::text[])"
                    + " AS t(job_id, attempt, relay, pmid) ORDER BY job_id"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'ACCEPTED', relay = EXCLUDED.relay,"
                    + " provider_message_id = EXCLUDED.provider_message_id,"
                    + " completed_at = EXCLUDED.completed_at, failure_reason = NULL,"
                    + " retryable = false"
                    + " WHERE l.state <> 'ACCEPTED'";

    static final String FAILED_SQL =
            "INSERT INTO send_ledger AS l (job_id, attempt, state, failure_reason, retryable,"
                    + " claimed_at, completed_at)"
                    + " SELECT job_id, attempt, 'FAILED', reason, retryable, now(), now()"
                    + " FROM unnest(?::text[], ?::int[], ?::text[], ?::boolean[])"
                    + " AS t(job_id, attempt, reason, retryable) ORDER BY job_id"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'FAILED', failure_reason = EXCLUDED.failure_reason,"
                    + " retryable = EXCLUDED.retryable, completed_at = EXCLUDED.completed_at"
                    + " WHERE l.state <> 'ACCEPTED' AND l.attempt <= EXCLUDED.attempt";

    static final String TAKE_OVER_SQL =
            "WITH moved AS (UPDATE send_ledger SET claimed_by = ?, claimed_at = now()"
                    + " WHERE job_id = ? AND state = 'CLAIMED' AND attempt = ?"
                    + " AND claimed_by IS NOT DISTINCT FROM ? RETURNING job_id)"
                    + " SELECT EXISTS (SELECT 1 FROM moved), s.attempt, s.state::text, s.relay,"
                    + " s.provider_message_id, s.claimed_by, s.failure_reason, s.retryable"
                    + " FROM (SELECT 1) one LEFT JOIN send_ledger s ON s.job_id = ?";

    // One operation per statement, for small batches sent as one JDBC batch (one round trip, one
    // implicit transaction up to the Sync). At a real sending rate most batches hold one to a few
    // operations (a claim arrives every few ms per subtask, and a writer lingers only 2 ms), and
    // PostgreSQL re-plans the unnest form on every execution (its custom plan, which knows the
    // array length, always looks cheaper than the generic one): ~0.15 ms of server CPU per
    // statement, more than half the ledger's cost (bench PgWriteCost). These scalar statements are
    // planned once per connection (generic plan). INSERT ... SELECT rather than VALUES so that
    // the driver's reWriteBatchedInserts can never merge them (a claim needs its own update
    // count: 1 = taken, 0 = the row was there and is not superseded).
    static final String CLAIM_ONE_SQL =
            "INSERT INTO send_ledger AS l (job_id, attempt, state, claimed_at, claimed_by)"
                    + " SELECT ?, ?, 'CLAIMED', now(), ?"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'CLAIMED', claimed_at = EXCLUDED.claimed_at,"
                    + " claimed_by = EXCLUDED.claimed_by, relay = NULL,"
                    + " provider_message_id = NULL, completed_at = NULL,"
                    + " failure_reason = NULL, retryable = false"
                    + " WHERE l.state = 'FAILED' AND l.retryable AND l.attempt < EXCLUDED.attempt";

    /** Batches up to this size are sent as scalar statements, larger ones as one unnest. */
    static final int PIPELINE_MAX = 32;

    /** The row a claim did not take (a replay or a lost race), read after it. */
    static final String ROW_SQL =
            "SELECT attempt, state, relay, provider_message_id, claimed_by, failure_reason,"
                    + " retryable FROM send_ledger WHERE job_id = ?";

    static final String ACCEPTED_ONE_SQL =
            "INSERT INTO send_ledger AS l (job_id, attempt, state, relay, provider_message_id,"
                    + " claimed_at, completed_at) SELECT ?, ?, 'ACCEPTED', ?, ?, now(), now()"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'ACCEPTED', relay = EXCLUDED.relay,"
                    + " provider_message_id = EXCLUDED.provider_message_id,"
                    + " completed_at = EXCLUDED.completed_at, failure_reason = NULL,"
                    + " retryable = false"
                    + " WHERE l.state <> 'ACCEPTED'";

    static final String FAILED_ONE_SQL =
            "INSERT INTO send_ledger AS l (job_id, attempt, state, failure_reason, retryable,"
                    + " claimed_at, completed_at) SELECT ?, ?, 'FAILED', ?, ?, now(), now()"
                    + " ON CONFLICT (job_id) DO UPDATE SET attempt = EXCLUDED.attempt,"
                    + " state = 'FAILED', failure_reason = EXCLUDED.failure_reason,"
                    + " retryable = EXCLUDED.retryable, completed_at = EXCLUDED.completed_at"
                    + " WHERE l.state <> 'ACCEPTED' AND l.attempt <= EXCLUDED.attempt";

    static final String IN_DOUBT_SQL =
            "SELECT job_id, attempt, claimed_by, claimed_at FROM send_ledger"
                    + " WHERE state = 'CLAIMED' AND claimed_at < ? ORDER BY claimed_at, job_id"
                    + " LIMIT ?";

    private final DataSource dataSource;
    private final int maxBatch;
    private final long lingerNanos;

    /** One queue per writer; a job always goes to the same one, so its calls stay in order. */
    private final List<BlockingQueue<Op>> queues = new ArrayList<>();

    private final List<Thread> writers = new ArrayList<>();
    private final AtomicLong statements = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private volatile boolean closed;

    /** A ledger on a data source with the default batching. */
    public JdbcSendLedger(DataSource dataSource) {
        this(dataSource, DEFAULT_MAX_BATCH, DEFAULT_LINGER, DEFAULT_WRITERS);
    }

    /** A ledger on a PostgreSQL URL with the default batching. */
    public JdbcSendLedger(String jdbcUrl, String user, String password) {
        this(PostgresDataSource.of(jdbcUrl, user, password));
    }

    /** A ledger on a PostgreSQL URL with the default batching and {@code writerThreads} writers. */
    public JdbcSendLedger(String jdbcUrl, String user, String password, int writerThreads) {
        this(
                PostgresDataSource.of(jdbcUrl, user, password),
                DEFAULT_MAX_BATCH,
                DEFAULT_LINGER,
                writerThreads);
    }

    /**
     * @param dataSource where the {@code send_ledger} table is
     * @param maxBatch most operations per statement, at least 1
     * @param linger how long a writer waits for more operations once one arrived
     * @param writerThreads writer threads, each with its own connection, at least 1
     */
    public JdbcSendLedger(DataSource dataSource, int maxBatch, Duration linger, int writerThreads) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (maxBatch < 1 || writerThreads < 1) {
            throw new IllegalArgumentException("maxBatch and writerThreads must be >= 1");
        }
        this.maxBatch = maxBatch;
        this.lingerNanos = Math.max(0, linger.toNanos());
        for (int i = 0; i < writerThreads; i++) {
            BlockingQueue<Op> q = new LinkedBlockingQueue<>();
            queues.add(q);
            Thread t = new Thread(new Writer(q), "send-ledger-writer-" + i);
            t.setDaemon(true);
            writers.add(t);
            t.start();
        }
    }

    @Override
    public CompletableFuture<Claim> claim(String jobId, int attempt, String claimant) {
        ClaimOp op = new ClaimOp(checkId(jobId), attempt, claimant);
        return submit(op, op.future);
    }

    @Override
    public CompletableFuture<Void> accepted(
            String jobId, int attempt, String relay, String providerMessageId) {
        AcceptedOp op = new AcceptedOp(checkId(jobId), attempt, relay, providerMessageId);
        return submit(op, op.future);
    }

    @Override
    public CompletableFuture<Void> failed(
            String jobId, int attempt, String reason, boolean retryable) {
        FailedOp op = new FailedOp(checkId(jobId), attempt, reason, retryable);
        return submit(op, op.future);
    }

    @Override
    public CompletableFuture<Claim> takeOver(
            String jobId, int attempt, String expectedClaimant, String claimant) {
        TakeOverOp op = new TakeOverOp(checkId(jobId), attempt, expectedClaimant, claimant);
        return submit(op, op.future);
    }

    @Override
    public List<InDoubtClaim> inDoubt(Instant claimedBefore, int limit) {
        Objects.requireNonNull(claimedBefore, "claimedBefore");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        List<InDoubtClaim> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(IN_DOUBT_SQL)) {
            ps.setTimestamp(1, Timestamp.from(claimedBefore));
            ps.setInt(2, limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            new InDoubtClaim(
                                    rs.getString(1),
                                    rs.getInt(2),
                                    rs.getString(3),
                                    rs.getTimestamp(4).toInstant()));
                }
            }
        } catch (SQLException e) {
            throw new LedgerException("listing in-doubt claims failed", e);
        }
        return out;
    }

    /** Statements executed so far (for tests and metrics: fewer than operations means batching). */
    public long statementsExecuted() {
        return statements.get();
    }

    /** Operations completed so far. */
    public long operationsCompleted() {
        return operations.get();
    }

    /** Operations waiting for a writer. */
    public int pending() {
        int n = 0;
        for (BlockingQueue<Op> q : queues) {
            n += q.size();
        }
        return n;
    }

    /** Stops accepting calls, writes what is queued, and stops the writers. */
    @Override
    public void close() {
        closed = true;
        for (Thread t : writers) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Op op;
        for (BlockingQueue<Op> q : queues) {
            while ((op = q.poll()) != null) {
                op.fail(new IllegalStateException("send ledger closed"));
            }
        }
    }

    private <T> CompletableFuture<T> submit(Op op, CompletableFuture<T> future) {
        if (closed) {
            future.completeExceptionally(new IllegalStateException("send ledger closed"));
            return future;
        }
        BlockingQueue<Op> q = queues.get(Math.floorMod(op.jobId.hashCode(), queues.size()));
        q.add(op);
        // close() may have drained the queues between the check above and the add: never leave a
        // future that nobody will complete.
        if (closed && q.remove(op)) {
            op.fail(new IllegalStateException("send ledger closed"));
        }
        return future;
    }

    private static String checkId(String jobId) {
        if (jobId == null || jobId.isEmpty()) {
            throw new IllegalArgumentException("jobId is missing");
        }
        return jobId;
    }

    // ---- operations ---------------------------------------------------------------------------

    private abstract static class Op {
        final String jobId;
        final int attempt;

        Op(String jobId, int attempt) {
            this.jobId = jobId;
            this.attempt = attempt;
        }

        abstract void fail(Throwable t);
    }

    private static final class ClaimOp extends Op {
        final String claimant;
        final CompletableFuture<Claim> future = new CompletableFuture<>();

        ClaimOp(String jobId, int attempt, String claimant) {
            super(jobId, attempt);
            this.claimant = claimant;
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    private static final class AcceptedOp extends Op {
        final String relay;
        final String providerMessageId;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        AcceptedOp(String jobId, int attempt, String relay, String providerMessageId) {
            super(jobId, attempt);
            this.relay = relay;
            this.providerMessageId = providerMessageId;
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    private static final class TakeOverOp extends Op {
        final String expectedClaimant;
        final String claimant;
        final CompletableFuture<Claim> future = new CompletableFuture<>();

        TakeOverOp(String jobId, int attempt, String expectedClaimant, String claimant) {
            super(jobId, attempt);
            this.expectedClaimant = expectedClaimant;
            this.claimant = claimant;
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    private static final class FailedOp extends Op {
        final String reason;
        final boolean retryable;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        FailedOp(String jobId, int attempt, String reason, boolean retryable) {
            super(jobId, attempt);
            this.reason = reason;
            this.retryable = retryable;
        }

        @Override
        void fail(Throwable t) {
            future.completeExceptionally(t);
        }
    }

    // ---- the writer -------------------------------------------------------------------------

    /** One column of an outcome: its PostgreSQL array type, JDBC type and value. */
    private record Column<O>(
            String pgType, int sqlType, IntFunction<Object[]> array, Function<O, Object> value) {}

    private final class Writer implements Runnable {
        private final BlockingQueue<Op> queue;
        private Connection connection;

        Writer(BlockingQueue<Op> queue) {
            this.queue = queue;
        }

        @Override
        public void run() {
            List<Op> batch = new ArrayList<>(maxBatch);
            try {
                while (!closed || !queue.isEmpty()) {
                    Op first = queue.poll(50, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                    queue.drainTo(batch, maxBatch - batch.size());
                    long deadline = System.nanoTime() + lingerNanos;
                    while (batch.size() < maxBatch) {
                        long left = deadline - System.nanoTime();
                        Op more = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                        if (more == null) {
                            break;
                        }
                        batch.add(more);
                        queue.drainTo(batch, maxBatch - batch.size());
                    }
                    write(batch);
                    batch.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                for (Op op : batch) {
                    op.fail(e);
                }
            } finally {
                closeConnection();
            }
        }

        /** Writes a batch in segments in which every job appears once, keeping per-job order. */
        private void write(List<Op> batch) {
            Set<String> seen = new HashSet<>();
            List<Op> segment = new ArrayList<>();
            for (Op op : batch) {
                if (!seen.add(op.jobId)) {
                    writeSegment(segment);
                    segment.clear();
                    seen.clear();
                    seen.add(op.jobId);
                }
                segment.add(op);
            }
            writeSegment(segment);
        }

        private void writeSegment(List<Op> segment) {
            List<ClaimOp> claims = new ArrayList<>();
            List<AcceptedOp> accepts = new ArrayList<>();
            List<FailedOp> failures = new ArrayList<>();
            List<TakeOverOp> takeOvers = new ArrayList<>();
            for (Op op : segment) {
                if (op instanceof ClaimOp c) {
                    claims.add(c);
                } else if (op instanceof AcceptedOp a) {
                    accepts.add(a);
                } else if (op instanceof TakeOverOp t) {
                    takeOvers.add(t);
                } else {
                    failures.add((FailedOp) op);
                }
            }
            // Rare (only after a crash, and only under an at-least-once policy): one statement
            // each.
            for (TakeOverOp t : takeOvers) {
                runWithRetry(List.of(t), () -> writeTakeOver(t));
            }
            // Within a segment each job appears once, so the kinds do not interact.
            if (!claims.isEmpty()) {
                runWithRetry(claims, () -> writeClaims(claims));
            }
            if (!accepts.isEmpty()) {
                runWithRetry(accepts, () -> writeAccepted(accepts));
            }
            if (!failures.isEmpty()) {
                runWithRetry(failures, () -> writeFailed(failures));
            }
        }

        private void runWithRetry(List<? extends Op> ops, SqlAction action) {
            SQLException last = null;
            for (int tries = 0; tries < 3; tries++) {
                try {
                    action.run();
                    statements.incrementAndGet();
                    operations.addAndGet(ops.size());
                    return;
                } catch (SQLException e) {
                    last = e;
                    closeConnection(); // a broken connection is replaced on the next try
                    String state = e.getSQLState();
                    boolean transientError =
                            state != null
                                    && (state.startsWith("08")
                                            || state.equals("40001")
                                            || state.equals("40P01"));
                    if (!transientError) {
                        break;
                    }
                    LOG.warn("send ledger write failed ({}), retrying", state);
                } catch (RuntimeException e) {
                    for (Op op : ops) {
                        op.fail(e);
                    }
                    return;
                }
            }
            LOG.error("send ledger write of {} operations failed", ops.size(), last);
            LedgerException error = new LedgerException("send ledger write failed", last);
            for (Op op : ops) {
                op.fail(error);
            }
        }

        private void writeClaims(List<ClaimOp> ops) throws SQLException {
            if (ops.size() <= PIPELINE_MAX) {
                writeClaimsPipelined(ops);
                return;
            }
            ops.sort(Comparator.comparing(op -> op.jobId));
            int n = ops.size();
            String[] ids = new String[n];
            Integer[] attempts = new Integer[n];
            String[] claimants = new String[n];
            for (int i = 0; i < n; i++) {
                ids[i] = ops.get(i).jobId;
                attempts[i] = ops.get(i).attempt;
                claimants[i] = ops.get(i).claimant;
            }
            Connection c = connection();
            Map<String, Claim> results = new HashMap<>(n * 2);
            try (PreparedStatement ps = c.prepareStatement(CLAIM_SQL)) {
                ps.setArray(1, c.createArrayOf("text", ids));
                ps.setArray(2, c.createArrayOf("integer", attempts));
                ps.setArray(3, c.createArrayOf("text", claimants));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        results.put(rs.getString(1), readClaim(rs));
                    }
                }
            }
            for (ClaimOp op : ops) {
                Claim claim = results.get(op.jobId);
                if (claim == null) {
                    throw new SQLException("claim statement returned no row for a job", "XX000");
                }
                if (claim.kind() == Claim.Kind.FRESH) {
                    claim = Claim.fresh(op.jobId, op.attempt);
                } else if (claim.attempt() < 0) {
                    // Lost to a claim committed after this statement's snapshot: its row is not
                    // visible here, so report the attempt asked for (never a negative attempt,
                    // which callers copy into events and email_job).
                    claim = Claim.inDoubt(op.jobId, op.attempt, claim.detail());
                }
                op.future.complete(claim);
            }
        }

        private Claim readClaim(ResultSet rs) throws SQLException {
            String jobId = rs.getString(1);
            if (rs.getBoolean(2)) {
                return Claim.fresh(jobId, 0);
            }
            String state = rs.getString(4);
            if (state == null) {
                // The row was committed by a concurrent claim after this statement's snapshot.
                return Claim.inDoubt(jobId, -1, "concurrent claim");
            }
            LedgerEntry row =
                    new LedgerEntry(
                            jobId,
                            rs.getInt(3),
                            LedgerEntry.State.valueOf(state.trim()),
                            rs.getString(5),
                            rs.getString(6),
                            rs.getString(7),
                            rs.getString(8),
                            rs.getBoolean(9));
            return row.verdictFor(row.attempt());
        }

        private void writeTakeOver(TakeOverOp op) throws SQLException {
            Connection c = connection();
            Claim claim;
            try (PreparedStatement ps = c.prepareStatement(TAKE_OVER_SQL)) {
                ps.setString(1, op.claimant);
                ps.setString(2, op.jobId);
                ps.setInt(3, op.attempt);
                ps.setString(4, op.expectedClaimant);
                ps.setString(5, op.jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        claim = Claim.fresh(op.jobId, op.attempt);
                    } else if (rs.getString(3) == null) {
                        claim = null; // no row at all: a plain claim
                    } else {
                        LedgerEntry row =
                                new LedgerEntry(
                                        op.jobId,
                                        rs.getInt(2),
                                        LedgerEntry.State.valueOf(rs.getString(3).trim()),
                                        rs.getString(4),
                                        rs.getString(5),
                                        rs.getString(6),
                                        rs.getString(7),
                                        rs.getBoolean(8));
                        claim = row.verdictFor(row.attempt());
                    }
                }
            }
            if (claim == null) {
                ClaimOp plain = new ClaimOp(op.jobId, op.attempt, op.claimant);
                writeClaims(new ArrayList<>(List.of(plain)));
                claim = plain.future.join();
            }
            op.future.complete(claim);
        }

        private void writeClaimsPipelined(List<ClaimOp> ops) throws SQLException {
            ops.sort(Comparator.comparing(op -> op.jobId));
            Connection c = connection();
            int[] counts;
            try (PreparedStatement ps = c.prepareStatement(CLAIM_ONE_SQL)) {
                for (ClaimOp op : ops) {
                    ps.setString(1, op.jobId);
                    ps.setInt(2, op.attempt);
                    ps.setString(3, op.claimant);
                    ps.addBatch();
                }
                counts = ps.executeBatch();
            }
            Claim[] claims = new Claim[ops.size()];
            for (int i = 0; i < claims.length; i++) {
                ClaimOp op = ops.get(i);
                if (counts[i] == 1) {
                    claims[i] = Claim.fresh(op.jobId, op.attempt);
                } else if (counts[i] == 0) {
                    claims[i] = existing(c, op);
                } else {
                    throw new SQLException(
                            "claim statement returned update count " + counts[i], "XX000");
                }
            }
            for (int i = 0; i < claims.length; i++) {
                ops.get(i).future.complete(claims[i]);
            }
        }

        /** The verdict of the row a claim did not take, read after the claim committed. */
        private Claim existing(Connection c, ClaimOp op) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(ROW_SQL)) {
                ps.setString(1, op.jobId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        // Not taken, yet no row: it cannot be claimed now; never send blindly.
                        return Claim.inDoubt(op.jobId, op.attempt, "concurrent claim");
                    }
                    LedgerEntry row =
                            new LedgerEntry(
                                    op.jobId,
                                    rs.getInt(1),
                                    LedgerEntry.State.valueOf(rs.getString(2).trim()),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getBoolean(7));
                    return row.verdictFor(row.attempt());
                }
            }
        }

        private void writeAccepted(List<AcceptedOp> ops) throws SQLException {
            writeOutcomes(
                    ops,
                    ACCEPTED_ONE_SQL,
                    ACCEPTED_SQL,
                    new Column<>("text", Types.VARCHAR, String[]::new, op -> op.relay),
                    new Column<>("text", Types.VARCHAR, String[]::new, op -> op.providerMessageId),
                    op -> op.future);
        }

        private void writeFailed(List<FailedOp> ops) throws SQLException {
            writeOutcomes(
                    ops,
                    FAILED_ONE_SQL,
                    FAILED_SQL,
                    new Column<>("text", Types.VARCHAR, String[]::new, op -> op.reason),
                    new Column<>("boolean", Types.BOOLEAN, Boolean[]::new, op -> op.retryable),
                    op -> op.future);
        }

        /**
         * Records outcomes (job id, attempt and two columns of their own): up to {@link
         * #PIPELINE_MAX} as scalar statements in one JDBC batch (planned once per connection), more
         * as one unnest statement; in job-id order either way, so two writers lock rows in the same
         * order.
         */
        private <O extends Op> void writeOutcomes(
                List<O> ops,
                String oneSql,
                String unnestSql,
                Column<O> third,
                Column<O> fourth,
                Function<O, CompletableFuture<Void>> future)
                throws SQLException {
            ops.sort(Comparator.comparing(op -> op.jobId));
            Connection c = connection();
            if (ops.size() <= PIPELINE_MAX) {
                try (PreparedStatement ps = c.prepareStatement(oneSql)) {
                    for (O op : ops) {
                        ps.setString(1, op.jobId);
                        ps.setInt(2, op.attempt);
                        ps.setObject(3, third.value.apply(op), third.sqlType);
                        ps.setObject(4, fourth.value.apply(op), fourth.sqlType);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            } else {
                int n = ops.size();
                String[] ids = new String[n];
                Integer[] attempts = new Integer[n];
                Object[] thirds = third.array.apply(n);
                Object[] fourths = fourth.array.apply(n);
                for (int i = 0; i < n; i++) {
                    O op = ops.get(i);
                    ids[i] = op.jobId;
                    attempts[i] = op.attempt;
                    thirds[i] = third.value.apply(op);
                    fourths[i] = fourth.value.apply(op);
                }
                try (PreparedStatement ps = c.prepareStatement(unnestSql)) {
                    ps.setArray(1, c.createArrayOf("text", ids));
                    ps.setArray(2, c.createArrayOf("integer", attempts));
                    ps.setArray(3, c.createArrayOf(third.pgType, thirds));
                    ps.setArray(4, c.createArrayOf(fourth.pgType, fourths));
                    ps.executeUpdate();
                }
            }
            for (O op : ops) {
                future.apply(op).complete(null);
            }
        }

        private Connection connection() throws SQLException {
            if (connection == null) {
                connection = dataSource.getConnection();
                connection.setAutoCommit(true);
            }
            return connection;
        }

        private void closeConnection() {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    LOG.debug("closing send ledger connection failed", e);
                }
                connection = null;
            }
        }
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    /** A ledger write failed after retries; the caller must treat the job as not claimed. */
    public static final class LedgerException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LedgerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
