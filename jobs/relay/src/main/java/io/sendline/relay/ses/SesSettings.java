package io.sendline.relay.ses;

import io.sendline.relay.PropertyReader;
import io.sendline.relay.RelaySettings;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Configuration of an {@link SesRelay}. Keys under {@code relay.pool.<pool>.ses.}:
 *
 * <ul>
 *   <li>{@code region}: AWS region (default: the SDK's region chain, e.g. {@code AWS_REGION})
 *   <li>{@code endpoint}: endpoint override, e.g. a VPC endpoint or a local test server
 *   <li>{@code configurationSet}: SES configuration set of this pool (event destinations, IP pool)
 *   <li>{@code maxConcurrency} (50): HTTP requests in flight
 *   <li>{@code apiCallTimeout} (30s), {@code connectTimeout} (5s)
 *   <li>{@code maxAttempts} (1): SDK-level tries; 1 leaves retries to the pipeline's back-off
 *   <li>{@code httpClient}: {@code netty} (default, non-blocking) or {@code apache} (the blocking
 *       client on a bounded executor of {@code maxConcurrency} threads, for jars without netty)
 * </ul>
 *
 * Credentials always come from the SDK's default chain (environment, system properties, profile,
 * web identity, container and instance roles); they are never part of the configuration.
 */
public record SesSettings(
        String region,
        String endpoint,
        String configurationSet,
        int maxConcurrency,
        Duration apiCallTimeout,
        Duration connectTimeout,
        int maxAttempts,
        HttpClientKind httpClient)
        implements RelaySettings {

    private static final long serialVersionUID = 1L;

    /** The type name in configuration. */
    public static final String TYPE = "ses";

    static final Set<String> KEYS =
            Set.of(
                    "region",
                    "endpoint",
                    "configurationSet",
                    "maxConcurrency",
                    "apiCallTimeout",
                    "connectTimeout",
                    "maxAttempts",
                    "httpClient");

    /** Which HTTP client the SDK uses. */
    public enum HttpClientKind {
        /** Non-blocking netty client (SesV2AsyncClient). */
        NETTY,
        /** Blocking Apache client on a bounded executor. */
        APACHE
    }

    public SesSettings {
        if (region != null && !region.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException(
                    "ses region must look like eu-west-1, got '" + region + "'");
        }
        if (endpoint != null) {
            URI uri;
            try {
                uri = URI.create(endpoint);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "ses endpoint is not a URL: '" + endpoint + "'", e);
            }
            if (uri.getScheme() == null || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "ses endpoint must be an absolute URL such as https://email.eu-west-1"
                                + ".amazonaws.com, got '"
                                + endpoint
                                + "'");
            }
        }
        if (configurationSet != null && !configurationSet.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException(
                    "ses configurationSet must be 1-64 letters, digits, _ or -, got '"
                            + configurationSet
                            + "'");
        }
        if (maxConcurrency < 1 || maxConcurrency > 10_000) {
            throw new IllegalArgumentException(
                    "ses maxConcurrency must be within 1..10000, got " + maxConcurrency);
        }
        requirePositive("apiCallTimeout", apiCallTimeout);
        requirePositive("connectTimeout", connectTimeout);
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw new IllegalArgumentException(
                    "ses maxAttempts must be within 1..10, got " + maxAttempts);
        }
        Objects.requireNonNull(httpClient, "ses httpClient must be set");
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, "ses " + name + " must be set");
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("ses " + name + " must be positive, got " + d);
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Reads the keys under {@code prefix} (e.g. {@code relay.pool.bulk.ses.}). */
    public static SesSettings fromProperties(String prefix, Map<String, String> props) {
        PropertyReader r = new PropertyReader(prefix, props);
        r.rejectUnknown(KEYS);
        Builder d = builder();
        String client = r.string("httpClient", null);
        HttpClientKind kind = d.httpClient;
        if (client != null) {
            try {
                kind = HttpClientKind.valueOf(client.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        r.key("httpClient") + " must be netty or apache, got '" + client + "'");
            }
        }
        return builder()
                .region(r.string("region", null))
                .endpoint(r.string("endpoint", null))
                .configurationSet(r.string("configurationSet", null))
                .maxConcurrency(r.integer("maxConcurrency", d.maxConcurrency))
                .apiCallTimeout(r.duration("apiCallTimeout", d.apiCallTimeout))
                .connectTimeout(r.duration("connectTimeout", d.connectTimeout))
                .maxAttempts(r.integer("maxAttempts", d.maxAttempts))
                .httpClient(kind)
                .build();
    }

    /** Builds {@link SesSettings}; {@link #build()} validates. */
    public static final class Builder {
        private String region;
        private String endpoint;
        private String configurationSet;
        private int maxConcurrency = 50;
        private Duration apiCallTimeout = Duration.ofSeconds(30);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private int maxAttempts = 1;
        private HttpClientKind httpClient = HttpClientKind.NETTY;

        private Builder() {}

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder configurationSet(String configurationSet) {
            this.configurationSet = configurationSet;
            return this;
        }

        public Builder maxConcurrency(int maxConcurrency) {
            this.maxConcurrency = maxConcurrency;
            return this;
        }

        public Builder apiCallTimeout(Duration apiCallTimeout) {
            this.apiCallTimeout = apiCallTimeout;
            return this;
        }

        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
            return this;
        }

        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        public Builder httpClient(HttpClientKind httpClient) {
            this.httpClient = httpClient;
            return this;
        }

        public SesSettings build() {
            return new SesSettings(
                    region,
                    endpoint,
                    configurationSet,
                    maxConcurrency,
                    apiCallTimeout,
                    connectTimeout,
                    maxAttempts,
                    httpClient);
        }
    }
}
