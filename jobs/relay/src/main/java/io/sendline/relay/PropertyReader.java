package io.sendline.relay;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the settings under one prefix (e.g. {@code relay.pool.marketing.smtp.}) of a flat property
 * map, with error messages that name the full key and what was expected. Durations are written
 * {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601 ({@code PT2S}).
 */
public final class PropertyReader {

    private static final Pattern SIMPLE_DURATION =
            Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h)", Pattern.CASE_INSENSITIVE);

    private final String prefix;
    private final Map<String, String> props;

    public PropertyReader(String prefix, Map<String, String> props) {
        this.prefix = prefix;
        this.props = props;
    }

    /** The full key for {@code key}, for error messages. */
    public String key(String key) {
        return prefix + key;
    }

    public String string(String key, String defaultValue) {
        String v = props.get(prefix + key);
        return v == null || v.isBlank() ? defaultValue : v.strip();
    }

    public String required(String key) {
        String v = string(key, null);
        if (v == null) {
            throw new IllegalArgumentException(prefix + key + " is required");
        }
        return v;
    }

    public int integer(String key, int defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    prefix + key + " must be an integer, got '" + v + "'", e);
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true":
            case "yes":
            case "on":
                return true;
            case "false":
            case "no":
            case "off":
                return false;
            default:
                throw new IllegalArgumentException(
                        prefix + key + " must be true or false, got '" + v + "'");
        }
    }

    public Duration duration(String key, Duration defaultValue) {
        String v = string(key, null);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parseDuration(v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    prefix
                            + key
                            + " must be a duration such as 250ms, 2s, 5m, 1h or PT2S, got '"
                            + v
                            + "'",
                    e);
        }
    }

    /** Parses {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h} or ISO-8601 durations. */
    public static Duration parseDuration(String text) {
        String v = text.strip();
        Matcher m = SIMPLE_DURATION.matcher(v);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            switch (m.group(2).toLowerCase(Locale.ROOT)) {
                case "ms":
                    return Duration.ofMillis(n);
                case "s":
                    return Duration.ofSeconds(n);
                case "m":
                    return Duration.ofMinutes(n);
                default:
                    return Duration.ofHours(n);
            }
        }
        try {
            return Duration.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "'", e);
        }
    }

    /** Fails on a key under the prefix that is not in {@code known}: catches typos. */
    public void rejectUnknown(Set<String> known) {
        Set<String> unknown = new TreeSet<>();
        for (String k : props.keySet()) {
            if (k.startsWith(prefix) && !known.contains(k.substring(prefix.length()))) {
                unknown.add(k);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException(
                    "unknown relay setting(s) "
                            + unknown
                            + "; known keys under "
                            + prefix
                            + " are "
                            + new TreeSet<>(known));
        }
    }
}
