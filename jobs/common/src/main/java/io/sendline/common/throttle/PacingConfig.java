package io.sendline.common.throttle;

import java.io.Serializable;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Static pacing configuration of the send pipeline: how fast each sending pool and each recipient
 * domain within a pool may be sent to, the IP warm-up of each pool, and how many sub-keys a hot
 * domain is split over. Runtime state (pause, rate overrides from the control topic, AIMD back-off)
 * is not here.
 *
 * <h2>Keys</h2>
 *
 * <table>
 *   <caption>pacing configuration keys</caption>
 *   <tr><th>key</th><th>meaning</th><th>default</th></tr>
 *   <tr><td>{@code pacing.pool.<pool>.rate}</td><td>most messages per second for the pool</td>
 *       <td>{@code pacing.pool-default.rate}</td></tr>
 *   <tr><td>{@code pacing.pool-default.rate}</td><td>rate of a pool not configured</td>
 *       <td>{@value #DEFAULT_POOL_RATE}</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.domain.<domain>.rate}</td>
 *       <td>most messages per second to one recipient domain from this pool</td>
 *       <td>the pool's domain default</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.domain-default.rate}</td>
 *       <td>per-domain rate for domains of this pool not listed</td>
 *       <td>{@code pacing.domain-default.rate}</td></tr>
 *   <tr><td>{@code pacing.domain-default.rate}</td><td>per-domain rate for every pool</td>
 *       <td>the pool rate (no per-domain limit)</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.warmup.start}</td><td>warm-up start date, ISO
 *       ({@code 2026-11-01}, UTC); enables the warm-up</td><td>no warm-up</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.warmup.start-per-hour}</td><td>hourly cap on day 0</td>
 *       <td>1000</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.warmup.daily-growth}</td><td>multiplier per day</td>
 *       <td>1.5</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.warmup.max-per-hour}</td><td>the cap stops growing here</td>
 *       <td>pool rate &times; 3600</td></tr>
 *   <tr><td>{@code pacing.pool.<pool>.warmup.table}</td><td>instead of growth: steps
 *       {@code day:capPerHour,...}, e.g. {@code 0:1000,3:5000,7:20000}</td><td>-</td></tr>
 *   <tr><td>{@code pacing.domain.<domain>.splits}</td><td>sub-keys a hot domain is split over
 *       ({@link ThrottleKey})</td><td>1</td></tr>
 * </table>
 *
 * <p>Pool names are letters, digits, {@code -} and {@code _}; domains are lower-case ASCII
 * (punycode). Unknown {@code pacing.*} keys are rejected so that a typo is not silently ignored;
 * other keys are ignored.
 */
public final class PacingConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Rate of a pool that is not configured, per second. */
    public static final double DEFAULT_POOL_RATE = 100.0;

    /** Prefix of every key this class reads. */
    public static final String PREFIX = "pacing.";

    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]+");
    private static final Pattern DOMAIN_NAME = Pattern.compile("[a-z0-9.-]+|\\*");

    private final double defaultPoolRate;
    private final Double defaultDomainRate;
    private final Map<String, Pool> pools;
    private final Map<String, Integer> splits;

    /** The settings of one pool. */
    private static final class Pool implements Serializable {
        private static final long serialVersionUID = 1L;
        double rate;
        Double domainDefaultRate;
        final Map<String, Double> domainRates = new HashMap<>();
        WarmupSchedule warmup;
    }

    private PacingConfig(Builder b) {
        this.defaultPoolRate = b.defaultPoolRate;
        this.defaultDomainRate = b.defaultDomainRate;
        this.pools = Collections.unmodifiableMap(new HashMap<>(b.pools));
        this.splits = Collections.unmodifiableMap(new HashMap<>(b.splits));
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** A configuration with every default: each pool {@value #DEFAULT_POOL_RATE}/s, no splits. */
    public static PacingConfig defaults() {
        return builder().build();
    }

    /** Most messages per second for a pool (without warm-up; see {@link #poolCapPerSecond}). */
    public double poolRate(String pool) {
        Pool p = pools.get(pool);
        return p == null ? defaultPoolRate : p.rate;
    }

    /**
     * The pool's cap at this instant: its rate, lowered by its warm-up schedule while that is
     * below.
     */
    public double poolCapPerSecond(String pool, Instant now) {
        double rate = poolRate(pool);
        Pool p = pools.get(pool);
        return p == null || p.warmup == null ? rate : Math.min(rate, p.warmup.capPerSecond(now));
    }

    /** Most messages per second from a pool to one recipient domain. */
    public double domainRate(String pool, String domain) {
        Pool p = pools.get(pool);
        if (p != null) {
            Double r = p.domainRates.get(domain);
            if (r != null) {
                return r;
            }
            if (p.domainDefaultRate != null) {
                return p.domainDefaultRate;
            }
        }
        return defaultDomainRate != null ? defaultDomainRate : poolRate(pool);
    }

    /** The warm-up of a pool, if it has one. */
    public Optional<WarmupSchedule> warmup(String pool) {
        Pool p = pools.get(pool);
        return Optional.ofNullable(p == null ? null : p.warmup);
    }

    /** Number of sub-keys a recipient domain is split over (1 for most domains). */
    public int splitsFor(String domain) {
        return splits.getOrDefault(domain, 1);
    }

    /** Pools configured explicitly. */
    public Set<String> pools() {
        return pools.keySet();
    }

    /** Rate of pools not configured. */
    public double defaultPoolRate() {
        return defaultPoolRate;
    }

    /** Parses {@code pacing.*} properties (see the class comment); other keys are ignored. */
    public static PacingConfig fromProperties(Properties properties) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            m.put(name, properties.getProperty(name));
        }
        return fromMap(m);
    }

    /** Parses {@code pacing.*} keys (see the class comment); other keys are ignored. */
    public static PacingConfig fromMap(Map<String, String> config) {
        Builder b = builder();
        // Warm-up settings of a pool are gathered first: they only make sense together.
        Map<String, Map<String, String>> warmups = new TreeMap<>();
        for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = e.getValue() == null ? "" : e.getValue().trim();
            String rest = key.substring(PREFIX.length());
            if (rest.equals("pool-default.rate")) {
                b.defaultPoolRate(number(key, value));
            } else if (rest.equals("domain-default.rate")) {
                b.defaultDomainRate(number(key, value));
            } else if (rest.startsWith("domain.")
                    && rest.endsWith(".splits")
                    && rest.length() > "domain..splits".length()) {
                String domain =
                        rest.substring("domain.".length(), rest.length() - ".splits".length());
                b.splits(domain, integer(key, value));
            } else if (rest.startsWith("pool.")) {
                String poolRest = rest.substring("pool.".length());
                int dot = poolRest.indexOf('.');
                if (dot <= 0) {
                    throw unknown(key);
                }
                String pool = poolRest.substring(0, dot);
                String setting = poolRest.substring(dot + 1);
                if (setting.equals("rate")) {
                    b.poolRate(pool, number(key, value));
                } else if (setting.equals("domain-default.rate")) {
                    b.poolDomainDefaultRate(pool, number(key, value));
                } else if (setting.startsWith("domain.")
                        && setting.endsWith(".rate")
                        && setting.length() > "domain..rate".length()) {
                    String domain =
                            setting.substring(
                                    "domain.".length(), setting.length() - ".rate".length());
                    b.domainRate(pool, domain, number(key, value));
                } else if (setting.startsWith("warmup.")) {
                    warmups.computeIfAbsent(pool, k -> new HashMap<>())
                            .put(setting.substring("warmup.".length()), value);
                } else {
                    throw unknown(key);
                }
            } else {
                throw unknown(key);
            }
        }
        for (Map.Entry<String, Map<String, String>> w : warmups.entrySet()) {
            b.warmup(w.getKey(), parseWarmup(w.getKey(), w.getValue(), b));
        }
        return b.build();
    }

    private static WarmupSchedule parseWarmup(String pool, Map<String, String> w, Builder b) {
        String k = PREFIX + "pool." + pool + ".warmup.";
        for (String setting : w.keySet()) {
            if (!Set.of("start", "start-per-hour", "daily-growth", "max-per-hour", "table")
                    .contains(setting)) {
                throw unknown(k + setting);
            }
        }
        String startText = w.get("start");
        if (startText == null) {
            throw new IllegalArgumentException(
                    k + "start is required when a warm-up is configured");
        }
        LocalDate start;
        try {
            start = LocalDate.parse(startText);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    k + "start must be an ISO date such as 2026-11-01, was '" + startText + "'");
        }
        if (w.containsKey("table")) {
            if (w.containsKey("start-per-hour") || w.containsKey("daily-growth")) {
                throw new IllegalArgumentException(
                        k + "table cannot be combined with start-per-hour or daily-growth");
            }
            Map<Integer, Double> table = new TreeMap<>();
            for (String step : w.get("table").split(",")) {
                String[] parts = step.trim().split(":");
                if (parts.length != 2) {
                    throw new IllegalArgumentException(
                            k + "table steps must be day:capPerHour, was '" + step.trim() + "'");
                }
                table.put(
                        integer(k + "table", parts[0].trim()),
                        number(k + "table", parts[1].trim()));
            }
            return WarmupSchedule.table(start, table);
        }
        double startPerHour =
                w.containsKey("start-per-hour")
                        ? number(k + "start-per-hour", w.get("start-per-hour"))
                        : 1000.0;
        double growth =
                w.containsKey("daily-growth")
                        ? number(k + "daily-growth", w.get("daily-growth"))
                        : 1.5;
        double max =
                w.containsKey("max-per-hour")
                        ? number(k + "max-per-hour", w.get("max-per-hour"))
                        : Math.max(startPerHour, b.poolRateOrDefault(pool) * 3600.0);
        return WarmupSchedule.geometric(start, startPerHour, growth, max);
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a number, was '" + value + "'");
        }
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be an integer, was '" + value + "'");
        }
    }

    private static IllegalArgumentException unknown(String key) {
        return new IllegalArgumentException(
                "unknown pacing key '" + key + "' (see PacingConfig for the keys)");
    }

    @Override
    public String toString() {
        StringBuilder s =
                new StringBuilder("PacingConfig{defaultPoolRate=").append(defaultPoolRate);
        if (defaultDomainRate != null) {
            s.append(", defaultDomainRate=").append(defaultDomainRate);
        }
        for (Map.Entry<String, Pool> e : new TreeMap<>(pools).entrySet()) {
            Pool p = e.getValue();
            s.append(", pool ").append(e.getKey()).append("={rate=").append(p.rate);
            if (p.domainDefaultRate != null) {
                s.append(", domainDefault=").append(p.domainDefaultRate);
            }
            if (!p.domainRates.isEmpty()) {
                s.append(", domains=").append(new TreeMap<>(p.domainRates));
            }
            if (p.warmup != null) {
                s.append(", warmup=").append(p.warmup);
            }
            s.append('}');
        }
        if (!splits.isEmpty()) {
            s.append(", splits=").append(new TreeMap<>(splits));
        }
        return s.append('}').toString();
    }

    /** Builds a {@link PacingConfig}; {@link #build()} checks that it makes sense. */
    public static final class Builder {
        private double defaultPoolRate = DEFAULT_POOL_RATE;
        private Double defaultDomainRate;
        private final Map<String, Pool> pools = new HashMap<>();
        private final Map<String, Integer> splits = new HashMap<>();

        private Builder() {}

        /** Rate of pools not configured. */
        public Builder defaultPoolRate(double perSecond) {
            this.defaultPoolRate = rate("pacing.pool-default.rate", perSecond);
            return this;
        }

        /** Per-domain rate for every pool without its own domain default. */
        public Builder defaultDomainRate(double perSecond) {
            this.defaultDomainRate = rate("pacing.domain-default.rate", perSecond);
            return this;
        }

        /** Most messages per second for a pool. */
        public Builder poolRate(String pool, double perSecond) {
            pool(pool).rate = rate("pacing.pool." + pool + ".rate", perSecond);
            return this;
        }

        /** Per-domain rate for the domains of a pool that are not listed. */
        public Builder poolDomainDefaultRate(String pool, double perSecond) {
            pool(pool).domainDefaultRate =
                    rate("pacing.pool." + pool + ".domain-default.rate", perSecond);
            return this;
        }

        /** Most messages per second from a pool to one recipient domain. */
        public Builder domainRate(String pool, String domain, double perSecond) {
            String d = domain(domain);
            pool(pool)
                    .domainRates
                    .put(d, rate("pacing.pool." + pool + ".domain." + d + ".rate", perSecond));
            return this;
        }

        /** IP warm-up of a pool. */
        public Builder warmup(String pool, WarmupSchedule schedule) {
            pool(pool).warmup = schedule;
            return this;
        }

        /** Sub-keys a hot domain is split over, 1 to 1024. */
        public Builder splits(String domain, int count) {
            if (count < 1 || count > 1024) {
                throw new IllegalArgumentException(
                        "pacing.domain." + domain + ".splits must be 1..1024, was " + count);
            }
            splits.put(domain(domain), count);
            return this;
        }

        /** Checks and builds. */
        public PacingConfig build() {
            for (Map.Entry<String, Pool> e : pools.entrySet()) {
                if (Double.isNaN(e.getValue().rate)) {
                    e.getValue().rate = defaultPoolRate;
                }
            }
            return new PacingConfig(this);
        }

        double poolRateOrDefault(String pool) {
            Pool p = pools.get(pool);
            return p == null || Double.isNaN(p.rate) ? defaultPoolRate : p.rate;
        }

        private Pool pool(String pool) {
            if (pool == null || !POOL_NAME.matcher(pool).matches()) {
                throw new IllegalArgumentException(
                        "pool name must be letters, digits, '-' or '_', was '" + pool + "'");
            }
            return pools.computeIfAbsent(
                    pool,
                    k -> {
                        Pool p = new Pool();
                        p.rate = Double.NaN; // not set yet: the default applies at build()
                        return p;
                    });
        }

        private static String domain(String domain) {
            String d = domain == null ? null : domain.toLowerCase(Locale.ROOT);
            if (d == null || d.isEmpty() || !DOMAIN_NAME.matcher(d).matches()) {
                throw new IllegalArgumentException(
                        "domain must be a lower-case ASCII domain name, was '" + domain + "'");
            }
            return d;
        }

        private static double rate(String key, double perSecond) {
            if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
                throw new IllegalArgumentException(
                        key + " must be a positive finite rate per second, was " + perSecond);
            }
            return perSecond;
        }
    }
}
