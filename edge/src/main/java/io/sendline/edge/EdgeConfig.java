package io.sendline.edge;

import io.sendline.compose.tracking.TrackingLinks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;

/**
 * Everything the edge needs to run, validated once by {@link Builder#build()} with messages that
 * say which setting is wrong. {@link #fromProperties(Properties)} reads the keys documented in
 * {@code docs/edge.md} (they are the constants of {@link Keys}).
 */
public final class EdgeConfig {

    /** Configuration keys of {@link #fromProperties}. */
    public static final class Keys {
        public static final String HOST = "edge.host";
        public static final String PORT = "edge.port";
        public static final String IO_THREADS = "edge.io-threads";
        public static final String WORKER_THREADS = "edge.worker-threads";
        public static final String API_KEYS = "edge.api-keys";
        public static final String KAFKA_BOOTSTRAP = "edge.kafka.bootstrap-servers";
        public static final String TOPIC_PREFIX = "edge.kafka.topic-prefix";
        public static final String KAFKA_PRODUCER_PREFIX = "edge.kafka.producer.";
        public static final String JDBC_URL = "edge.jdbc.url";
        public static final String JDBC_USER = "edge.jdbc.user";
        public static final String JDBC_PASSWORD = "edge.jdbc.password";
        public static final String JDBC_POOL_SIZE = "edge.jdbc.pool-size";
        public static final String TRACKING_BASE_URL = "edge.tracking.base-url";
        public static final String TRACKING_SECRET = "edge.tracking.secret";
        public static final String MACHINE_OPEN_CIDRS = "edge.tracking.machine-open-cidrs";
        public static final String MACHINE_OPEN_USER_AGENTS = "edge.tracking.machine-user-agents";
        public static final String TRUST_FORWARDED_FOR = "edge.trust-forwarded-for";
        public static final String SNS_TOPIC_ARNS = "edge.webhooks.ses.topic-arns";
        public static final String SNS_MAX_AGE = "edge.webhooks.ses.max-age";
        public static final String SENDGRID_PUBLIC_KEY = "edge.webhooks.sendgrid.public-key";
        public static final String MAILGUN_SIGNING_KEY = "edge.webhooks.mailgun.signing-key";
        public static final String SANDBOX_SECRET = "edge.webhooks.sandbox.secret";
        public static final String WEBHOOK_TOLERANCE = "edge.webhooks.tolerance";
        public static final String DEDUPE_CAPACITY = "edge.webhooks.dedupe-capacity";
        public static final String MAX_BODY_BYTES = "edge.limits.max-body-bytes";
        public static final String MAX_BATCH_BODY_BYTES = "edge.limits.max-batch-body-bytes";
        public static final String MAX_WEBHOOK_BODY_BYTES = "edge.limits.max-webhook-body-bytes";
        public static final String MAX_BATCH_EMAILS = "edge.limits.max-batch-emails";
        public static final String MAX_RECIPIENTS = "edge.limits.max-recipients";
        public static final String MAX_ATTACHMENT_BYTES = "edge.limits.max-attachment-bytes";
        public static final String MAX_ATTACHMENTS_TOTAL_BYTES =
                "edge.limits.max-attachments-total-bytes";
        public static final String MAX_SCHEDULE_AHEAD = "edge.limits.max-schedule-ahead";
        public static final String EXTRA_ALLOWED_HEADERS = "edge.api.allowed-headers";
        public static final String POOLS = "edge.api.pools";
        public static final String DEFAULT_TRANSACTIONAL_POOL =
                "edge.api.default-pool.transactional";
        public static final String DEFAULT_MARKETING_POOL = "edge.api.default-pool.marketing";
        public static final String IDEMPOTENCY_TTL = "edge.api.idempotency-ttl";

        private Keys() {}
    }

    private final String host;
    private final int port;
    private final int ioThreads;
    private final int workerThreads;
    private final Map<String, String> apiKeyHashes;
    private final String kafkaBootstrapServers;
    private final String topicPrefix;
    private final Map<String, String> producerOverrides;
    private final String jdbcUrl;
    private final String jdbcUser;
    private final String jdbcPassword;
    private final int jdbcPoolSize;
    private final String trackingBaseUrl;
    private final byte[] trackingSecret;
    private final List<String> machineOpenCidrs;
    private final List<String> machineUserAgents;
    private final boolean trustForwardedFor;
    private final Set<String> snsTopicArns;
    private final Duration snsMaxAge;
    private final String sendGridPublicKey;
    private final byte[] mailgunSigningKey;
    private final byte[] sandboxSecret;
    private final Duration webhookTolerance;
    private final int dedupeCapacity;
    private final Limits limits;
    private final Set<String> extraAllowedHeaders;
    private final Set<String> pools;
    private final String defaultTransactionalPool;
    private final String defaultMarketingPool;
    private final Duration idempotencyTtl;

    private EdgeConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.ioThreads = b.ioThreads;
        this.workerThreads = b.workerThreads;
        this.apiKeyHashes = Map.copyOf(b.apiKeyHashes);
        this.kafkaBootstrapServers = b.kafkaBootstrapServers;
        this.topicPrefix = b.topicPrefix;
        this.producerOverrides = Map.copyOf(b.producerOverrides);
        this.jdbcUrl = b.jdbcUrl;
        this.jdbcUser = b.jdbcUser;
        this.jdbcPassword = b.jdbcPassword;
        this.jdbcPoolSize = b.jdbcPoolSize;
        this.trackingBaseUrl = b.trackingBaseUrl;
        this.trackingSecret = b.trackingSecret.clone();
        this.machineOpenCidrs = List.copyOf(b.machineOpenCidrs);
        this.machineUserAgents = List.copyOf(b.machineUserAgents);
        this.trustForwardedFor = b.trustForwardedFor;
        this.snsTopicArns = Set.copyOf(b.snsTopicArns);
        this.snsMaxAge = b.snsMaxAge;
        this.sendGridPublicKey = b.sendGridPublicKey;
        this.mailgunSigningKey = b.mailgunSigningKey == null ? null : b.mailgunSigningKey.clone();
        this.sandboxSecret = b.sandboxSecret == null ? null : b.sandboxSecret.clone();
        this.webhookTolerance = b.webhookTolerance;
        this.dedupeCapacity = b.dedupeCapacity;
        this.limits = b.limits;
        this.extraAllowedHeaders = Set.copyOf(b.extraAllowedHeaders);
        this.pools = Set.copyOf(b.pools);
        this.defaultTransactionalPool = b.defaultTransactionalPool;
        this.defaultMarketingPool = b.defaultMarketingPool;
        this.idempotencyTtl = b.idempotencyTtl;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads a configuration from properties (keys in {@link Keys}); missing keys keep defaults. */
    public static EdgeConfig fromProperties(Properties p) {
        Builder b = builder();
        str(p, Keys.HOST).ifPresent(b::host);
        str(p, Keys.PORT).ifPresent(v -> b.port(parseInt(Keys.PORT, v)));
        str(p, Keys.IO_THREADS).ifPresent(v -> b.ioThreads(parseInt(Keys.IO_THREADS, v)));
        str(p, Keys.WORKER_THREADS)
                .ifPresent(v -> b.workerThreads(parseInt(Keys.WORKER_THREADS, v)));
        str(p, Keys.API_KEYS)
                .ifPresent(
                        v -> {
                            for (String entry : list(v)) {
                                int colon = entry.indexOf(':');
                                if (colon <= 0) {
                                    throw new IllegalArgumentException(
                                            Keys.API_KEYS + ": entries are keyId:sha256hex");
                                }
                                b.apiKeyHash(entry.substring(0, colon), entry.substring(colon + 1));
                            }
                        });
        str(p, Keys.KAFKA_BOOTSTRAP).ifPresent(b::kafkaBootstrapServers);
        str(p, Keys.TOPIC_PREFIX).ifPresent(b::topicPrefix);
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(Keys.KAFKA_PRODUCER_PREFIX)) {
                b.producerOverride(
                        name.substring(Keys.KAFKA_PRODUCER_PREFIX.length()), p.getProperty(name));
            }
        }
        str(p, Keys.JDBC_URL).ifPresent(b::jdbcUrl);
        str(p, Keys.JDBC_USER).ifPresent(b::jdbcUser);
        str(p, Keys.JDBC_PASSWORD).ifPresent(b::jdbcPassword);
        str(p, Keys.JDBC_POOL_SIZE)
                .ifPresent(v -> b.jdbcPoolSize(parseInt(Keys.JDBC_POOL_SIZE, v)));
        str(p, Keys.TRACKING_BASE_URL).ifPresent(b::trackingBaseUrl);
        str(p, Keys.TRACKING_SECRET)
                .ifPresent(v -> b.trackingSecret(secret(Keys.TRACKING_SECRET, v)));
        str(p, Keys.MACHINE_OPEN_CIDRS).ifPresent(v -> b.machineOpenCidrs(list(v)));
        str(p, Keys.MACHINE_OPEN_USER_AGENTS).ifPresent(v -> b.machineUserAgents(list(v)));
        str(p, Keys.TRUST_FORWARDED_FOR)
                .ifPresent(v -> b.trustForwardedFor(Boolean.parseBoolean(v)));
        str(p, Keys.SNS_TOPIC_ARNS).ifPresent(v -> list(v).forEach(b::snsTopicArn));
        str(p, Keys.SNS_MAX_AGE).ifPresent(v -> b.snsMaxAge(duration(Keys.SNS_MAX_AGE, v)));
        str(p, Keys.SENDGRID_PUBLIC_KEY).ifPresent(b::sendGridPublicKey);
        str(p, Keys.MAILGUN_SIGNING_KEY)
                .ifPresent(v -> b.mailgunSigningKey(v.getBytes(StandardCharsets.UTF_8)));
        str(p, Keys.SANDBOX_SECRET).ifPresent(v -> b.sandboxSecret(secret(Keys.SANDBOX_SECRET, v)));
        str(p, Keys.WEBHOOK_TOLERANCE)
                .ifPresent(v -> b.webhookTolerance(duration(Keys.WEBHOOK_TOLERANCE, v)));
        str(p, Keys.DEDUPE_CAPACITY)
                .ifPresent(v -> b.dedupeCapacity(parseInt(Keys.DEDUPE_CAPACITY, v)));
        Limits d = Limits.DEFAULTS;
        b.limits(
                new Limits(
                        longOr(p, Keys.MAX_BODY_BYTES, d.maxBodyBytes()),
                        longOr(p, Keys.MAX_BATCH_BODY_BYTES, d.maxBatchBodyBytes()),
                        longOr(p, Keys.MAX_WEBHOOK_BODY_BYTES, d.maxWebhookBodyBytes()),
                        (int) longOr(p, Keys.MAX_BATCH_EMAILS, d.maxBatchEmails()),
                        (int) longOr(p, Keys.MAX_RECIPIENTS, d.maxRecipients()),
                        longOr(p, Keys.MAX_ATTACHMENT_BYTES, d.maxAttachmentBytes()),
                        longOr(p, Keys.MAX_ATTACHMENTS_TOTAL_BYTES, d.maxAttachmentsTotalBytes()),
                        str(p, Keys.MAX_SCHEDULE_AHEAD)
                                .map(v -> duration(Keys.MAX_SCHEDULE_AHEAD, v))
                                .orElse(d.maxScheduleAhead())));
        str(p, Keys.EXTRA_ALLOWED_HEADERS).ifPresent(v -> list(v).forEach(b::allowHeader));
        str(p, Keys.POOLS).ifPresent(v -> list(v).forEach(b::pool));
        str(p, Keys.DEFAULT_TRANSACTIONAL_POOL).ifPresent(b::defaultTransactionalPool);
        str(p, Keys.DEFAULT_MARKETING_POOL).ifPresent(b::defaultMarketingPool);
        str(p, Keys.IDEMPOTENCY_TTL)
                .ifPresent(v -> b.idempotencyTtl(duration(Keys.IDEMPOTENCY_TTL, v)));
        return b.build();
    }

    /**
     * Prefix of the environment variable of each key: {@code edge.jdbc.url} is {@code
     * SENDLINE_EDGE_JDBC_URL}.
     */
    public static final String ENV_PREFIX = "SENDLINE_";

    /**
     * The environment variable for a key of {@link Keys}: upper case, dots and dashes as
     * underscores, e.g. {@code edge.webhooks.sandbox.secret} is {@code
     * SENDLINE_EDGE_WEBHOOKS_SANDBOX_SECRET}.
     */
    public static String envName(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every key of {@link Keys} (not the producer prefix). */
    public static List<String> keys() {
        List<String> out = new ArrayList<>();
        for (java.lang.reflect.Field f : Keys.class.getFields()) {
            try {
                String k = (String) f.get(null);
                if (!k.endsWith(".")) {
                    out.add(k);
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException(e);
            }
        }
        return out;
    }

    /**
     * Properties with the environment laid over them: {@code SENDLINE_EDGE_*} for every key of
     * {@link Keys} (see {@link #envName}), plus the stack-wide {@code SENDLINE_KAFKA} and {@code
     * SENDLINE_JDBC_URL}/{@code _USER}/{@code _PASSWORD}, which apply when neither the properties
     * nor the {@code SENDLINE_EDGE_*} variable set the key.
     */
    public static Properties withEnvironment(Properties base, Map<String, String> env) {
        Properties p = new Properties();
        p.putAll(base);
        Map<String, String> shared =
                Map.of(
                        "SENDLINE_KAFKA", Keys.KAFKA_BOOTSTRAP,
                        "SENDLINE_JDBC_URL", Keys.JDBC_URL,
                        "SENDLINE_JDBC_USER", Keys.JDBC_USER,
                        "SENDLINE_JDBC_PASSWORD", Keys.JDBC_PASSWORD);
        shared.forEach(
                (var, key) -> {
                    String v = env.get(var);
                    if (v != null && !v.isBlank() && p.getProperty(key) == null) {
                        p.setProperty(key, v);
                    }
                });
        for (String key : keys()) {
            String v = env.get(envName(key));
            if (v != null) {
                p.setProperty(key, v);
            }
        }
        return p;
    }

    /**
     * Size and count limits of the API.
     *
     * @param maxBodyBytes largest body of {@code POST /v1/emails} and the other API calls
     * @param maxBatchBodyBytes largest body of {@code POST /v1/emails/batch}
     * @param maxWebhookBodyBytes largest webhook or unsubscribe body
     * @param maxBatchEmails most emails in one batch call
     * @param maxRecipients most recipients of one email (one job each)
     * @param maxAttachmentBytes largest attachment, decoded
     * @param maxAttachmentsTotalBytes largest sum of one email's attachments, decoded
     * @param maxScheduleAhead how far ahead an email may be scheduled
     */
    public record Limits(
            long maxBodyBytes,
            long maxBatchBodyBytes,
            long maxWebhookBodyBytes,
            int maxBatchEmails,
            int maxRecipients,
            long maxAttachmentBytes,
            long maxAttachmentsTotalBytes,
            Duration maxScheduleAhead) {

        /** The defaults documented in docs/edge.md. */
        public static final Limits DEFAULTS =
                new Limits(
                        16L << 20,
                        64L << 20,
                        4L << 20,
                        500,
                        50,
                        7L << 20,
                        10L << 20,
                        Duration.ofDays(30));
    }

    /** Collects settings; {@link #build()} validates them. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int ioThreads = 0;
        private int workerThreads = 16;
        private final Map<String, String> apiKeyHashes = new LinkedHashMap<>();
        private String kafkaBootstrapServers;
        private String topicPrefix = "";
        private final Map<String, String> producerOverrides = new LinkedHashMap<>();
        private String jdbcUrl;
        private String jdbcUser;
        private String jdbcPassword;
        private int jdbcPoolSize = 8;
        private String trackingBaseUrl;
        private byte[] trackingSecret;
        private List<String> machineOpenCidrs = List.of("17.0.0.0/8");
        private List<String> machineUserAgents = MachineDefaults.USER_AGENT_TOKENS;
        private boolean trustForwardedFor;
        private final Set<String> snsTopicArns = new LinkedHashSet<>();
        private Duration snsMaxAge = Duration.ofHours(1);
        private String sendGridPublicKey;
        private byte[] mailgunSigningKey;
        private byte[] sandboxSecret;
        private Duration webhookTolerance = Duration.ofMinutes(5);
        private int dedupeCapacity = 100_000;
        private Limits limits = Limits.DEFAULTS;
        private final Set<String> extraAllowedHeaders = new LinkedHashSet<>();
        private final Set<String> pools = new LinkedHashSet<>();
        private String defaultTransactionalPool = "transactional";
        private String defaultMarketingPool = "marketing";
        private Duration idempotencyTtl = Duration.ofHours(24);

        private Builder() {}

        /** Listen address; loopback by default. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Listen port; 0 picks a free port (see {@link EdgeServer#port()}). */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Undertow IO threads; 0 for one per core. */
        public Builder ioThreads(int n) {
            this.ioThreads = n;
            return this;
        }

        /** Threads for blocking work (JDBC, certificate fetches). */
        public Builder workerThreads(int n) {
            this.workerThreads = n;
            return this;
        }

        /** Adds an API key by its hex SHA-256 (see {@code ApiKeys.hash}). */
        public Builder apiKeyHash(String keyId, String sha256Hex) {
            this.apiKeyHashes.put(keyId, sha256Hex);
            return this;
        }

        /**
         * Adds an API key given in clear (at least 16 characters); only its SHA-256 is kept. For
         * embedders such as the local stack, which generate the key themselves.
         */
        public Builder apiKey(String keyId, String key) {
            if (key == null || key.length() < 16 || key.length() > 512) {
                throw new IllegalArgumentException(
                        "API key " + keyId + " must be 16 to 512 characters");
            }
            return apiKeyHash(keyId, io.sendline.edge.auth.ApiKeys.hash(key));
        }

        public Builder kafkaBootstrapServers(String servers) {
            this.kafkaBootstrapServers = servers;
            return this;
        }

        /** Prefix of every topic name (see {@code Topics.name}). */
        public Builder topicPrefix(String prefix) {
            this.topicPrefix = prefix == null ? "" : prefix;
            return this;
        }

        /** Overrides one Kafka producer setting (e.g. {@code linger.ms}). */
        public Builder producerOverride(String key, String value) {
            this.producerOverrides.put(key, value);
            return this;
        }

        public Builder jdbcUrl(String url) {
            this.jdbcUrl = url;
            return this;
        }

        public Builder jdbcUser(String user) {
            this.jdbcUser = user;
            return this;
        }

        public Builder jdbcPassword(String password) {
            this.jdbcPassword = password;
            return this;
        }

        public Builder jdbcPoolSize(int n) {
            this.jdbcPoolSize = n;
            return this;
        }

        /** Public base URL of the tracking host (the same as composition's). */
        public Builder trackingBaseUrl(String url) {
            this.trackingBaseUrl = url;
            return this;
        }

        /** HMAC secret of tracking links (the same as composition's), at least 32 bytes. */
        public Builder trackingSecret(byte[] secret) {
            this.trackingSecret = secret == null ? null : secret.clone();
            return this;
        }

        /** Client IP ranges whose opens are machine opens (default: Apple's 17.0.0.0/8). */
        public Builder machineOpenCidrs(List<String> cidrs) {
            this.machineOpenCidrs = List.copyOf(cidrs);
            return this;
        }

        /** Case-insensitive user-agent substrings of machine opens (see docs/edge.md). */
        public Builder machineUserAgents(List<String> tokens) {
            this.machineUserAgents = List.copyOf(tokens);
            return this;
        }

        /** Take the client IP from X-Forwarded-For (only behind a trusted load balancer). */
        public Builder trustForwardedFor(boolean trust) {
            this.trustForwardedFor = trust;
            return this;
        }

        /** An SNS topic ARN whose SES notifications are accepted. */
        public Builder snsTopicArn(String arn) {
            this.snsTopicArns.add(arn);
            return this;
        }

        /** Oldest SNS message accepted (by its signed Timestamp). */
        public Builder snsMaxAge(Duration age) {
            this.snsMaxAge = age;
            return this;
        }

        /**
         * SendGrid's Event Webhook verification key: base64 DER (SubjectPublicKeyInfo) of P-256.
         */
        public Builder sendGridPublicKey(String base64Der) {
            this.sendGridPublicKey = base64Der;
            return this;
        }

        /** Mailgun's HTTP webhook signing key. */
        public Builder mailgunSigningKey(byte[] key) {
            this.mailgunSigningKey = key == null ? null : key.clone();
            return this;
        }

        /** HMAC secret shared with the sandbox relay. */
        public Builder sandboxSecret(byte[] secret) {
            this.sandboxSecret = secret == null ? null : secret.clone();
            return this;
        }

        /** Largest accepted age of a signed webhook timestamp (SendGrid, Mailgun, sandbox). */
        public Builder webhookTolerance(Duration tolerance) {
            this.webhookTolerance = tolerance;
            return this;
        }

        /** Entries of the in-memory webhook dedupe cache (and of Mailgun's token cache). */
        public Builder dedupeCapacity(int n) {
            this.dedupeCapacity = n;
            return this;
        }

        public Builder limits(Limits limits) {
            this.limits = limits;
            return this;
        }

        /** Allows one more custom header name besides the built-in allow-list. */
        public Builder allowHeader(String name) {
            this.extraAllowedHeaders.add(name);
            return this;
        }

        /** Restricts pools to a known set (default: any well-formed pool name). */
        public Builder pool(String pool) {
            this.pools.add(pool);
            return this;
        }

        public Builder defaultTransactionalPool(String pool) {
            this.defaultTransactionalPool = pool;
            return this;
        }

        public Builder defaultMarketingPool(String pool) {
            this.defaultMarketingPool = pool;
            return this;
        }

        /** How long an Idempotency-Key is remembered. */
        public Builder idempotencyTtl(Duration ttl) {
            this.idempotencyTtl = ttl;
            return this;
        }

        /** Validates and builds; the exception lists every problem. */
        public EdgeConfig build() {
            List<String> problems = new ArrayList<>();
            if (host == null || host.isBlank()) {
                problems.add(Keys.HOST + " is required");
            }
            if (port < 0 || port > 65535) {
                problems.add(Keys.PORT + " must be 0..65535");
            }
            if (ioThreads < 0) {
                problems.add(Keys.IO_THREADS + " must be >= 0");
            }
            if (workerThreads < 1) {
                problems.add(Keys.WORKER_THREADS + " must be >= 1");
            }
            for (Map.Entry<String, String> e : apiKeyHashes.entrySet()) {
                if (!e.getKey().matches("[A-Za-z0-9._-]{1,64}")) {
                    problems.add(Keys.API_KEYS + ": key ids are 1-64 of [A-Za-z0-9._-]");
                }
                if (e.getValue() == null
                        || !e.getValue().toLowerCase(Locale.ROOT).matches("[0-9a-f]{64}")) {
                    problems.add(
                            Keys.API_KEYS + ": key " + e.getKey() + " needs a hex SHA-256 hash");
                }
            }
            if (kafkaBootstrapServers == null || kafkaBootstrapServers.isBlank()) {
                problems.add(Keys.KAFKA_BOOTSTRAP + " is required");
            }
            if (jdbcUrl == null || !jdbcUrl.startsWith("jdbc:postgresql:")) {
                problems.add(Keys.JDBC_URL + " is required and must be a jdbc:postgresql: URL");
            }
            if (jdbcPoolSize < 1) {
                problems.add(Keys.JDBC_POOL_SIZE + " must be >= 1");
            }
            if (trackingBaseUrl == null
                    || !(trackingBaseUrl.startsWith("https://")
                            || trackingBaseUrl.startsWith("http://"))) {
                problems.add(Keys.TRACKING_BASE_URL + " is required and must be http(s)");
            }
            if (trackingSecret == null || trackingSecret.length < 32) {
                problems.add(Keys.TRACKING_SECRET + " is required, at least 32 bytes");
            }
            for (String cidr : machineOpenCidrs) {
                try {
                    io.sendline.edge.http.Inet.Cidr.parse(cidr);
                } catch (IllegalArgumentException e) {
                    problems.add(Keys.MACHINE_OPEN_CIDRS + ": " + e.getMessage());
                }
            }
            for (String arn : snsTopicArns) {
                if (!arn.matches("arn:aws[a-z-]*:sns:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,256}")) {
                    problems.add(Keys.SNS_TOPIC_ARNS + ": not an SNS topic ARN: " + arn);
                }
            }
            if (snsMaxAge == null || snsMaxAge.isNegative() || snsMaxAge.isZero()) {
                problems.add(Keys.SNS_MAX_AGE + " must be positive");
            }
            if (sendGridPublicKey != null) {
                try {
                    Base64.getDecoder().decode(sendGridPublicKey.strip());
                } catch (IllegalArgumentException e) {
                    problems.add(Keys.SENDGRID_PUBLIC_KEY + " must be base64 (DER public key)");
                }
            }
            if (mailgunSigningKey != null && mailgunSigningKey.length < 16) {
                problems.add(Keys.MAILGUN_SIGNING_KEY + " is too short");
            }
            if (sandboxSecret != null && sandboxSecret.length < 16) {
                problems.add(Keys.SANDBOX_SECRET + " must be at least 16 bytes");
            }
            if (webhookTolerance == null
                    || webhookTolerance.isNegative()
                    || webhookTolerance.isZero()) {
                problems.add(Keys.WEBHOOK_TOLERANCE + " must be positive");
            }
            if (dedupeCapacity < 1) {
                problems.add(Keys.DEDUPE_CAPACITY + " must be >= 1");
            }
            Objects.requireNonNull(limits, "limits");
            if (limits.maxBodyBytes() < 1024
                    || limits.maxBatchBodyBytes() < 1024
                    || limits.maxWebhookBodyBytes() < 1024) {
                problems.add("edge.limits.*-body-bytes must be at least 1024");
            }
            if (limits.maxBatchEmails() < 1 || limits.maxRecipients() < 1) {
                problems.add("edge.limits.max-batch-emails and max-recipients must be >= 1");
            }
            if (limits.maxAttachmentBytes() < 1
                    || limits.maxAttachmentsTotalBytes() < limits.maxAttachmentBytes()) {
                problems.add(
                        "edge.limits.max-attachments-total-bytes must be >= max-attachment-bytes >= 1");
            }
            for (String p : pools) {
                if (!POOL.matcher(p).matches()) {
                    problems.add(Keys.POOLS + ": bad pool name " + p);
                }
            }
            for (String p : List.of(defaultTransactionalPool, defaultMarketingPool)) {
                if (p == null || !POOL.matcher(p).matches()) {
                    problems.add("edge.api.default-pool.*: bad pool name " + p);
                } else if (!pools.isEmpty() && !pools.contains(p)) {
                    problems.add("edge.api.default-pool.*: " + p + " is not in " + Keys.POOLS);
                }
            }
            if (idempotencyTtl == null || idempotencyTtl.toMinutes() < 1) {
                problems.add(Keys.IDEMPOTENCY_TTL + " must be at least a minute");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(
                        "Invalid edge configuration: " + String.join("; ", problems));
            }
            return new EdgeConfig(this);
        }
    }

    /** Pool names: what the send pipeline keys its throttles by. */
    public static final java.util.regex.Pattern POOL =
            java.util.regex.Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    /** Built-in machine-open user-agent tokens (see docs/edge.md for the reasoning). */
    static final class MachineDefaults {
        static final List<String> USER_AGENT_TOKENS =
                List.of(
                        "bot",
                        "spider",
                        "crawler",
                        "barracuda",
                        "mimecast",
                        "proofpoint",
                        "python-requests",
                        "curl/",
                        "wget/",
                        "go-http-client");

        private MachineDefaults() {}
    }

    private static java.util.Optional<String> str(Properties p, String key) {
        String v = p.getProperty(key);
        return v == null || v.isBlank()
                ? java.util.Optional.empty()
                : java.util.Optional.of(v.trim());
    }

    private static long longOr(Properties p, String key, long dflt) {
        return str(p, key).map(v -> parseLong(key, v)).orElse(dflt);
    }

    private static int parseInt(String key, String v) {
        return (int) parseLong(key, v);
    }

    private static long parseLong(String key, String v) {
        try {
            return Long.parseLong(v.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, got " + v);
        }
    }

    private static Duration duration(String key, String v) {
        try {
            return Duration.parse(v.startsWith("P") || v.startsWith("p") ? v : "PT" + v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(
                    key + " must be a duration such as 5M, 1H or PT30S, got " + v);
        }
    }

    private static List<String> list(String v) {
        List<String> out = new ArrayList<>();
        for (String s : v.split(",")) {
            if (!s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** A secret setting ({@link TrackingLinks#parseSecret}); errors name the key. */
    static byte[] secret(String key, String v) {
        try {
            return TrackingLinks.parseSecret(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(key + ": " + e.getMessage());
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public int ioThreads() {
        return ioThreads;
    }

    public int workerThreads() {
        return workerThreads;
    }

    public Map<String, String> apiKeyHashes() {
        return apiKeyHashes;
    }

    public String kafkaBootstrapServers() {
        return kafkaBootstrapServers;
    }

    public String topicPrefix() {
        return topicPrefix;
    }

    public Map<String, String> producerOverrides() {
        return producerOverrides;
    }

    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String jdbcUser() {
        return jdbcUser;
    }

    public String jdbcPassword() {
        return jdbcPassword;
    }

    public int jdbcPoolSize() {
        return jdbcPoolSize;
    }

    public String trackingBaseUrl() {
        return trackingBaseUrl;
    }

    public byte[] trackingSecret() {
        return trackingSecret.clone();
    }

    public List<String> machineOpenCidrs() {
        return machineOpenCidrs;
    }

    public List<String> machineUserAgents() {
        return machineUserAgents;
    }

    public boolean trustForwardedFor() {
        return trustForwardedFor;
    }

    public Set<String> snsTopicArns() {
        return snsTopicArns;
    }

    public Duration snsMaxAge() {
        return snsMaxAge;
    }

    public String sendGridPublicKey() {
        return sendGridPublicKey;
    }

    public byte[] mailgunSigningKey() {
        return mailgunSigningKey == null ? null : mailgunSigningKey.clone();
    }

    public byte[] sandboxSecret() {
        return sandboxSecret == null ? null : sandboxSecret.clone();
    }

    public Duration webhookTolerance() {
        return webhookTolerance;
    }

    public int dedupeCapacity() {
        return dedupeCapacity;
    }

    public Limits limits() {
        return limits;
    }

    public Set<String> extraAllowedHeaders() {
        return extraAllowedHeaders;
    }

    public Set<String> pools() {
        return pools;
    }

    public String defaultTransactionalPool() {
        return defaultTransactionalPool;
    }

    public String defaultMarketingPool() {
        return defaultMarketingPool;
    }

    public Duration idempotencyTtl() {
        return idempotencyTtl;
    }
}
