package io.sendline.relay.smtp;

import io.sendline.relay.PropertyReader;
import io.sendline.relay.RelaySettings;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of an {@link SmtpRelay}. Keys under {@code relay.pool.<pool>.smtp.}:
 *
 * <ul>
 *   <li>{@code host} (required), {@code port} (default 587)
 *   <li>{@code tls}: {@code starttls} (default: STARTTLS required), {@code starttls-optional} (use
 *       it when offered), {@code implicit} (TLS from the first byte, port 465), {@code none}
 *   <li>{@code sslTrust}: hosts whose certificate is trusted without validation ({@code *} for all;
 *       tests only)
 *   <li>{@code username}, {@code password}: SMTP AUTH (both or neither)
 *   <li>{@code poolSize} (default 4): connections kept open, each used by one thread at a time
 *   <li>{@code connectTimeout} (10s), {@code readTimeout} (30s): socket timeouts
 *   <li>{@code maxMessagesPerConnection} (500): reconnect after this many messages
 *   <li>{@code idleCheckAfter} (5s): a connection idle this long is checked with NOOP before use
 *       (servers drop idle clients; a message sent on a dead connection would fail)
 *   <li>{@code queueCapacity} (10000): messages waiting for a connection before sends are refused
 *       as THROTTLED
 *   <li>{@code heloName}: name sent in EHLO (default: the local host name)
 *   <li>{@code provider}: {@code generic} (default), {@code sendgrid}, {@code mailgun} or {@code
 *       postmark}: which header, besides {@code X-Sendline-Job-Id}, carries the job id so that the
 *       provider's webhooks echo it ({@link JobIdHeaders})
 * </ul>
 */
public record SmtpSettings(
        String host,
        int port,
        Tls tls,
        String sslTrust,
        String username,
        String password,
        int poolSize,
        Duration connectTimeout,
        Duration readTimeout,
        int maxMessagesPerConnection,
        Duration idleCheckAfter,
        int queueCapacity,
        String heloName,
        Provider provider)
        implements RelaySettings {

    private static final long serialVersionUID = 1L;

    /** The type name in configuration. */
    public static final String TYPE = "smtp";

    /** Largest connection pool per relay. */
    public static final int MAX_POOL_SIZE = 256;

    static final Set<String> KEYS =
            Set.of(
                    "host",
                    "port",
                    "tls",
                    "sslTrust",
                    "username",
                    "password",
                    "poolSize",
                    "connectTimeout",
                    "readTimeout",
                    "maxMessagesPerConnection",
                    "idleCheckAfter",
                    "queueCapacity",
                    "heloName",
                    "provider");

    /** The SMTP relay behind the host, for the job id header its webhooks echo. */
    public enum Provider {
        /** Any MTA: {@code X-Sendline-Job-Id} only. */
        GENERIC,
        /** SendGrid: also {@code X-SMTPAPI} unique argument {@code sendline-job-id}. */
        SENDGRID,
        /** Mailgun: also {@code X-Mailgun-Variables} {@code sendline-job-id}. */
        MAILGUN,
        /** Postmark: also {@code X-PM-Metadata-sendline-job-id}. */
        POSTMARK;

        static Provider parse(String fullKey, String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        fullKey
                                + " must be one of generic, sendgrid, mailgun, postmark; got '"
                                + value
                                + "'");
            }
        }
    }

    /** How the connection is secured. */
    public enum Tls {
        /** Plain text (local MTAs and tests only). */
        NONE("none"),
        /** STARTTLS if the server offers it. */
        STARTTLS_OPTIONAL("starttls-optional"),
        /** STARTTLS, and fail if the server does not offer it. */
        STARTTLS("starttls"),
        /** TLS from the first byte (SMTPS, port 465). */
        IMPLICIT("implicit");

        private final String key;

        Tls(String key) {
            this.key = key;
        }

        /** The value as written in configuration. */
        public String key() {
            return key;
        }

        static Tls parse(String fullKey, String value) {
            for (Tls t : values()) {
                if (t.key.equals(value.toLowerCase(Locale.ROOT))) {
                    return t;
                }
            }
            throw new IllegalArgumentException(
                    fullKey
                            + " must be one of none, starttls-optional, starttls, implicit; got '"
                            + value
                            + "'");
        }
    }

    public SmtpSettings {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("smtp host must be set");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("smtp port must be within 1..65535, got " + port);
        }
        Objects.requireNonNull(tls, "smtp tls mode must be set");
        Objects.requireNonNull(provider, "smtp provider must be set");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException(
                    "smtp username and password must be set together (AUTH), or neither");
        }
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new IllegalArgumentException(
                    "smtp poolSize must be within 1.." + MAX_POOL_SIZE + ", got " + poolSize);
        }
        requirePositive("connectTimeout", connectTimeout);
        requirePositive("readTimeout", readTimeout);
        requirePositive("idleCheckAfter", idleCheckAfter);
        if (maxMessagesPerConnection < 1) {
            throw new IllegalArgumentException(
                    "smtp maxMessagesPerConnection must be >= 1, got " + maxMessagesPerConnection);
        }
        if (queueCapacity < 1) {
            throw new IllegalArgumentException(
                    "smtp queueCapacity must be >= 1, got " + queueCapacity);
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, "smtp " + name + " must be set");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("smtp " + name + " must be positive, got " + d);
        }
        if (d.toMillis() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("smtp " + name + " is too long: " + d);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** True when SMTP AUTH is used. */
    public boolean authenticates() {
        return username != null;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads the keys under {@code prefix} (e.g. {@code relay.pool.bulk.smtp.}). */
    public static SmtpSettings fromProperties(String prefix, Map<String, String> props) {
        PropertyReader r = new PropertyReader(prefix, props);
        r.rejectUnknown(KEYS);
        Builder d = builder();
        String tls = r.string("tls", null);
        String provider = r.string("provider", null);
        return builder()
                .host(r.required("host"))
                .port(r.integer("port", d.port))
                .tls(tls == null ? d.tls : Tls.parse(r.key("tls"), tls))
                .sslTrust(r.string("sslTrust", null))
                .auth(r.string("username", null), r.string("password", null))
                .poolSize(r.integer("poolSize", d.poolSize))
                .connectTimeout(r.duration("connectTimeout", d.connectTimeout))
                .readTimeout(r.duration("readTimeout", d.readTimeout))
                .maxMessagesPerConnection(
                        r.integer("maxMessagesPerConnection", d.maxMessagesPerConnection))
                .idleCheckAfter(r.duration("idleCheckAfter", d.idleCheckAfter))
                .queueCapacity(r.integer("queueCapacity", d.queueCapacity))
                .heloName(r.string("heloName", null))
                .provider(
                        provider == null ? d.provider : Provider.parse(r.key("provider"), provider))
                .build();
    }

    @Override
    public String toString() {
        return "SmtpSettings{host="
                + host
                + ", port="
                + port
                + ", tls="
                + tls.key()
                + ", sslTrust="
                + sslTrust
                + ", username="
                + username
                + ", password="
                + (password == null ? null : "****")
                + ", poolSize="
                + poolSize
                + ", connectTimeout="
                + connectTimeout
                + ", readTimeout="
                + readTimeout
                + ", maxMessagesPerConnection="
                + maxMessagesPerConnection
                + ", idleCheckAfter="
                + idleCheckAfter
                + ", queueCapacity="
                + queueCapacity
                + ", heloName="
                + heloName
                + ", provider="
                + provider
                + '}';
    }

    /** Builds {@link SmtpSettings}; {@link #build()} validates. */
    public static final class Builder {
        private String host;
        private int port = 587;
        private Tls tls = Tls.STARTTLS;
        private String sslTrust;
        private String username;
        private String password;
        private int poolSize = 4;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration readTimeout = Duration.ofSeconds(30);
        private int maxMessagesPerConnection = 500;
        private Duration idleCheckAfter = Duration.ofSeconds(5);
        private int queueCapacity = 10_000;
        private String heloName;
        private Provider provider = Provider.GENERIC;

        private Builder() {}

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder tls(Tls tls) {
            this.tls = tls;
            return this;
        }

        public Builder sslTrust(String sslTrust) {
            this.sslTrust = sslTrust;
            return this;
        }

        public Builder auth(String username, String password) {
            this.username = username;
            this.password = password;
            return this;
        }

        public Builder poolSize(int poolSize) {
            this.poolSize = poolSize;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder readTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
            return this;
        }

        public Builder maxMessagesPerConnection(int maxMessagesPerConnection) {
            this.maxMessagesPerConnection = maxMessagesPerConnection;
            return this;
        }

        public Builder idleCheckAfter(Duration idleCheckAfter) {
            this.idleCheckAfter = idleCheckAfter;
            return this;
        }

        public Builder queueCapacity(int queueCapacity) {
            this.queueCapacity = queueCapacity;
            return this;
        }

        public Builder heloName(String heloName) {
            this.heloName = heloName;
            return this;
        }

        public Builder provider(Provider provider) {
            this.provider = provider;
            return this;
        }

        public SmtpSettings build() {
            return new SmtpSettings(
                    host,
                    port,
                    tls,
                    sslTrust,
                    username,
                    password,
                    poolSize,
                    connectTimeout,
                    readTimeout,
                    maxMessagesPerConnection,
                    idleCheckAfter,
                    queueCapacity,
                    heloName,
                    provider);
        }
    }
}
