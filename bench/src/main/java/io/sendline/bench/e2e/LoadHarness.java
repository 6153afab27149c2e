package io.sendline.bench.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import io.sendline.stack.LocalStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The end-to-end load harness ({@code bin/load}, docs/load-harness.md): starts the local stack in
 * this JVM (or drives a running one), loads the templates and a share of suppressions through the
 * API, produces a campaign of N marketing jobs straight to {@code email.jobs.marketing} with a fast
 * Kafka producer while transactional mail goes through {@code POST /v1/emails} at a steady rate,
 * follows every job to its outcome on {@code email.events}, and reports throughput, latency, CPU
 * and memory, and a reconciliation against the sandbox relay's ledger and PostgreSQL.
 *
 * <p>Bounded: it stops at {@code --timeout}, or when nothing new happened for {@code
 * --idle-timeout}, and only talks to loopback addresses.
 */
public final class LoadHarness {

    static final int TX = 0;
    static final int MK = 1;

    private final LoadConfig cfg;
    private final String run;
    private final Workload workload;
    private final HttpClient http;
    private final ObjectMapper json = Json.MAPPER;

    private LocalStack stack;
    private String edgeUrl;
    private String apiKey;
    private String bootstrap;
    private String jdbcUrl;
    private String jdbcUser;
    private String jdbcPassword;
    private String flinkUrl;
    private List<String> jobs = List.of();
    private long stackStartMs;

    // Progress of the enqueuers.
    private final AtomicLong mkAcked = new AtomicLong();
    private final AtomicLong mkSendErrors = new AtomicLong();
    private volatile long mkProduceStartMs;
    private volatile long mkProduceEndMs;
    private final AtomicLong txPosted = new AtomicLong();
    private final AtomicLong txAccepted = new AtomicLong();
    private final AtomicLong txRejected = new AtomicLong();
    private volatile long txStartMs;
    private volatile long txEndMs;
    private volatile boolean stopTx;
    private final java.util.concurrent.atomic.AtomicLongArray txKinds =
            new java.util.concurrent.atomic.AtomicLongArray(Workload.Kind.values().length);

    private LoadHarness(LoadConfig cfg) {
        this.cfg = cfg;
        this.run = UUID.randomUUID().toString().substring(0, 8);
        this.workload = new Workload(run, cfg);
        this.http =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(Duration.ofSeconds(5))
                        .build();
    }

    public static void main(String[] argv) throws Exception {
        if (argv.length > 0 && (argv[0].equals("--help") || argv[0].equals("-h"))) {
            System.out.print(LoadConfig.usage());
            return;
        }
        LoadConfig cfg;
        try {
            cfg = LoadConfig.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("bin/load: " + e.getMessage());
            System.err.print(LoadConfig.usage());
            System.exit(2);
            return;
        }
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "sendline-stack-log4j2.properties");
        }
        System.setProperty(
                "sendline.stack.logdir", cfg.reportDir.toAbsolutePath().resolve("logs").toString());
        boolean ok = new LoadHarness(cfg).execute();
        System.exit(ok ? 0 : 1);
    }

    private boolean execute() throws Exception {
        Files.createDirectories(cfg.reportDir);
        try {
            connect();
            return runLoad();
        } finally {
            if (stack != null) {
                System.out.println("Stopping the local stack ...");
                stack.close();
            }
        }
    }

    // ---- the stack ----------------------------------------------------------------------------

    private void connect() throws IOException {
        if (!cfg.inProcess()) {
            edgeUrl = cfg.edgeUrl;
            apiKey = cfg.apiKey;
            bootstrap = cfg.bootstrap;
            jdbcUrl = cfg.jdbcUrl;
            jdbcUser = cfg.jdbcUser;
            jdbcPassword = cfg.jdbcPassword;
            flinkUrl = cfg.flinkUrl;
            System.out.println("Using the running stack at " + edgeUrl);
            return;
        }
        deleteTree(cfg.stackDataDir);
        System.out.printf(
                "Starting the local stack in this JVM (data in %s, logs in %s) ...%n",
                cfg.stackDataDir, cfg.reportDir.resolve("logs"));
        LocalStack.Builder b =
                LocalStack.builder()
                        .dataDir(cfg.stackDataDir)
                        .freePorts()
                        .partitions(cfg.partitions)
                        .parallelism(cfg.parallelism)
                        .slots(Math.max(4, cfg.parallelism * 2))
                        .stateBackend(cfg.stateBackend)
                        .checkpointInterval(cfg.checkpointInterval)
                        .sandboxLedger("load-" + run)
                        .restore(false)
                        .savepointOnStop(false)
                        .failOnJobError(cfg.requireJobs)
                        // A load test measures the pipeline, not the pacing limits.
                        .jobOption("pacing.pool-default.rate", "1000000");
        cfg.jobOptions.forEach(b::jobOption);
        long t0 = System.nanoTime();
        stack = b.build().start();
        stackStartMs = (System.nanoTime() - t0) / 1_000_000;
        edgeUrl = stack.edgeUrl();
        apiKey = stack.apiKey();
        bootstrap = stack.bootstrapServers();
        jdbcUrl = stack.jdbcUrl();
        jdbcUser = stack.jdbcUser();
        jdbcPassword = stack.jdbcPassword();
        flinkUrl = stack.flinkUrl();
        jobs = stack.jobNames();
        System.out.print(stack.describe());
    }

    private SandboxLedger ledger() {
        return stack == null ? null : stack.sandboxLedger();
    }

    // ---- the run ------------------------------------------------------------------------------

    private boolean runLoad() throws Exception {
        int txMax =
                cfg.txCount >= 0
                        ? cfg.txCount
                        : (int)
                                Math.min(
                                        1_000_000, Math.ceil(cfg.txRate * cfg.timeout.toSeconds()));
        System.out.printf(
                "Run %s: %,d marketing recipients (template %d KiB) + transactional at %.0f/s%n",
                run, cfg.marketing, cfg.templateKb, cfg.txRate);

        post("/v1/templates", workload.txTemplateRequest(), 201);
        post("/v1/templates", workload.marketingTemplateRequest(), 201);
        int suppressed = loadSuppressions(txMax);
        System.out.printf(
                "Templates stored; %,d addresses put on the suppression list%n", suppressed);
        // Suppressions travel through their own topic; give the pipeline a moment to read them
        // before the jobs that they must stop arrive.
        Thread.sleep(3000);
        warmUp();

        EventTracker tracker =
                new EventTracker(
                        workload, bootstrap, Topics.EVENTS.name(cfg.topicPrefix), cfg.marketing);
        tracker.start();
        ProcessStats procs =
                new ProcessStats(
                        cfg.stackPid,
                        stack == null ? cfg.pgDataDir : stack.dataDir().resolve("postgres"));
        List<Map<String, Object>> samples = new ArrayList<>();
        long t0 = System.currentTimeMillis();
        long deadline = t0 + cfg.timeout.toMillis();

        Thread producer = new Thread(() -> produceMarketing(tracker), "load-marketing-producer");
        Thread txSender = new Thread(() -> sendTransactional(tracker, txMax, t0), "load-tx-sender");
        producer.setDaemon(true);
        txSender.setDaemon(true);
        producer.start();
        txSender.start();

        Progress progress = new Progress(cfg.progressBar);
        long lastDone = -1;
        long lastChange = System.currentTimeMillis();
        long lastPgSample = 0;
        long pgSent = 0;
        String stopReason = "all jobs reached an outcome";
        long ledgerBase = ledger() == null ? 0 : ledger().total();
        while (true) {
            Thread.sleep(1000);
            long now = System.currentTimeMillis();
            long mkDone = tracker.done(MK);
            long txDone = tracker.done(TX);
            if (now - lastPgSample >= 3000) {
                pgSent = pgCount();
                lastPgSample = now;
            }
            ProcessStats.Sample s = procs.sample();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("t", (now - t0) / 1000.0);
            row.put("marketingEnqueued", mkAcked.get());
            row.put("transactionalEnqueued", txAccepted.get());
            row.put("marketingDone", mkDone);
            row.put("transactionalDone", txDone);
            row.put("relayAccepted", ledger() == null ? null : ledger().total() - ledgerBase);
            row.put("pgSentOrLater", pgSent);
            row.put("jvmCores", round(s.mainCores(), 2));
            row.put("postgresCores", round(s.childCores(), 2));
            row.put("machineCpuPct", round(s.machineCpuPct(), 1));
            row.put("jvmRssMb", s.mainRssBytes() >> 20);
            row.put("postgresPssMb", s.childPssBytes() >> 20);
            row.put("heapUsedMb", s.heapUsedBytes() >> 20);
            samples.add(row);

            long total = cfg.marketing + txAccepted.get();
            progress.show(
                    mkDone + txDone, Math.max(total, 1), now - t0, tracker, txAccepted.get(), s);
            if (tracker.failure() != null) {
                stopReason = "event tracker failed: " + tracker.failure();
                break;
            }
            boolean enqueueDone = mkProduceEndMs > 0 && txEndMs > 0;
            if (enqueueDone && mkDone >= cfg.marketing && txDone >= txAccepted.get()) {
                break;
            }
            if (cfg.marketing > 0 && mkDone >= cfg.marketing) {
                stopTx = true; // the campaign is through: the steady transactional stream ends too
            }
            if (mkDone + txDone != lastDone) {
                lastDone = mkDone + txDone;
                lastChange = now;
            } else if (now - lastChange > cfg.idleTimeout.toMillis()) {
                stopReason = "nothing new for " + cfg.idleTimeout.toSeconds() + " s (idle timeout)";
                break;
            }
            if (now > deadline) {
                stopReason = "timeout after " + cfg.timeout.toSeconds() + " s";
                break;
            }
        }
        progress.finish();
        stopTx = true;
        txSender.join(10_000);
        producer.join(10_000);
        long endMs = System.currentTimeMillis();
        // Committed events lag by up to one checkpoint; the loop above waited for them.
        tracker.close();
        System.out.println("Stopped: " + stopReason);

        LoadReport report =
                new LoadReport(cfg, run, workload, tracker, samples, ProcessStats.cores());
        report.stackStartMs = stackStartMs;
        report.jobs = jobs;
        report.flinkUrl = flinkUrl;
        report.stopReason = stopReason;
        report.startMs = t0;
        report.endMs = endMs;
        report.mkEnqueued = mkAcked.get();
        report.mkSendErrors = mkSendErrors.get();
        report.mkProduceStartMs = mkProduceStartMs;
        report.mkProduceEndMs = mkProduceEndMs;
        report.txPosted = txPosted.get();
        report.txAccepted = txAccepted.get();
        report.txRejected = txRejected.get();
        report.txStartMs = txStartMs;
        report.txEndMs = txEndMs;
        report.suppressedLoaded = suppressed;
        for (int k = 0; k < report.txKinds.length; k++) {
            report.txKinds[k] = txKinds.get(k);
        }
        report.pgByStatus = pgByStatus(tracker);
        report.pgLatency = pgLatency();
        reconcileLedger(report, tracker);
        report.compute();
        report.print(System.out);
        Path json = report.writeJson(cfg.reportDir.resolve("load-report-" + run + ".json"));
        Path svg = report.writeSvg(cfg.reportDir.resolve("load-report-" + run + ".svg"));
        Files.copy(
                json,
                cfg.reportDir.resolve("latest.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(
                svg,
                cfg.reportDir.resolve("latest.svg"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        System.out.println("Report: " + json + " and " + svg);
        return report.balanced();
    }

    /**
     * Sends a small campaign and a few transactional emails with the run's templates and waits for
     * their outcomes, so that the measured run starts on a warm system (templates compiled,
     * connections open, the JIT past its first tier) as a production pipeline is when a campaign
     * starts. Its jobs have their own ids, campaign and run id: none is counted.
     */
    private void warmUp() throws Exception {
        if (cfg.warmup <= 0) {
            return;
        }
        Workload w = workload.warmup();
        int tx = cfg.txRate > 0 ? Math.max(20, cfg.warmup / 40) : 0;
        long t0 = System.currentTimeMillis();
        EventTracker tracker =
                new EventTracker(w, bootstrap, Topics.EVENTS.name(cfg.topicPrefix), cfg.warmup);
        tracker.start();
        try {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(
                    ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                    ByteArraySerializer.class.getName());
            p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
            String topic = Topics.JOBS_MARKETING.name(cfg.topicPrefix);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
                for (int seq = 0; seq < cfg.warmup; seq++) {
                    producer.send(
                            new ProducerRecord<>(
                                    topic,
                                    w.marketingJobId(seq)
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                                    Json.toBytes(w.marketingJob(seq, Instant.now()))));
                }
                producer.flush();
            }
            int accepted = 0;
            for (int seq = 0; seq < tx; seq++) {
                HttpResponse<String> r =
                        http.send(
                                request("/v1/emails", w.txRequest(seq)),
                                HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 202) {
                    accepted++;
                }
                Thread.sleep(20);
            }
            long deadline = System.currentTimeMillis() + 180_000;
            while ((tracker.done(MK) < cfg.warmup || tracker.done(TX) < accepted)
                    && System.currentTimeMillis() < deadline) {
                Thread.sleep(500);
            }
            System.out.printf(
                    "Warm-up (not measured): %,d of %,d marketing and %d of %d transactional"
                            + " emails finished in %.1f s%n",
                    tracker.done(MK),
                    cfg.warmup,
                    tracker.done(TX),
                    accepted,
                    (System.currentTimeMillis() - t0) / 1000.0);
        } finally {
            tracker.close();
        }
    }

    // ---- enqueueing ---------------------------------------------------------------------------

    private void produceMarketing(EventTracker tracker) {
        if (cfg.marketing == 0) {
            mkProduceStartMs = mkProduceEndMs = System.currentTimeMillis();
            return;
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, Long.toString(128L << 20));
        String topic = Topics.JOBS_MARKETING.name(cfg.topicPrefix);
        long start = System.nanoTime();
        mkProduceStartMs = System.currentTimeMillis();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            for (int seq = 0; seq < cfg.marketing; seq++) {
                if (cfg.marketingRate > 0) {
                    long due = start + (long) (seq * 1e9 / cfg.marketingRate);
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                long now = System.currentTimeMillis();
                tracker.mkEnqueuedAt.set(seq, now);
                byte[] value = Json.toBytes(workload.marketingJob(seq, Instant.ofEpochMilli(now)));
                byte[] key =
                        workload.marketingJobId(seq)
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                producer.send(
                        new ProducerRecord<>(topic, key, value),
                        (md, e) -> {
                            if (e == null) {
                                mkAcked.incrementAndGet();
                            } else {
                                mkSendErrors.incrementAndGet();
                            }
                        });
            }
            producer.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        mkProduceEndMs = System.currentTimeMillis();
    }

    private void sendTransactional(EventTracker tracker, int txMax, long t0) {
        txStartMs = System.currentTimeMillis();
        if (cfg.txRate <= 0 || txMax == 0) {
            txEndMs = txStartMs;
            return;
        }
        Semaphore inFlight = new Semaphore(cfg.txConnections * 4);
        long start = System.nanoTime();
        long seq = 0;
        try {
            while (seq < txMax && !stopTx) {
                if (cfg.marketing == 0
                        && cfg.txCount < 0
                        && System.currentTimeMillis() - t0 > cfg.txSeconds * 1000L) {
                    break;
                }
                long due = start + (long) (seq * 1e9 / cfg.txRate);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
                    continue;
                }
                long postedAt = System.currentTimeMillis();
                int kind = workload.kind(seq, true).ordinal();
                txPosted.incrementAndGet();
                HttpRequest req =
                        HttpRequest.newBuilder(URI.create(edgeUrl + "/v1/emails"))
                                .timeout(Duration.ofSeconds(10))
                                .header("Authorization", "Bearer " + apiKey)
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(workload.txRequest(seq)))
                                .build();
                http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                        .whenComplete(
                                (r, e) -> {
                                    inFlight.release();
                                    if (e == null && r.statusCode() == 202) {
                                        try {
                                            for (JsonNode j :
                                                    json.readTree(r.body()).path("jobs")) {
                                                tracker.txEnqueuedAt.put(
                                                        j.path("id").asText(), postedAt);
                                                txAccepted.incrementAndGet();
                                                txKinds.incrementAndGet(kind);
                                            }
                                        } catch (IOException ex) {
                                            txRejected.incrementAndGet();
                                        }
                                    } else {
                                        txRejected.incrementAndGet();
                                    }
                                });
                seq++;
            }
            inFlight.tryAcquire(cfg.txConnections * 4, 15, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        txEndMs = System.currentTimeMillis();
    }

    /** Puts this run's SUPPRESSED-kind addresses on the suppression list through the API. */
    private int loadSuppressions(int txMax) throws Exception {
        List<String> addresses = new ArrayList<>();
        for (int seq = 0; seq < cfg.marketing; seq++) {
            if (workload.kind(seq, false) == Workload.Kind.SUPPRESSED) {
                addresses.add(workload.address(seq, false));
            }
        }
        for (int seq = 0; seq < txMax; seq++) {
            if (workload.kind(seq, true) == Workload.Kind.SUPPRESSED) {
                addresses.add(workload.address(seq, true));
            }
        }
        Semaphore inFlight = new Semaphore(16);
        AtomicLong failed = new AtomicLong();
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (String a : addresses) {
            inFlight.acquire();
            all.add(
                    http.sendAsync(
                                    request(
                                            "/v1/suppressions",
                                            "{\"address\":\"" + a + "\",\"reason\":\"MANUAL\"}"),
                                    HttpResponse.BodyHandlers.discarding())
                            .whenComplete(
                                    (r, e) -> {
                                        inFlight.release();
                                        if (e != null || r.statusCode() / 100 != 2) {
                                            failed.incrementAndGet();
                                        }
                                    }));
        }
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
        if (failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " suppressions were refused by the API");
        }
        return addresses.size();
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create(edgeUrl + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
    }

    private void post(String path, String body, int expected) throws Exception {
        HttpResponse<String> r =
                http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(
                    "POST " + path + " answered " + r.statusCode() + ": " + r.body());
        }
    }

    // ---- reconciliation -----------------------------------------------------------------------

    private Connection db() throws Exception {
        return DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword);
    }

    /** Marketing rows of this run at SENT or beyond (cheap: the campaign index). */
    private long pgCount() {
        try (Connection c = db();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM email_job WHERE campaign_id = ? AND status_rank >= 4")) {
            ps.setString(1, workload.campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        } catch (Exception e) {
            return -1;
        }
    }

    /** email_job rows of this run: lane → status → count. */
    private Map<String, Map<String, Long>> pgByStatus(EventTracker tracker) {
        Map<String, Map<String, Long>> out = new LinkedHashMap<>();
        try (Connection c = db()) {
            // The pipeline's batched upserts flush every 200 ms and on checkpoints.
            Thread.sleep(1000);
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT status, count(*) FROM email_job WHERE campaign_id = ? GROUP BY status")) {
                ps.setString(1, workload.campaignId);
                out.put("marketing", counts(ps));
            }
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT status, count(*) FROM email_job WHERE job_id = ANY(?) GROUP BY status")) {
                ps.setArray(1, c.createArrayOf("text", tracker.txEnqueuedAt.keySet().toArray()));
                out.put("transactional", counts(ps));
            }
        } catch (Exception e) {
            out.put("error", Map.of(e.toString(), -1L));
        }
        return out;
    }

    /** Latency by PostgreSQL's own columns: sent_at - created_at, per lane (ms percentiles). */
    private Map<String, Map<String, Double>> pgLatency() {
        Map<String, Map<String, Double>> out = new LinkedHashMap<>();
        String sql =
                "SELECT percentile_cont(ARRAY[0.5,0.95,0.99,1.0]) WITHIN GROUP (ORDER BY"
                        + " extract(epoch FROM sent_at - created_at) * 1000) FROM email_job"
                        + " WHERE campaign_id = ? AND sent_at IS NOT NULL";
        try (Connection c = db();
                PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, workload.campaignId);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getArray(1) != null) {
                    Object[] v = (Object[]) rs.getArray(1).getArray();
                    Map<String, Double> m = new LinkedHashMap<>();
                    String[] names = {"p50", "p95", "p99", "max"};
                    for (int i = 0; i < v.length; i++) {
                        m.put(
                                names[i],
                                v[i] == null ? null : round(((Number) v[i]).doubleValue(), 1));
                    }
                    out.put("marketing", m);
                }
            }
        } catch (Exception e) {
            out.put("error", Map.of(e.toString(), -1.0));
        }
        return out;
    }

    private static Map<String, Long> counts(PreparedStatement ps) throws Exception {
        Map<String, Long> m = new TreeMap<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                m.put(rs.getString(1), rs.getLong(2));
            }
        }
        return m;
    }

    /** What the sandbox relay itself counted for this run's jobs (in-process stack only). */
    private void reconcileLedger(LoadReport report, EventTracker tracker) {
        SandboxLedger l = ledger();
        if (l == null) {
            return;
        }
        long accepted = 0;
        long duplicates = 0;
        for (int seq = 0; seq < cfg.marketing; seq++) {
            int n = l.accepted(workload.marketingJobId(seq));
            accepted += n > 0 ? 1 : 0;
            duplicates += Math.max(0, n - 1);
        }
        for (String id : tracker.txEnqueuedAt.keySet()) {
            int n = l.accepted(id);
            accepted += n > 0 ? 1 : 0;
            duplicates += Math.max(0, n - 1);
        }
        report.relayAccepted = accepted;
        report.relayDuplicates = duplicates;
    }

    // ---- helpers ------------------------------------------------------------------------------

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes a)
                            throws IOException {
                        Files.delete(f);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    /** A one-line progress bar with the current rate, redrawn in place. */
    static final class Progress {
        private final boolean bar;
        private final long[] history = new long[6];
        private int n;

        Progress(boolean bar) {
            this.bar = bar;
        }

        void show(
                long done,
                long total,
                long elapsedMs,
                EventTracker t,
                long txEnqueued,
                ProcessStats.Sample s) {
            history[n % history.length] = done;
            n++;
            int span = Math.min(n - 1, history.length - 1);
            long rate = span == 0 ? 0 : (done - history[(n - 1 - span) % history.length]) / span;
            double f = Math.min(1.0, done / (double) total);
            int width = 30;
            int full = (int) (f * width);
            String line =
                    String.format(
                            Locale.ROOT,
                            "[%s%s] %5.1f%% %,d/%,d  %,d/s  tx %,d/%,d  cpu %.1f cores  rss %,d MB  %ds",
                            "#".repeat(full),
                            "-".repeat(width - full),
                            f * 100,
                            done,
                            total,
                            rate,
                            t.done(TX),
                            txEnqueued,
                            s.mainCores() + s.childCores(),
                            (s.mainRssBytes() + s.childPssBytes()) >> 20,
                            elapsedMs / 1000);
            if (bar) {
                System.out.print("\r" + line + "   ");
            } else if (n % 10 == 1) {
                System.out.println(line);
            }
            System.out.flush();
        }

        void finish() {
            if (bar) {
                System.out.println();
            }
        }
    }
}
