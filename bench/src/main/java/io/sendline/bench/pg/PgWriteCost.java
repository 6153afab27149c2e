package io.sendline.bench.pg;

import io.sendline.common.ledger.Claim;
import io.sendline.common.ledger.JdbcSendLedger;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.db.Migrations;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import io.sendline.send.status.BatchingJdbcSink;
import io.sendline.send.status.EventHistorySink;
import io.sendline.send.status.JobStatusSink;
import java.lang.management.ManagementFactory;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.flywaydb.core.Flyway;

/**
 * What the send pipeline's PostgreSQL writes cost per email, measured on a real (embedded)
 * PostgreSQL: the send ledger's claim and {@code accepted} (the real {@link JdbcSendLedger}), the
 * {@code email_job} status upserts of QUEUED and SENT, and the two {@code email_event} history
 * rows, each with the pipeline's batch sizes and two writers (parallelism 2). For each phase it
 * prints rows per second, the PostgreSQL server's CPU per email (all its processes, from {@code
 * /proc}), this JVM's CPU per email (the JDBC client side: binding, driver, the ledger's writer
 * threads, GC) and the WAL written per email. CPU per email is the figure to compare: it moves much
 * less than wall time when the machine is shared.
 *
 * <pre>
 * java -cp ... io.sendline.bench.pg.PgWriteCost [key=value ...]
 *   emails=100000   emails per phase (after a 2,000-email warm-up)
 *   status=coalesced  legacy: one upsert per event in a JDBC batch (the old JdbcSink)
 *                   coalesced: JobStatusSink's coalesced one-statement batch
 *   history=unnest  legacy: one insert per event in a JDBC batch; unnest: EventHistorySink's
 *   batch=500       events buffered per writer before a flush (status.batch-size)
 *   lag=0           emails between a job's QUEUED and its SENT in the event stream (0: adjacent;
 *                   in a backlog they are seconds apart, i.e. lag = rate x seconds)
 *   schema=latest   v1: only V1__init.sql (the schema before V2), latest: all migrations
 *   edge-rows=false true: insert each job's QUEUED row first, as the edge does for API mail
 *   inflight=512    ledger calls outstanding (dispatch capacity 256 x 2 subtasks)
 *   rate=0          emails per second fed to each phase; 0: as fast as it goes. At a real rate
 *                   (the load test runs at ~750/s) batches are as small as in the pipeline
 *   interval=200    ms after which a writer flushes a partial batch (status.batch-interval)
 *   ledger-linger=2 JdbcSendLedger's linger in ms; ledger-writers=1 its writer threads (its default)
 *   ledgers=2       JdbcSendLedger instances (one per dispatch subtask: parallelism 2)
 *   phases=ledger,status,history   which phases to run
 *   sql=FILE        SQL run after the migrations (to try a schema change before writing it)
 *   pg.NAME=VALUE   a reloadable server setting (ALTER SYSTEM), e.g. pg.synchronous_commit=off
 * </pre>
 *
 * Set {@code SENDLINE_POSTGRES_URL} to use an external server (its CPU is then not measured unless
 * it runs on this machine and the user may read its data directory).
 */
public final class PgWriteCost {

    private PgWriteCost() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("emails", "100000");
        o.put("status", "coalesced");
        o.put("history", "unnest");
        o.put("batch", "500");
        o.put("lag", "0");
        o.put("schema", "latest");
        o.put("edge-rows", "false");
        o.put("inflight", "512");
        o.put("rate", "0");
        o.put("interval", "200");
        o.put("ledger-linger", "2");
        o.put("ledger-writers", Integer.toString(JdbcSendLedger.DEFAULT_WRITERS));
        o.put("ledgers", "2");
        o.put("phases", "ledger,status,history");
        o.put("sql", "");
        Map<String, String> pgSettings = new LinkedHashMap<>();
        pgSettings.put("autovacuum", "off"); // each phase vacuums its own table, see measure()
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq > 3 && a.startsWith("pg.")) {
                pgSettings.put(a.substring(3, eq), a.substring(eq + 1));
                continue;
            }
            if (eq < 0 || !o.containsKey(a.substring(0, eq))) {
                throw new IllegalArgumentException(
                        "unknown argument " + a + "; keys: " + o.keySet());
            }
            o.put(a.substring(0, eq), a.substring(eq + 1));
        }
        int emails = Integer.parseInt(o.get("emails"));
        int batch = Integer.parseInt(o.get("batch"));
        int lag = Integer.parseInt(o.get("lag"));
        double rate = Double.parseDouble(o.get("rate"));
        long interval = Long.parseLong(o.get("interval")) * 1_000_000L;
        System.out.println("PgWriteCost " + o + (pgSettings.isEmpty() ? "" : " " + pgSettings));

        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            if (o.get("schema").equals("v1")) {
                Flyway.configure(Migrations.class.getClassLoader())
                        .locations(Migrations.LOCATION)
                        .target("1")
                        .dataSource(pg.dataSource())
                        .load()
                        .migrate();
            } else {
                Migrations.apply(pg.dataSource());
            }
            PgProcessCpu server;
            try (Connection c = pg.connect();
                    Statement st = c.createStatement()) {
                server = PgProcessCpu.of(c);
                for (Map.Entry<String, String> e : pgSettings.entrySet()) {
                    st.execute("ALTER SYSTEM SET " + e.getKey() + " = '" + e.getValue() + "'");
                }
                st.execute("SELECT pg_reload_conf()");
                if (!o.get("sql").isEmpty()) {
                    st.execute(java.nio.file.Files.readString(java.nio.file.Path.of(o.get("sql"))));
                }
            }
            List<Row> rows = new ArrayList<>();
            for (String prefix : new String[] {"warm-", "job-"}) {
                int n = prefix.equals("warm-") ? 2_000 : emails;
                List<JobEvent> stream = stream(prefix, n, lag);
                if (Boolean.parseBoolean(o.get("edge-rows"))) {
                    edgeRows(pg, stream);
                }
                List<String> phases = List.of(o.get("phases").split(","));
                Phase none = new Phase(n, 0, 1, 0, 0, 0, 0);
                Phase ledger =
                        !phases.contains("ledger")
                                ? none
                                : measure(
                                        pg,
                                        server,
                                        n,
                                        2L * n,
                                        "send_ledger",
                                        () -> ledger(pg, prefix, n, o, rate));
                Phase status =
                        !phases.contains("status")
                                ? none
                                : measure(
                                        pg,
                                        server,
                                        n,
                                        2L * n,
                                        "email_job",
                                        () ->
                                                sinks(
                                                        pg,
                                                        stream,
                                                        batch,
                                                        interval,
                                                        rate,
                                                        true,
                                                        o.get("status")));
                Phase history =
                        !phases.contains("history")
                                ? none
                                : measure(
                                        pg,
                                        server,
                                        n,
                                        2L * n,
                                        "email_event",
                                        () ->
                                                sinks(
                                                        pg,
                                                        stream,
                                                        batch,
                                                        interval,
                                                        rate,
                                                        false,
                                                        o.get("history")));
                if (prefix.equals("job-")) {
                    rows.add(new Row("ledger claim + accepted", ledger));
                    rows.add(new Row("email_job QUEUED + SENT (" + o.get("status") + ")", status));
                    rows.add(new Row("email_event x2 (" + o.get("history") + ")", history));
                    rows.add(new Row("total", Phase.sum(ledger, status, history)));
                }
            }
            print(emails, rows);
            Thread.sleep(1_500); // statistics are flushed by the backends at most once a second
            tableStats(pg);
        }
    }

    // ---- the event stream ----------------------------------------------------------------------

    /** QUEUED of job i, and SENT of job i - lag, in the order a sink would receive them. */
    static List<JobEvent> stream(String prefix, int n, int lag) {
        Instant created = Instant.parse("2026-12-04T09:00:00Z");
        List<JobEvent> out = new ArrayList<>(2 * n);
        for (int s = 0; s < n + lag; s++) {
            if (s < n) {
                out.add(Events.of(job(prefix, s, created), EmailEventType.QUEUED, null, created));
            }
            int sent = s - lag;
            if (sent >= 0) {
                EmailJob j = job(prefix, sent, created);
                out.add(
                        Events.of(
                                j,
                                EmailEventType.SENT,
                                "sandbox",
                                "sandbox-" + prefix + sent + "-0a1b2c3d4e5f",
                                null,
                                created.plusMillis(1_500 + sent)));
            }
        }
        return out;
    }

    /** A campaign job like the load harness's (bench/e2e Workload). */
    static EmailJob job(String prefix, int seq, Instant created) {
        return new EmailJob(
                prefix + "run1-" + seq,
                EmailType.MARKETING,
                "marketing",
                "reader" + seq + "@domain" + (seq % 50) + ".example",
                null,
                "news@shop.example.com",
                "Shop News",
                null,
                "newsletter",
                null,
                null,
                null,
                null,
                "{}",
                "campaign-run1",
                null,
                List.of("load"),
                Map.of("loadRun", "run1"),
                null,
                null,
                0,
                null,
                created);
    }

    // ---- phases
    // ----------------------------------------------------------------------------------

    /** Claims each job and, once the claim is back, records its acceptance, like dispatch. */
    private static void ledger(
            EmbeddedPostgres pg, String prefix, int n, Map<String, String> o, double rate)
            throws Exception {
        // One ledger per dispatch subtask, as DispatchResources opens them; jobs split by key.
        int count = Integer.parseInt(o.get("ledgers"));
        List<JdbcSendLedger> ledgers = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            ledgers.add(
                    new JdbcSendLedger(
                            pg.dataSource(),
                            JdbcSendLedger.DEFAULT_MAX_BATCH,
                            java.time.Duration.ofMillis(Long.parseLong(o.get("ledger-linger"))),
                            Integer.parseInt(o.get("ledger-writers"))));
        }
        try {
            Semaphore permits = new Semaphore(Integer.parseInt(o.get("inflight")));
            List<CompletableFuture<Void>> done = new ArrayList<>(n);
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                sleepUntil(t0, i, rate);
                permits.acquire();
                String id = prefix + "run1-" + i;
                JdbcSendLedger ledger =
                        ledgers.get(
                                Math.floorMod(
                                        // Not the parity of hashCode(): the ledger picks its
                                        // writer by that, and the two must be independent.
                                        Integer.rotateRight(id.hashCode() * 0x9E3779B9, 16),
                                        count));
                done.add(
                        ledger.claim(id, 0, "send-marketing/0/0/run1")
                                .thenCompose(
                                        (Claim c) -> {
                                            if (!c.maySend()) {
                                                throw new IllegalStateException("not fresh: " + c);
                                            }
                                            return ledger.accepted(
                                                    id, 0, "sandbox", "sandbox-" + id);
                                        })
                                .whenComplete((v, e) -> permits.release()));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
        } finally {
            for (JdbcSendLedger l : ledgers) {
                l.close();
            }
        }
    }

    /** Two writers (parallelism 2): status keyed by job id, history split round robin. */
    private static void sinks(
            EmbeddedPostgres pg,
            List<JobEvent> stream,
            int batch,
            long intervalNanos,
            double rate,
            boolean status,
            String variant)
            throws Exception {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int k = 0; k < 2; k++) {
            int me = k;
            Thread t =
                    new Thread(
                            () -> {
                                try (Connection c = pg.connect()) {
                                    BatchWrite w = BatchWrite.of(status, variant);
                                    int i = 0;
                                    long deadline = Long.MAX_VALUE;
                                    for (JobEvent e : stream) {
                                        int owner =
                                                status
                                                        ? Math.floorMod(
                                                                e.event().jobId().hashCode(), 2)
                                                        : i % 2;
                                        i++;
                                        if (owner != me) {
                                            continue;
                                        }
                                        if (rate > 0) {
                                            // Two events per email arrive at the email rate.
                                            long due = t0 + (long) ((i - 1) / 2 / rate * 1e9);
                                            if (w.buffered() > 0 && deadline < due) {
                                                sleepUntil(deadline);
                                                w.flush(c);
                                            }
                                            sleepUntil(due);
                                        }
                                        if (w.buffered() == 0) {
                                            deadline = System.nanoTime() + intervalNanos;
                                        }
                                        w.add(e);
                                        if (w.buffered() >= batch) {
                                            w.flush(c);
                                        }
                                    }
                                    w.flush(c);
                                } catch (Throwable e) {
                                    synchronized (errors) {
                                        errors.add(e);
                                    }
                                }
                            },
                            (status ? "status-" : "history-") + k);
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("writer failed", errors.get(0));
        }
    }

    /**
     * What the edge's AcceptWriter does for API mail: the job's row at QUEUED, before any event.
     */
    private static void edgeRows(EmbeddedPostgres pg, List<JobEvent> stream) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(LegacyStatements.UPSERT)) {
            c.setAutoCommit(false);
            int n = 0;
            for (JobEvent e : stream) {
                if (e.event().type() == EmailEventType.QUEUED) {
                    LegacyStatements.bindUpsert(ps, e);
                    ps.addBatch();
                    if (++n % 1000 == 0) {
                        ps.executeBatch();
                    }
                }
            }
            ps.executeBatch();
            c.commit();
        }
    }

    // ---- measuring
    // -------------------------------------------------------------------------------

    private static void sleepUntil(long t0, int i, double rate) throws InterruptedException {
        if (rate > 0) {
            sleepUntil(t0 + (long) (i / rate * 1e9));
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    @FunctionalInterface
    private interface Work {
        void run() throws Exception;
    }

    private static Phase measure(
            EmbeddedPostgres pg,
            PgProcessCpu server,
            int emails,
            long rows,
            String table,
            Work work)
            throws Exception {
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        checkpoint(pg); // each phase starts without dirty buffers of the previous one
        long wal0 = walLsn(pg);
        Map<String, Long> by0 = server.byProcess();
        long server0 = server.cpuNanos();
        long client0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        work.run();
        long wall = System.nanoTime() - t0;
        Thread.sleep(300); // closed connections: let their backends exit and be reaped
        long serverWrite = server.cpuNanos();
        // Autovacuum is off during the run; the dead rows and index entries a phase leaves behind
        // are cleaned here, so that their cost counts where it is caused.
        try (Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("VACUUM " + table);
        }
        Thread.sleep(300);
        long client = os.getProcessCpuTime() - client0;
        long serverCpu = server.cpuNanos() - server0;
        long vacuum = server.cpuNanos() - serverWrite;
        long wal = walLsn(pg) - wal0;
        if (Boolean.getBoolean("pgwrite.breakdown")) {
            Map<String, Long> by1 = server.byProcess();
            by1.forEach(
                    (k, v) -> {
                        long d = v - by0.getOrDefault(k, 0L);
                        if (d > 0) {
                            System.out.println("   " + d * 10 + " ms " + k);
                        }
                    });
        }
        return new Phase(emails, rows, wall, serverCpu, vacuum, client, wal);
    }

    private static void checkpoint(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("CHECKPOINT");
        }
    }

    private static long walLsn(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    record Phase(
            int emails,
            long rows,
            long wallNanos,
            long serverNanos,
            long vacuumNanos,
            long clientNanos,
            long walBytes) {
        static Phase sum(Phase... ps) {
            long rows = 0;
            long wall = 0;
            long server = 0;
            long vacuum = 0;
            long client = 0;
            long wal = 0;
            for (Phase p : ps) {
                rows += p.rows;
                wall += p.wallNanos;
                server += p.serverNanos;
                vacuum += p.vacuumNanos;
                client += p.clientNanos;
                wal += p.walBytes;
            }
            return new Phase(ps[0].emails, rows, wall, server, vacuum, client, wal);
        }
    }

    record Row(String what, Phase p) {}

    private static void print(int emails, List<Row> rows) {
        System.out.printf(
                Locale.ROOT,
                "%n%d emails, load average %.1f%n",
                emails,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf(
                Locale.ROOT,
                "%-44s %9s %10s %14s %10s %14s %11s%n",
                "phase",
                "wall s",
                "rows/s",
                "PG CPU us/em",
                "(vacuum)",
                "JVM CPU us/em",
                "WAL B/em");
        for (Row r : rows) {
            Phase p = r.p();
            System.out.printf(
                    Locale.ROOT,
                    "%-44s %9.1f %10.0f %14.0f %10.0f %14.0f %11.0f%n",
                    r.what(),
                    p.wallNanos() / 1e9,
                    p.rows() / (p.wallNanos() / 1e9),
                    p.serverNanos() / 1e3 / p.emails(),
                    p.vacuumNanos() / 1e3 / p.emails(),
                    p.clientNanos() / 1e3 / p.emails(),
                    p.walBytes() / (double) p.emails());
        }
    }

    private static void tableStats(EmbeddedPostgres pg) throws SQLException {
        try (Connection c = pg.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd,"
                                        + " pg_total_relation_size(relid) / 1024 / 1024"
                                        + " FROM pg_stat_user_tables WHERE relname IN"
                                        + " ('send_ledger', 'email_job', 'email_event')"
                                        + " ORDER BY relname")) {
            System.out.printf(
                    Locale.ROOT,
                    "%n%-12s %10s %10s %10s %8s%n",
                    "table",
                    "inserted",
                    "updated",
                    "HOT",
                    "MB");
            while (rs.next()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-12s %10d %10d %10d %8d%n",
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getLong(3),
                        rs.getLong(4),
                        rs.getLong(5));
            }
        }
    }

    // ---- the writers under test ----------------------------------------------------------------

    /** One sink subtask's buffer and flush. */
    interface BatchWrite {
        void add(JobEvent e);

        int buffered();

        void flush(Connection c) throws SQLException;

        static BatchWrite of(boolean status, String variant) {
            switch (variant) {
                case "legacy":
                    return new Legacy(status);
                case "coalesced":
                    if (!status) {
                        throw new IllegalArgumentException("coalesced is a status variant");
                    }
                    return new SinkBuffer(JobStatusSink.buffer());
                case "unnest":
                    if (status) {
                        throw new IllegalArgumentException("unnest is a history variant");
                    }
                    return new SinkBuffer(EventHistorySink.buffer());
                default:
                    throw new IllegalArgumentException("unknown variant " + variant);
            }
        }
    }

    /**
     * The old JdbcSink: single-row statements in a JDBC batch, autocommit (one Sync, one commit).
     */
    static final class Legacy implements BatchWrite {
        private final boolean status;
        private final List<JobEvent> buffer = new ArrayList<>();
        private PreparedStatement ps;

        Legacy(boolean status) {
            this.status = status;
        }

        @Override
        public void add(JobEvent e) {
            buffer.add(e);
        }

        @Override
        public int buffered() {
            return buffer.size();
        }

        @Override
        public void flush(Connection c) throws SQLException {
            if (buffer.isEmpty()) {
                return;
            }
            if (ps == null) {
                ps =
                        c.prepareStatement(
                                status ? LegacyStatements.UPSERT : LegacyStatements.INSERT_EVENT);
            }
            for (JobEvent e : buffer) {
                if (status) {
                    LegacyStatements.bindUpsert(ps, e);
                } else {
                    LegacyStatements.bindInsert(ps, e);
                }
                ps.addBatch();
            }
            ps.executeBatch();
            buffer.clear();
        }
    }

    /** The pipeline's own sink buffer (JobStatusSink's or EventHistorySink's). */
    static final class SinkBuffer implements BatchWrite {
        private final BatchingJdbcSink.Buffer<JobEvent> buffer;

        SinkBuffer(BatchingJdbcSink.Buffer<JobEvent> buffer) {
            this.buffer = buffer;
        }

        @Override
        public void add(JobEvent e) {
            buffer.add(e);
        }

        @Override
        public int buffered() {
            return buffer.added();
        }

        @Override
        public void flush(Connection c) throws SQLException {
            if (!buffer.isEmpty()) {
                buffer.write(c);
                buffer.clear();
            }
        }
    }
}
