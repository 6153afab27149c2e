package io.sendline.stack;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.embedded.FlinkMiniCluster;
import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole of Sendline in one JVM, for development, demos and load tests: a KRaft Kafka broker
 * with every catalogue topic, PostgreSQL with the migrations applied, the HTTP edge, a Flink
 * MiniCluster (web UI) running every job that exists ({@link StackJobs}), and the sandbox relay for
 * every sending pool, reporting its webhook events back to the edge.
 *
 * <p>Data (PostgreSQL, Kafka logs, checkpoints, savepoints, generated secrets) lives under {@link
 * Builder#dataDir(Path)} and is kept between runs. {@link #close()} stops the jobs with a savepoint
 * (the next start restores them from it), then the edge, Flink, Kafka and PostgreSQL, in that
 * order: a job cancelled after the broker is gone blocks for a minute in its sink's abort
 * (STACK.md).
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().dataDir(Path.of(".stack-data")).build().start()) {
 *     System.out.println(stack.describe());
 * }
 * }</pre>
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    /** Name of the sandbox ledger the stack's relays count into (JVM-wide, see SandboxLedger). */
    public static final String DEFAULT_LEDGER = "local-stack";

    /** The key id the stack's API key is configured under at the edge. */
    public static final String API_KEY_ID = "local";

    private final Builder cfg;
    private final Path dataDir;
    private final String apiKey;
    private final String trackingSecret;
    private final String sandboxSecret;

    private EmbeddedPostgres postgres;
    private EmbeddedKafka kafka;
    private EdgeServer edge;
    private FlinkMiniCluster flink;
    private final Map<String, JobClient> jobs = new LinkedHashMap<>();
    private final Map<String, String> restoredFrom = new LinkedHashMap<>();
    private final Map<String, String> failedJobs = new LinkedHashMap<>();
    private long startMillis;
    private volatile boolean closed;

    private LocalStack(Builder b) {
        this.cfg = b;
        this.dataDir = b.dataDir.toAbsolutePath().normalize();
        Properties secrets = loadSecrets(dataDir);
        this.apiKey = b.apiKey != null ? b.apiKey : secrets.getProperty("api-key");
        this.trackingSecret = secrets.getProperty("tracking-secret");
        this.sandboxSecret = secrets.getProperty("sandbox-webhook-secret");
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts every part, in dependency order; on any failure stops what was started and rethrows.
     */
    public LocalStack start() {
        long t0 = System.nanoTime();
        try {
            Files.createDirectories(dataDir);
            postgres = EmbeddedPostgres.start(port(cfg.postgresPort), dataDir.resolve("postgres"));
            int applied = Migrations.apply(postgres.dataSource());
            LOG.info("PostgreSQL migrations applied: {}", applied);

            kafka = EmbeddedKafka.start(port(cfg.kafkaPort), dataDir.resolve("kafka"));
            Map<String, Boolean> topics = new LinkedHashMap<>();
            for (Topics t : Topics.values()) {
                topics.put(t.name(cfg.topicPrefix), t.compacted());
            }
            kafka.createTopics(topics, cfg.partitions);

            edge = EdgeServer.builder().config(edgeConfig()).build().start();

            Configuration cluster = new Configuration();
            // Shown in the web UI; the stack's jobs share the slots of one TaskManager.
            cluster.setString("web.submit.enable", "false");
            cluster.setString("web.cancel.enable", "true");
            // RocksDB's write buffers come from managed memory, shared by the slots: the
            // MiniCluster's default leaves each stateful operator a few MB and RocksDB flushing
            // constantly.
            cluster.setString("taskmanager.memory.managed.size", cfg.managedMemory);
            String logDir = System.getProperty("sendline.stack.logdir");
            if (logDir != null) {
                // The web UI's "Job Manager > Logs" tab shows the stack's log.
                cluster.setString("web.log.path", Path.of(logDir, "stack.log").toString());
            }
            flink = FlinkMiniCluster.start(1, cfg.slots, restPort(cfg.flinkPort), cluster);

            for (StackJob job : StackJobs.available()) {
                startJob(job);
            }
            startMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            LOG.info("Local stack up in {} ms", startMillis);
            return this;
        } catch (RuntimeException | IOException e) {
            LOG.error("Local stack failed to start; stopping what was started", e);
            close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    private void startJob(StackJob job) {
        Path savepoint = latestSavepoint(job.name());
        if (savepoint != null) {
            try {
                JobClient client = job.start(context(job.name(), savepoint));
                Throwable failure = awaitRunning(client, cfg.jobStartTimeout);
                if (failure == null) {
                    jobs.put(job.name(), client);
                    restoredFrom.put(job.name(), savepoint.toString());
                    LOG.info("Job {} running, restored from {}", job.name(), savepoint);
                    return;
                }
                quietlyCancel(client);
                // A savepoint of an older build may not fit the job graph any more.
                LOG.warn(
                        "Job {} could not restore {}; starting it afresh",
                        job.name(),
                        savepoint,
                        failure);
            } catch (Exception e) {
                LOG.warn(
                        "Job {} could not restore {}; starting it afresh",
                        job.name(),
                        savepoint,
                        e);
            }
        }
        Throwable failure;
        try {
            JobClient client = job.start(context(job.name(), null));
            failure = awaitRunning(client, cfg.jobStartTimeout);
            if (failure == null) {
                jobs.put(job.name(), client);
                LOG.info("Job {} running", job.name());
                return;
            }
            quietlyCancel(client);
        } catch (Exception e) {
            failure = e;
        }
        // The rest of the stack stays useful (API, web UI, the other jobs): report, keep going.
        LOG.error("Job {} could not start; the stack runs without it", job.name(), failure);
        failedJobs.put(job.name(), rootMessage(failure));
        if (cfg.failOnJobError) {
            throw new IllegalStateException("Could not start job " + job.name(), failure);
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getName() : root.getMessage();
    }

    /**
     * Waits until every task of the job runs. Returns null then, or the job's failure (a job that
     * fails while starting keeps restarting, so its failure is the answer, not a timeout).
     */
    private Throwable awaitRunning(JobClient client, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            AccessExecutionGraph graph =
                    flink.miniCluster()
                            .getExecutionGraph(client.getJobID())
                            .get(30, TimeUnit.SECONDS);
            if (graph.getFailureInfo() != null) {
                return graph.getFailureInfo().getException();
            }
            if (graph.getState().isGloballyTerminalState()) {
                return new IllegalStateException("job ended while starting: " + graph.getState());
            }
            boolean allRunning = true;
            for (AccessExecutionVertex v : graph.getAllExecutionVertices()) {
                ExecutionState st = v.getExecutionState();
                allRunning &= st == ExecutionState.RUNNING || st == ExecutionState.FINISHED;
            }
            if (allRunning && graph.getState() == JobStatus.RUNNING) {
                return null;
            }
            Thread.sleep(200);
        }
        return new IllegalStateException("job's tasks not all running after " + timeout);
    }

    private static void quietlyCancel(JobClient client) {
        try {
            client.cancel().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Cancelling job {} failed", client.getJobID(), e);
        }
    }

    private StackJobContext context(String job, Path savepoint) {
        Configuration stackConf = new Configuration();
        stackConf.setString(
                "execution.checkpointing.interval", cfg.checkpointInterval.toMillis() + "ms");
        stackConf.setString("execution.checkpointing.mode", "EXACTLY_ONCE");
        stackConf.setString("execution.checkpointing.dir", checkpointDir(job).toUri().toString());
        stackConf.setString(
                "execution.checkpointing.savepoint-dir", savepointDir(job).toUri().toString());
        stackConf.setString(
                "execution.checkpointing.externalized-checkpoint-retention",
                "RETAIN_ON_CANCELLATION");
        stackConf.setString("execution.checkpointing.num-retained", "2");
        stackConf.set(StateBackendOptions.STATE_BACKEND, cfg.stateBackend);
        // RocksDB writes its own LOG files beside the process log unless told otherwise.
        stackConf.setString(
                "state.backend.rocksdb.log.dir",
                dataDir.resolve("flink").resolve("rocksdb-logs").toString());
        stackConf.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
        stackConf.setString("parallelism.default", Integer.toString(cfg.parallelism));
        if (savepoint != null) {
            stackConf.setString("execution.state-recovery.path", savepoint.toUri().toString());
            stackConf.setString("execution.state-recovery.ignore-unclaimed-state", "true");
        }
        Function<Configuration, StreamExecutionEnvironment> envFactory =
                jobConf -> {
                    Configuration conf = new Configuration(jobConf);
                    conf.addAll(stackConf);
                    return flink.env(conf);
                };
        return new StackJobContext(
                envFactory,
                kafka.bootstrapServers(),
                cfg.topicPrefix,
                postgres.jdbcUrl(),
                postgres.user(),
                postgres.password(),
                cfg.parallelism,
                cfg.checkpointInterval.toMillis(),
                checkpointDir(job).toUri().toString(),
                edgeUrl(),
                trackingSecret,
                topic -> kafka.createTopic(topic, cfg.partitions, false),
                jobOptions());
    }

    /** Relay and pacing settings every job gets, then the caller's {@code --set} options. */
    private Map<String, String> jobOptions() {
        Map<String, String> o = new LinkedHashMap<>();
        String p = "relay.pool.default.";
        o.put(p + "type", "sandbox");
        o.put(p + "sandbox.ledger", cfg.ledger);
        o.put(p + "sandbox.eventDelay", cfg.sandboxEventDelay.toMillis() + "ms");
        o.put(p + "sandbox.webhookUrl", edgeUrl() + "/webhooks/sandbox");
        o.put(p + "sandbox.webhookSecret", sandboxSecret);
        // A development stack is not warming up IPs: generous rates unless told otherwise.
        o.put("pacing.pool-default.rate", "20000");
        o.putAll(cfg.jobOptions);
        return o;
    }

    private Path checkpointDir(String job) {
        return dataDir.resolve("flink").resolve("checkpoints").resolve(job);
    }

    private Path savepointDir(String job) {
        return dataDir.resolve("flink").resolve("savepoints").resolve(job);
    }

    private Path latestSavepoint(String jobName) {
        if (!cfg.restore) {
            return null;
        }
        Path dir = dataDir.resolve("flink").resolve("savepoints").resolve(jobName);
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (var entries = Files.list(dir)) {
            return entries.filter(d -> Files.exists(d.resolve("_metadata")))
                    .max(
                            (a, b) -> {
                                try {
                                    return Files.getLastModifiedTime(a.resolve("_metadata"))
                                            .compareTo(
                                                    Files.getLastModifiedTime(
                                                            b.resolve("_metadata")));
                                } catch (IOException e) {
                                    throw new UncheckedIOException(e);
                                }
                            })
                    .orElse(null);
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("Could not look for savepoints in {}", dir, e);
            return null;
        }
    }

    private EdgeConfig edgeConfig() {
        return EdgeConfig.builder()
                .host("127.0.0.1")
                .port(cfg.edgePort)
                .apiKeyHash(API_KEY_ID, ApiKeys.hash(apiKey))
                .kafkaBootstrapServers(kafka.bootstrapServers())
                .topicPrefix(cfg.topicPrefix)
                .jdbcUrl(postgres.jdbcUrl())
                .jdbcUser(postgres.user())
                .jdbcPassword(postgres.password())
                .trackingBaseUrl(trackingBaseUrl())
                .trackingSecret(trackingSecret.getBytes(StandardCharsets.UTF_8))
                .sandboxSecret(sandboxSecret.getBytes(StandardCharsets.UTF_8))
                .build();
    }

    /** Stops the jobs (with a savepoint), the edge, Flink, Kafka and PostgreSQL, in that order. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long t0 = System.nanoTime();
        stopJobs();
        if (edge != null) {
            quietly("edge", edge::close);
        }
        if (flink != null) {
            quietly("Flink", flink::close);
        }
        if (kafka != null) {
            quietly("Kafka", kafka::close);
        }
        if (postgres != null) {
            quietly("PostgreSQL", postgres::close);
        }
        LOG.info(
                "Local stack stopped in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private void stopJobs() {
        if (flink == null) {
            return;
        }
        for (Map.Entry<String, JobClient> e : jobs.entrySet()) {
            if (!cfg.savepointOnStop) {
                break;
            }
            try {
                String path =
                        e.getValue()
                                .stopWithSavepoint(
                                        false,
                                        savepointDir(e.getKey()).toUri().toString(),
                                        SavepointFormatType.CANONICAL)
                                .get(cfg.stopTimeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("Job {} stopped with savepoint {}", e.getKey(), path);
            } catch (Exception ex) {
                LOG.warn("Job {} did not stop with a savepoint; cancelling it", e.getKey(), ex);
            }
        }
        // Whatever is still running (no savepoint wanted, or it failed) is cancelled here, while
        // the broker is still up.
        flink.cancelAllJobs();
    }

    private static void quietly(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("Stopping {} failed", what, e);
        }
    }

    // ---- what runs where ----------------------------------------------------------------------

    public String apiKey() {
        return apiKey;
    }

    public String edgeUrl() {
        return "http://127.0.0.1:" + edge.port();
    }

    /** Base URL of tracking links (open pixel, clicks, unsubscribe): the edge. */
    public String trackingBaseUrl() {
        return "http://localhost:" + (edge != null ? edge.port() : cfg.edgePort);
    }

    public String trackingSecret() {
        return trackingSecret;
    }

    public String sandboxWebhookSecret() {
        return sandboxSecret;
    }

    public String flinkUrl() {
        return flink.webUrl();
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    public String topicPrefix() {
        return cfg.topicPrefix;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl();
    }

    public String jdbcUser() {
        return postgres.user();
    }

    public String jdbcPassword() {
        return postgres.password();
    }

    public EmbeddedKafka kafka() {
        return kafka;
    }

    public EmbeddedPostgres postgres() {
        return postgres;
    }

    public FlinkMiniCluster flink() {
        return flink;
    }

    public EdgeServer edge() {
        return edge;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** The sandbox ledger every pool's relay counts accepted messages into. */
    public SandboxLedger sandboxLedger() {
        return SandboxLedger.named(cfg.ledger);
    }

    /** Names of the jobs the stack started, in start order. */
    public List<String> jobNames() {
        return Collections.unmodifiableList(new ArrayList<>(jobs.keySet()));
    }

    /** Jobs of {@link StackJobs#all()} that this build does not have yet. */
    public List<String> missingJobs() {
        return StackJobs.all().stream().filter(j -> !j.available()).map(StackJob::name).toList();
    }

    /** Jobs that failed to start, with the reason (the stack runs without them). */
    public Map<String, String> failedJobs() {
        return Collections.unmodifiableMap(failedJobs);
    }

    /** Job name to the savepoint it was restored from. */
    public Map<String, String> restoredFrom() {
        return Collections.unmodifiableMap(restoredFrom);
    }

    /** How long {@link #start()} took. */
    public long startMillis() {
        return startMillis;
    }

    /** A table of what runs where, for people. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        String line = "-".repeat(100) + "\n";
        s.append(line);
        s.append(String.format("Sendline local stack: up in %.1f s%n", startMillis / 1000.0));
        s.append(line);
        row(s, "Flink web UI", "http://localhost:" + flink.restPort(), "REST API on the same port");
        for (String name : jobNames()) {
            row(
                    s,
                    "  job",
                    name,
                    restoredFrom.containsKey(name)
                            ? "restored from its savepoint"
                            : "started afresh; checkpoint every "
                                    + cfg.checkpointInterval.toMillis()
                                    + " ms");
        }
        for (Map.Entry<String, String> f : failedJobs.entrySet()) {
            row(s, "  job", f.getKey(), "FAILED to start: " + f.getValue() + " (see the log)");
        }
        for (String name : missingJobs()) {
            row(s, "  job", name, "not in this build yet");
        }
        row(
                s,
                "HTTP edge (API)",
                "http://localhost:" + edge.port(),
                "POST /v1/emails, /v1/templates ...; GET /openapi.yaml");
        row(s, "  API key", apiKey, "Authorization: Bearer <key>");
        row(
                s,
                "Kafka bootstrap",
                bootstrapServers(),
                Topics.values().length + " catalogue topics x " + cfg.partitions + " partitions");
        row(s, "PostgreSQL", jdbcUrl(), "user " + jdbcUser() + ", password " + jdbcPassword());
        row(s, "Sandbox relay", "every pool", "webhooks to " + edgeUrl() + "/webhooks/sandbox");
        row(s, "Data", dataDir.toString(), "kept between runs (--fresh wipes it)");
        s.append(line);
        return s.toString();
    }

    private static void row(StringBuilder s, String what, String where, String note) {
        s.append(String.format("%-18s %-48s %s%n", what, where, note));
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static int port(int configured) throws IOException {
        return configured > 0 ? configured : freePort();
    }

    private static int restPort(int configured) throws IOException {
        return configured > 0 ? configured : freePort();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * Secrets generated on the first run and kept in {@code <dataDir>/secrets.properties}, so that
     * API keys, tracking links and webhook signatures stay valid across restarts.
     */
    private static Properties loadSecrets(Path dataDir) {
        Path file = dataDir.resolve("secrets.properties");
        Properties p = new Properties();
        try {
            Files.createDirectories(dataDir);
            if (Files.exists(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    p.load(in);
                }
            }
            boolean changed = false;
            changed |= generate(p, "api-key", "sl_local_", 16);
            changed |= generate(p, "tracking-secret", "", 32);
            changed |= generate(p, "sandbox-webhook-secret", "", 24);
            if (changed) {
                try (OutputStream out = Files.newOutputStream(file)) {
                    p.store(out, "Generated by the Sendline local stack; delete to regenerate");
                }
            }
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or write " + file, e);
        }
    }

    private static boolean generate(Properties p, String key, String prefix, int bytes) {
        if (p.getProperty(key) != null && !p.getProperty(key).isBlank()) {
            return false;
        }
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        p.setProperty(key, prefix + HexFormat.of().formatHex(b));
        return true;
    }

    /** Configures a {@link LocalStack}; defaults are the documented local ports. */
    public static final class Builder {
        private Path dataDir = Path.of(".stack-data");
        private int kafkaPort = 9092;
        private int postgresPort = 15432;
        private int flinkPort = 8081;
        private int edgePort = 8080;
        private int partitions = 4;
        private int slots = 8;
        private int parallelism = 2;
        private String topicPrefix = "";
        private String apiKey;
        private String ledger = DEFAULT_LEDGER;
        private Duration checkpointInterval = Duration.ofSeconds(2);
        private Duration sandboxEventDelay = Duration.ofMillis(200);
        private Duration stopTimeout = Duration.ofSeconds(60);
        private Duration jobStartTimeout = Duration.ofSeconds(90);
        private String stateBackend = "rocksdb";
        private boolean restore = true;
        private boolean savepointOnStop = true;
        private boolean failOnJobError = false;
        private String managedMemory = "1g";
        private final Map<String, String> jobOptions = new LinkedHashMap<>();

        private Builder() {}

        /** Where PostgreSQL, Kafka, checkpoints, savepoints and secrets are kept. */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dataDir");
            return this;
        }

        /** Kafka port (default 9092); 0 picks a free one. */
        public Builder kafkaPort(int port) {
            this.kafkaPort = port;
            return this;
        }

        /** PostgreSQL port (default 15432); 0 picks a free one. */
        public Builder postgresPort(int port) {
            this.postgresPort = port;
            return this;
        }

        /** Flink REST / web UI port (default 8081); 0 picks a free one. */
        public Builder flinkPort(int port) {
            this.flinkPort = port;
            return this;
        }

        /** Edge port (default 8080); 0 picks a free one. */
        public Builder edgePort(int port) {
            this.edgePort = port;
            return this;
        }

        /** Every port picked free (tests, a second stack beside a running one). */
        public Builder freePorts() {
            return kafkaPort(0).postgresPort(0).flinkPort(0).edgePort(0);
        }

        /** Partitions of each topic created (default 4). */
        public Builder partitions(int n) {
            this.partitions = n;
            return this;
        }

        /** Task slots of the MiniCluster's TaskManager (default 8). */
        public Builder slots(int n) {
            this.slots = n;
            return this;
        }

        /** Parallelism of the jobs (default 2). */
        public Builder parallelism(int n) {
            this.parallelism = n;
            return this;
        }

        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix == null ? "" : prefix;
            return this;
        }

        /** The API key to accept (default: generated once and kept in the data directory). */
        public Builder apiKey(String key) {
            this.apiKey = key == null || key.isBlank() ? null : key;
            return this;
        }

        /** Name of the JVM-wide sandbox ledger (default {@value #DEFAULT_LEDGER}). */
        public Builder sandboxLedger(String name) {
            this.ledger = name;
            return this;
        }

        /** Delay before the sandbox reports each webhook event (default 200 ms). */
        public Builder sandboxEventDelay(Duration d) {
            this.sandboxEventDelay = d;
            return this;
        }

        /** Checkpoint interval of every job (default 2 s). */
        public Builder checkpointInterval(Duration d) {
            this.checkpointInterval = d;
            return this;
        }

        /** {@code rocksdb} (default) or {@code hashmap}. */
        public Builder stateBackend(String backend) {
            this.stateBackend = backend;
            return this;
        }

        /** Restore jobs from their newest savepoint in the data directory (default true). */
        public Builder restore(boolean restore) {
            this.restore = restore;
            return this;
        }

        /** Stop jobs with a savepoint on {@link #close()} (default true); else cancel them. */
        public Builder savepointOnStop(boolean savepoint) {
            this.savepointOnStop = savepoint;
            return this;
        }

        /** Flink managed memory (RocksDB) of the TaskManager, e.g. {@code 1g} (the default). */
        public Builder managedMemory(String size) {
            this.managedMemory = Objects.requireNonNull(size);
            return this;
        }

        /** Fail {@link LocalStack#start()} when a job does not start (default: run without it). */
        public Builder failOnJobError(boolean fail) {
            this.failOnJobError = fail;
            return this;
        }

        /** A job option (e.g. {@code pacing.pool.marketing.rate=5000}), overriding the stack's. */
        public Builder jobOption(String key, String value) {
            this.jobOptions.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
            return this;
        }

        /** Checks the settings; {@link LocalStack#start()} then starts it. */
        public LocalStack build() {
            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, Integer> p :
                    Map.of(
                                    "kafka port", kafkaPort,
                                    "postgres port", postgresPort,
                                    "flink port", flinkPort,
                                    "edge port", edgePort)
                            .entrySet()) {
                if (p.getValue() < 0 || p.getValue() > 65535) {
                    problems.add(p.getKey() + " must be 0..65535, got " + p.getValue());
                }
            }
            if (partitions < 1) {
                problems.add("partitions must be >= 1");
            }
            if (parallelism < 1 || parallelism > slots) {
                problems.add(
                        "parallelism must be 1.." + slots + " (the slots), got " + parallelism);
            }
            if (!stateBackend.equals("rocksdb") && !stateBackend.equals("hashmap")) {
                problems.add("state backend must be rocksdb or hashmap, got " + stateBackend);
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid local stack settings: " + String.join("; ", problems));
            }
            return new LocalStack(this);
        }
    }
}
