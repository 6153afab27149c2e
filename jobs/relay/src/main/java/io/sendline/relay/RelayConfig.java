package io.sendline.relay;

import io.sendline.relay.sandbox.SandboxSettings;
import io.sendline.relay.ses.SesSettings;
import io.sendline.relay.smtp.SmtpSettings;
import java.io.Serializable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which relay each sending pool uses. Read from flat properties:
 *
 * <pre>
 * relay.pool.transactional.type=ses
 * relay.pool.transactional.ses.region=eu-west-1
 * relay.pool.transactional.ses.configurationSet=tx
 * relay.pool.marketing.type=smtp
 * relay.pool.marketing.smtp.host=smtp.sendgrid.net
 * relay.pool.default.type=sandbox        # any pool not listed
 * </pre>
 *
 * The per-type keys are listed on {@link SesSettings}, {@link SmtpSettings} and {@link
 * SandboxSettings}. Unknown keys are errors, so typos do not silently fall back to defaults.
 * Serializable: a Flink operator holds it and builds the relays with {@link RelayFactory} in {@code
 * open()}.
 */
public final class RelayConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Prefix of every relay key. */
    public static final String PREFIX = "relay.pool.";

    /** The pool whose settings apply to pools that are not configured. */
    public static final String DEFAULT_POOL = "default";

    /** Key (after {@code relay.pool.<pool>.}) selecting the relay type. */
    public static final String TYPE_KEY = "type";

    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private final Map<String, RelaySettings> pools;

    private RelayConfig(Map<String, RelaySettings> pools) {
        this.pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Every pool uses the sandbox with default settings (local stack, tests). */
    public static RelayConfig sandbox() {
        return builder().defaultPool(SandboxSettings.builder().build()).build();
    }

    /** Reads the {@code relay.pool.*} keys of {@code props}; other keys are ignored. */
    public static RelayConfig fromProperties(Properties props) {
        Map<String, String> map = new TreeMap<>();
        for (String name : props.stringPropertyNames()) {
            map.put(name, props.getProperty(name));
        }
        return fromProperties(map);
    }

    /** Reads the {@code relay.pool.*} keys of {@code props}; other keys are ignored. */
    public static RelayConfig fromProperties(Map<String, String> props) {
        Set<String> poolNames = new TreeSet<>();
        for (String key : props.keySet()) {
            if (key.startsWith(PREFIX)) {
                String rest = key.substring(PREFIX.length());
                int dot = rest.indexOf('.');
                if (dot <= 0) {
                    throw new IllegalArgumentException(
                            "relay key '" + key + "' must look like relay.pool.<pool>.<setting>");
                }
                poolNames.add(rest.substring(0, dot));
            }
        }
        Builder b = builder();
        for (String pool : poolNames) {
            String prefix = PREFIX + pool + ".";
            String type = props.get(prefix + TYPE_KEY);
            if (type == null || type.isBlank()) {
                throw new IllegalArgumentException(
                        prefix
                                + TYPE_KEY
                                + " is missing (ses, smtp or sandbox), but other "
                                + prefix
                                + "* keys are set");
            }
            String t = type.strip();
            Set<String> otherTypes = new TreeSet<>(Set.of("ses", "smtp", "sandbox"));
            otherTypes.remove(t);
            for (String key : props.keySet()) {
                if (!key.startsWith(prefix) || key.equals(prefix + TYPE_KEY)) {
                    continue;
                }
                String rest = key.substring(prefix.length());
                String section = rest.contains(".") ? rest.substring(0, rest.indexOf('.')) : rest;
                if (!section.equals(t)) {
                    throw new IllegalArgumentException(
                            "relay key '"
                                    + key
                                    + "' does not apply: pool '"
                                    + pool
                                    + "' has type "
                                    + t
                                    + ", so its settings are "
                                    + prefix
                                    + t
                                    + ".*");
                }
            }
            String typePrefix = prefix + t + ".";
            RelaySettings settings;
            switch (t) {
                case SesSettings.TYPE:
                    settings = SesSettings.fromProperties(typePrefix, props);
                    break;
                case SmtpSettings.TYPE:
                    settings = SmtpSettings.fromProperties(typePrefix, props);
                    break;
                case SandboxSettings.TYPE:
                    settings = SandboxSettings.fromProperties(typePrefix, props);
                    break;
                default:
                    throw new IllegalArgumentException(
                            prefix + TYPE_KEY + " must be ses, smtp or sandbox, got '" + t + "'");
            }
            b.pool(pool, settings);
        }
        return b.build();
    }

    /**
     * The settings for {@code pool}: its own, else the default pool's.
     *
     * @throws IllegalArgumentException when neither is configured
     */
    public RelaySettings forPool(String pool) {
        RelaySettings s = pools.get(pool);
        if (s == null) {
            s = pools.get(DEFAULT_POOL);
        }
        if (s == null) {
            throw new IllegalArgumentException(
                    "no relay configured for pool '"
                            + pool
                            + "': set "
                            + PREFIX
                            + pool
                            + "."
                            + TYPE_KEY
                            + " or "
                            + PREFIX
                            + DEFAULT_POOL
                            + "."
                            + TYPE_KEY
                            + " (configured pools: "
                            + pools.keySet()
                            + ")");
        }
        return s;
    }

    /** True when {@code pool} has its own settings (not the default's). */
    public boolean configures(String pool) {
        return pools.containsKey(pool);
    }

    /** Configured pools and their settings, in configuration order. */
    public Map<String, RelaySettings> pools() {
        return pools;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayConfig && ((RelayConfig) o).pools.equals(pools);
    }

    @Override
    public int hashCode() {
        return pools.hashCode();
    }

    @Override
    public String toString() {
        return "RelayConfig" + pools;
    }

    /** Builds a {@link RelayConfig}; {@link #build()} checks that at least one pool is set. */
    public static final class Builder {
        private final Map<String, RelaySettings> pools = new LinkedHashMap<>();

        private Builder() {}

        /** The relay of {@code pool}. */
        public Builder pool(String pool, RelaySettings settings) {
            Objects.requireNonNull(pool, "pool name");
            Objects.requireNonNull(settings, "relay settings of pool '" + pool + "'");
            if (!POOL_NAME.matcher(pool).matches()) {
                throw new IllegalArgumentException(
                        "pool name must be 1-64 letters, digits, _ or -, got '" + pool + "'");
            }
            if (pools.putIfAbsent(pool, settings) != null) {
                throw new IllegalArgumentException("pool '" + pool + "' is configured twice");
            }
            return this;
        }

        /** The relay of every pool that is not configured. */
        public Builder defaultPool(RelaySettings settings) {
            return pool(DEFAULT_POOL, settings);
        }

        public RelayConfig build() {
            if (pools.isEmpty()) {
                throw new IllegalArgumentException(
                        "no relay configured: set "
                                + PREFIX
                                + "<pool>."
                                + TYPE_KEY
                                + " for each pool, or "
                                + PREFIX
                                + DEFAULT_POOL
                                + "."
                                + TYPE_KEY);
            }
            return new RelayConfig(pools);
        }
    }
}
