package io.sendline.send;

import io.sendline.schemas.EmailType;
import io.sendline.schemas.Topics;
import io.sendline.send.dispatch.InDoubtPolicy;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.util.ParameterTool;
import org.apache.flink.util.TimeUtils;

/**
 * Every setting of the send-pipeline job, with its key, default and validation in one place.
 *
 * <p>Options come from command-line arguments ({@code --kafka.bootstrap-servers localhost:9092}),
 * from a properties file ({@code --config send-pipeline.properties}), or from {@link #builder()}.
 * Keys under the prefixes {@code pacing.}, {@code relay.}, {@code compose.} and {@code retry.} are
 * passed through to the shared libraries that own them ({@code PacingConfig}, {@code RelayFactory},
 * the composer and {@code RetryPolicy}); any other unknown key is an error, so a typo never
 * silently falls back to a default. Durations use Flink's syntax: {@code 500ms}, {@code 10s},
 * {@code 5min}, {@code 1d}.
 */
public final class SendPipelineOptions implements Serializable {

    private static final long serialVersionUID = 1L;

    // ---- Kafka -------------------------------------------------------------------------------
    /** Kafka bootstrap servers (required). */
    public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";

    /** Short alias of {@link #BOOTSTRAP_SERVERS} accepted on the command line (README's form). */
    public static final String BOOTSTRAP_ALIAS = "kafka.bootstrap";

    /** Prefix in front of every catalogue topic name (see {@link Topics#name(String)}). */
    public static final String TOPIC_PREFIX = "kafka.topic-prefix";

    /** Topic of pacing feedback from dispatch to the throttle (prefixed like the others). */
    public static final String PACING_TOPIC = "kafka.pacing-topic";

    /** Consumer group id of the job's sources (offsets live in checkpoints; this is for lag). */
    public static final String GROUP_ID = "kafka.group-id";

    /** Prefix of the transactional ids of the exactly-once sinks; unique per deployment. */
    public static final String TRANSACTIONAL_ID_PREFIX = "kafka.transactional-id-prefix";

    /** Kafka transaction timeout; must stay below the broker's 15-minute maximum. */
    public static final String TRANSACTION_TIMEOUT = "kafka.transaction-timeout";

    // ---- PostgreSQL --------------------------------------------------------------------------
    /** JDBC URL of PostgreSQL: job status and the send ledger (required). */
    public static final String JDBC_URL = "jdbc.url";

    /** Database user. */
    public static final String JDBC_USER = "jdbc.user";

    /** Database password. */
    public static final String JDBC_PASSWORD = "jdbc.password";

    // ---- Flink -------------------------------------------------------------------------------
    /** Parallelism of every operator; 0 keeps the environment's default. */
    public static final String PARALLELISM = "parallelism";

    /** Max parallelism (number of key groups): the upper limit for rescaling keyed state. */
    public static final String MAX_PARALLELISM = "max-parallelism";

    /** Checkpoint interval: Kafka transactions (events, retries, dead letters) commit on it. */
    public static final String CHECKPOINT_INTERVAL = "checkpoint.interval";

    /** Checkpoint directory URI; empty keeps the cluster's setting. */
    public static final String CHECKPOINT_DIR = "checkpoint.dir";

    // ---- Operators ---------------------------------------------------------------------------
    /** How long the scheduler remembers a job id to drop duplicate records of it. */
    public static final String DEDUPE_TTL = "scheduler.dedupe-ttl";

    /** How long a job waits for its template to arrive before it fails. */
    public static final String TEMPLATE_WAIT = "render.template-wait";

    /** Suppression index buckets (power of two); fixed for the life of a checkpoint lineage. */
    public static final String SUPPRESSION_BUCKETS = "render.suppression-buckets";

    /** Largest number of jobs in flight to the relays per subtask, transactional lane. */
    public static final String CAPACITY_TRANSACTIONAL = "dispatch.capacity.transactional";

    /** Largest number of jobs in flight to the relays per subtask, marketing lane. */
    public static final String CAPACITY_MARKETING = "dispatch.capacity.marketing";

    /** Upper bound on one job's dispatch (ledger, relay, short retries, ledger). */
    public static final String DISPATCH_TIMEOUT = "dispatch.timeout";

    /** What to do with a transactional job whose previous attempt is in doubt. */
    public static final String IN_DOUBT_TRANSACTIONAL = "dispatch.in-doubt.transactional";

    /** What to do with a marketing job whose previous attempt is in doubt. */
    public static final String IN_DOUBT_MARKETING = "dispatch.in-doubt.marketing";

    /** How often a paused throttle key looks again whether it was resumed. */
    public static final String PAUSED_RECHECK = "throttle.paused-recheck";

    /** How many millis worth of its rate a throttle key may send at once after an idle time. */
    public static final String THROTTLE_BURST = "throttle.burst";

    /**
     * Writer threads (each with its own PostgreSQL connection) of each dispatch subtask's send
     * ledger. Every subtask already has its own ledger; more writers split the batches.
     */
    public static final String LEDGER_WRITERS = "dispatch.ledger-writers";

    /** On shutdown or failover, how long dispatch waits for its in-flight sends to be recorded. */
    public static final String DISPATCH_DRAIN = "dispatch.drain-timeout";

    /** Recipient domains that get their own metric label; all others count as "other". */
    public static final String METRIC_DOMAINS = "metrics.domains";

    /**
     * How long a transactional-lane operator may hold a partly filled network buffer before sending
     * it on (Flink's buffer timeout, per operator; 0 = after every record). Each keyed exchange of
     * the lane can add up to this much latency. The default 0 also spares the lane's operators
     * their output-flusher threads: at 5 ms ten of them woke 2,000 times a second, ~3 % of the
     * stack's CPU, for a lane that carries a small share of the records.
     */
    public static final String BUFFER_TIMEOUT_TRANSACTIONAL =
            "latency.buffer-timeout.transactional";

    /**
     * The same for the marketing lane: full buffers are what makes a campaign cheap per email, so
     * this stays at Flink's default.
     */
    public static final String BUFFER_TIMEOUT_MARKETING = "latency.buffer-timeout.marketing";

    /** Status upserts are flushed to PostgreSQL at least this often. */
    public static final String STATUS_BATCH_INTERVAL = "status.batch-interval";

    /** Status upserts are flushed when this many are buffered. */
    public static final String STATUS_BATCH_SIZE = "status.batch-size";

    // ---- Composition (passed to the composer, see docs/send-pipeline.md)
    // -------------------------
    /** Public base URL of the tracking host (the edge), the same as the edge's. */
    public static final String TRACKING_BASE_URL = "compose.tracking.base-url";

    /**
     * HMAC secret of tracking links, the same as the edge's: at least 32 bytes, as text or {@code
     * hex:...} or {@code base64:...}.
     */
    public static final String TRACKING_SECRET = "compose.tracking.secret";

    /** Prefixes of keys owned by the shared libraries and passed through unchanged. */
    public static final List<String> PASS_THROUGH_PREFIXES =
            List.of("pacing.", "relay.", "compose.", "retry.");

    private static final Map<String, String> DEFAULTS = defaults();

    private final Map<String, String> values;

    private SendPipelineOptions(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
    }

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(BOOTSTRAP_SERVERS, "");
        d.put(TOPIC_PREFIX, "");
        d.put(PACING_TOPIC, "email.pacing");
        d.put(GROUP_ID, "sendline-send-pipeline");
        d.put(TRANSACTIONAL_ID_PREFIX, "sendline-send");
        d.put(TRANSACTION_TIMEOUT, "10min");
        d.put(JDBC_URL, "");
        d.put(JDBC_USER, "");
        d.put(JDBC_PASSWORD, "");
        d.put(PARALLELISM, "0");
        d.put(MAX_PARALLELISM, "128");
        d.put(CHECKPOINT_INTERVAL, "5s");
        d.put(CHECKPOINT_DIR, "");
        d.put(DEDUPE_TTL, "1d");
        d.put(TEMPLATE_WAIT, "60s");
        d.put(SUPPRESSION_BUCKETS, "4096");
        d.put(CAPACITY_TRANSACTIONAL, "64");
        d.put(CAPACITY_MARKETING, "256");
        d.put(DISPATCH_TIMEOUT, "2min");
        d.put(IN_DOUBT_TRANSACTIONAL, InDoubtPolicy.RESEND.name());
        d.put(IN_DOUBT_MARKETING, InDoubtPolicy.HOLD.name());
        d.put(PAUSED_RECHECK, "1s");
        d.put(THROTTLE_BURST, "200ms");
        d.put(DISPATCH_DRAIN, "10s");
        d.put(LEDGER_WRITERS, "1");
        d.put(
                METRIC_DOMAINS,
                "gmail.com,googlemail.com,yahoo.com,outlook.com,hotmail.com,live.com,icloud.com,"
                        + "aol.com,gmx.de,web.de");
        d.put(BUFFER_TIMEOUT_TRANSACTIONAL, "0ms");
        d.put(BUFFER_TIMEOUT_MARKETING, "100ms");
        d.put(STATUS_BATCH_INTERVAL, "200ms");
        d.put(STATUS_BATCH_SIZE, "500");
        return d;
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Options from command-line arguments; {@code --config FILE} loads a properties file first and
     * the other arguments override it.
     */
    public static SendPipelineOptions fromArgs(String[] args) {
        ParameterTool cli = ParameterTool.fromArgs(args);
        Builder b = builder();
        if (cli.has("config")) {
            try {
                b.setAll(ParameterTool.fromPropertiesFile(cli.get("config")).toMap());
            } catch (IOException e) {
                throw new IllegalArgumentException(
                        "cannot read --config " + cli.get("config") + ": " + e.getMessage(), e);
            }
        }
        Map<String, String> rest = new LinkedHashMap<>(cli.toMap());
        rest.remove("config");
        String alias = rest.remove(BOOTSTRAP_ALIAS);
        if (alias != null) {
            rest.putIfAbsent(BOOTSTRAP_SERVERS, alias);
        }
        return b.setAll(rest).build();
    }

    /** Every effective value (defaults included), sorted by key. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The raw value of a key ("" when unset and without default). */
    public String get(String key) {
        return values.getOrDefault(key, "");
    }

    /**
     * Keys with the given prefix, e.g. {@code subset("pacing.")} for {@code PacingConfig}. The
     * prefix is kept so the owning library sees its own key names.
     */
    public Map<String, String> subset(String prefix) {
        Map<String, String> out = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith(prefix)) {
                        out.put(k, v);
                    }
                });
        return out;
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    /** The deployment's name of a catalogue topic. */
    public String topic(Topics t) {
        return t.name(get(TOPIC_PREFIX));
    }

    /**
     * The pacing feedback topic (not in the shared catalogue: only this job reads and writes it).
     */
    public String pacingTopic() {
        return get(TOPIC_PREFIX) + get(PACING_TOPIC);
    }

    public String groupId() {
        return get(GROUP_ID);
    }

    public String transactionalIdPrefix() {
        return get(TRANSACTIONAL_ID_PREFIX);
    }

    public Duration transactionTimeout() {
        return duration(TRANSACTION_TIMEOUT);
    }

    public String jdbcUrl() {
        return get(JDBC_URL);
    }

    public String jdbcUser() {
        return get(JDBC_USER);
    }

    public String jdbcPassword() {
        return get(JDBC_PASSWORD);
    }

    public int parallelism() {
        return Integer.parseInt(get(PARALLELISM));
    }

    public int maxParallelism() {
        return Integer.parseInt(get(MAX_PARALLELISM));
    }

    public Duration checkpointInterval() {
        return duration(CHECKPOINT_INTERVAL);
    }

    public String checkpointDir() {
        return get(CHECKPOINT_DIR);
    }

    public Duration dedupeTtl() {
        return duration(DEDUPE_TTL);
    }

    public Duration templateWait() {
        return duration(TEMPLATE_WAIT);
    }

    public int suppressionBuckets() {
        return Integer.parseInt(get(SUPPRESSION_BUCKETS));
    }

    /** In-flight bound of the dispatch stage of one lane. */
    public int capacity(EmailType lane) {
        return Integer.parseInt(
                get(lane == EmailType.TRANSACTIONAL ? CAPACITY_TRANSACTIONAL : CAPACITY_MARKETING));
    }

    public Duration dispatchTimeout() {
        return duration(DISPATCH_TIMEOUT);
    }

    /** In-doubt policy of one email type. */
    public InDoubtPolicy inDoubtPolicy(EmailType type) {
        return InDoubtPolicy.valueOf(
                get(type == EmailType.TRANSACTIONAL ? IN_DOUBT_TRANSACTIONAL : IN_DOUBT_MARKETING));
    }

    public Duration pausedRecheck() {
        return duration(PAUSED_RECHECK);
    }

    public Duration throttleBurst() {
        return duration(THROTTLE_BURST);
    }

    public int ledgerWriters() {
        return Integer.parseInt(get(LEDGER_WRITERS));
    }

    public Duration dispatchDrainTimeout() {
        return duration(DISPATCH_DRAIN);
    }

    /** Domains with their own metric label. */
    public Set<String> metricDomains() {
        return Set.copyOf(list(get(METRIC_DOMAINS)));
    }

    /** The network buffer timeout of one lane's operators. */
    public Duration bufferTimeout(EmailType lane) {
        return duration(
                lane == EmailType.TRANSACTIONAL
                        ? BUFFER_TIMEOUT_TRANSACTIONAL
                        : BUFFER_TIMEOUT_MARKETING);
    }

    public Duration statusBatchInterval() {
        return duration(STATUS_BATCH_INTERVAL);
    }

    public int statusBatchSize() {
        return Integer.parseInt(get(STATUS_BATCH_SIZE));
    }

    private Duration duration(String key) {
        return TimeUtils.parseDuration(get(key));
    }

    private static List<String> list(String csv) {
        List<String> out = new ArrayList<>();
        for (String s : csv.split(",")) {
            if (!s.isBlank()) {
                out.add(s.strip().toLowerCase(java.util.Locale.ROOT));
            }
        }
        return out;
    }

    /** A copy with some values changed (validated again). */
    public SendPipelineOptions with(Map<String, String> changes) {
        return builder().setAll(values).setAll(changes).build();
    }

    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values);
        shown.replaceAll(
                (k, v) ->
                        k.contains("password") || k.contains("secret") || k.contains(".key")
                                ? "***"
                                : v);
        return "SendPipelineOptions" + shown;
    }

    /** Builds and validates {@link SendPipelineOptions}. */
    public static final class Builder {
        private final Map<String, String> values = new LinkedHashMap<>(DEFAULTS);

        private Builder() {}

        /** Sets one key (a named constant of {@link SendPipelineOptions} or a pass-through key). */
        public Builder set(String key, String value) {
            values.put(key, value == null ? "" : value);
            return this;
        }

        /** Sets several keys. */
        public Builder setAll(Map<String, String> entries) {
            entries.forEach(this::set);
            return this;
        }

        public Builder bootstrapServers(String servers) {
            return set(BOOTSTRAP_SERVERS, servers);
        }

        public Builder topicPrefix(String prefix) {
            return set(TOPIC_PREFIX, prefix);
        }

        public Builder jdbc(String url, String user, String password) {
            return set(JDBC_URL, url).set(JDBC_USER, user).set(JDBC_PASSWORD, password);
        }

        /** Tracking base URL and secret, the same as the edge's. */
        public Builder tracking(String baseUrl, String secret) {
            return set(TRACKING_BASE_URL, baseUrl).set(TRACKING_SECRET, secret);
        }

        public Builder parallelism(int parallelism) {
            return set(PARALLELISM, Integer.toString(parallelism));
        }

        public Builder checkpointInterval(Duration interval) {
            return set(CHECKPOINT_INTERVAL, interval.toMillis() + "ms");
        }

        public Builder checkpointDir(String uri) {
            return set(CHECKPOINT_DIR, uri);
        }

        /**
         * Validates every value.
         *
         * @throws IllegalArgumentException listing every problem found
         */
        public SendPipelineOptions build() {
            List<String> problems = new ArrayList<>();
            for (String key : values.keySet()) {
                boolean known =
                        DEFAULTS.containsKey(key)
                                || PASS_THROUGH_PREFIXES.stream().anyMatch(key::startsWith);
                if (!known) {
                    problems.add("unknown option '" + key + "'");
                }
            }
            required(problems, BOOTSTRAP_SERVERS);
            required(problems, JDBC_URL);
            if (!values.get(JDBC_URL).isBlank() && !values.get(JDBC_URL).startsWith("jdbc:")) {
                problems.add(JDBC_URL + " must start with jdbc:");
            }
            for (String key :
                    Arrays.asList(
                            TRANSACTION_TIMEOUT,
                            CHECKPOINT_INTERVAL,
                            DEDUPE_TTL,
                            TEMPLATE_WAIT,
                            DISPATCH_TIMEOUT,
                            PAUSED_RECHECK,
                            THROTTLE_BURST,
                            DISPATCH_DRAIN,
                            STATUS_BATCH_INTERVAL)) {
                positiveDuration(problems, key);
            }
            for (String key : List.of(BUFFER_TIMEOUT_TRANSACTIONAL, BUFFER_TIMEOUT_MARKETING)) {
                try {
                    if (TimeUtils.parseDuration(values.get(key)).isNegative()) {
                        problems.add(key + " must not be negative");
                    }
                } catch (RuntimeException e) {
                    problems.add(key + " is not a duration (e.g. 0ms, 100ms): " + e.getMessage());
                }
            }
            if (problems.isEmpty()
                    && TimeUtils.parseDuration(values.get(TRANSACTION_TIMEOUT))
                                    .compareTo(Duration.ofMinutes(15))
                            >= 0) {
                problems.add(TRANSACTION_TIMEOUT + " must be below the broker's 15 min maximum");
            }
            integer(problems, PARALLELISM, 0);
            integer(problems, MAX_PARALLELISM, 1);
            integer(problems, CAPACITY_TRANSACTIONAL, 1);
            integer(problems, CAPACITY_MARKETING, 1);
            integer(problems, LEDGER_WRITERS, 1);
            integer(problems, STATUS_BATCH_SIZE, 1);
            if (integer(problems, SUPPRESSION_BUCKETS, 1)
                    && Integer.bitCount(Integer.parseInt(values.get(SUPPRESSION_BUCKETS))) != 1) {
                problems.add(SUPPRESSION_BUCKETS + " must be a power of two");
            }
            if (problems.isEmpty()
                    && Integer.parseInt(values.get(PARALLELISM))
                            > Integer.parseInt(values.get(MAX_PARALLELISM))) {
                problems.add(PARALLELISM + " must not exceed " + MAX_PARALLELISM);
            }
            for (String key : List.of(IN_DOUBT_TRANSACTIONAL, IN_DOUBT_MARKETING)) {
                try {
                    InDoubtPolicy.valueOf(values.get(key));
                } catch (IllegalArgumentException e) {
                    problems.add(
                            key
                                    + " must be one of "
                                    + Arrays.toString(InDoubtPolicy.values())
                                    + ", was '"
                                    + values.get(key)
                                    + "'");
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(
                        "invalid send-pipeline options: " + String.join("; ", problems));
            }
            return new SendPipelineOptions(values);
        }

        private void required(List<String> problems, String key) {
            if (values.get(key) == null || values.get(key).isBlank()) {
                problems.add(key + " is required");
            }
        }

        private void positiveDuration(List<String> problems, String key) {
            try {
                Duration d = TimeUtils.parseDuration(values.get(key));
                if (d.isNegative() || d.isZero()) {
                    problems.add(key + " must be positive");
                }
            } catch (RuntimeException e) {
                problems.add(key + " is not a duration (e.g. 500ms, 10s, 5min): " + e.getMessage());
            }
        }

        private boolean integer(List<String> problems, String key, int min) {
            try {
                int v = Integer.parseInt(values.get(key));
                if (v < min) {
                    problems.add(key + " must be >= " + min);
                    return false;
                }
                return true;
            } catch (NumberFormatException e) {
                problems.add(key + " must be an integer, was '" + values.get(key) + "'");
                return false;
            }
        }
    }
}
