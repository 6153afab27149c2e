package io.sendline.common.retry;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * When to try a job again after a retryable failure, and when to give up.
 *
 * <p>One counter, the job's delivery attempt ({@code EmailJob.attempt()}, 0 for the first try),
 * drives two levels of retry:
 *
 * <ol>
 *   <li><b>Short retries in the operator</b>: after attempts {@code 0 .. shortDelays-1} fail, try
 *       again in the same operator after 1 s, 5 s, 15 s (by default), or after the relay's {@code
 *       Retry-After} hint when that is longer. A hint longer than {@code maxShortDelay} skips
 *       straight to the retry topic, so the operator never holds a message for minutes.
 *   <li><b>Long retries through the retry topic</b>: then the job goes to {@code email.jobs.retry}
 *       with a not-before time 5 min, 30 min, 2 h, 6 h, 15 h later (by default), again never sooner
 *       than the relay's hint.
 *   <li><b>Give up</b> when the long delays are used up, or when the next try would fall more than
 *       {@code maxTotal} (24 h) after the first.
 * </ol>
 *
 * <p>Soft bounces (reported by the relay after it accepted the message) follow their own rule:
 * retried {@value #SOFT_BOUNCE_RETRIES} times over 24 h, then the address is suppressed with {@code
 * SOFT_BOUNCE_LIMIT}; see {@link #afterSoftBounce}.
 *
 * <p>Stateless and serializable: every input, including the clock, is an argument.
 */
public final class RetryPolicy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Soft bounces retried before the address is suppressed. */
    public static final int SOFT_BOUNCE_RETRIES = 3;

    private final List<Duration> shortDelays;
    private final List<Duration> longDelays;
    private final Duration maxShortDelay;
    private final Duration maxTotal;
    private final List<Duration> softBounceDelays;

    /** What to do after a failed try. */
    public enum Kind {
        /** Try again in the operator after {@link Decision#delay()}. */
        RETRY_NOW_AFTER,
        /** Send to the retry topic, not to be tried before {@link Decision#notBefore()}. */
        RETRY_TOPIC,
        /** Stop: the job FAILED (and, for soft bounces, the address is suppressed). */
        GIVE_UP
    }

    /**
     * A retry decision.
     *
     * @param kind what to do
     * @param delay for {@link Kind#RETRY_NOW_AFTER}: how long to wait; otherwise null
     * @param notBefore for {@link Kind#RETRY_TOPIC}: earliest next try; otherwise null
     * @param suppress for {@link Kind#GIVE_UP} after soft bounces: true when the address must now
     *     be suppressed with {@code SOFT_BOUNCE_LIMIT}
     */
    public record Decision(Kind kind, Duration delay, Instant notBefore, boolean suppress) {

        /** Retry in the operator after {@code delay}. */
        public static Decision retryNowAfter(Duration delay) {
            return new Decision(Kind.RETRY_NOW_AFTER, delay, null, false);
        }

        /** Retry through the retry topic from {@code notBefore}. */
        public static Decision retryTopic(Instant notBefore) {
            return new Decision(Kind.RETRY_TOPIC, null, notBefore, false);
        }

        /** Give up. */
        public static Decision giveUp(boolean suppress) {
            return new Decision(Kind.GIVE_UP, null, null, suppress);
        }
    }

    private RetryPolicy(
            List<Duration> shortDelays,
            List<Duration> longDelays,
            Duration maxShortDelay,
            Duration maxTotal,
            List<Duration> softBounceDelays) {
        this.shortDelays = List.copyOf(shortDelays);
        this.longDelays = List.copyOf(longDelays);
        this.maxShortDelay = Objects.requireNonNull(maxShortDelay);
        this.maxTotal = Objects.requireNonNull(maxTotal);
        this.softBounceDelays = List.copyOf(softBounceDelays);
        for (List<Duration> l : List.of(this.shortDelays, this.longDelays, this.softBounceDelays)) {
            for (Duration d : l) {
                if (d.isNegative() || d.isZero()) {
                    throw new IllegalArgumentException("retry delays must be positive, was " + d);
                }
            }
        }
        if (maxShortDelay.isNegative() || (maxTotal.isNegative() || maxTotal.isZero())) {
            throw new IllegalArgumentException("maxShortDelay >= 0 and maxTotal > 0 required");
        }
    }

    /**
     * The default policy: short 1 s, 5 s, 15 s (relay hints up to 60 s honoured in the operator);
     * long 5 min, 30 min, 2 h, 6 h, 15 h; at most 24 h in all; soft bounces retried after 1 h, 5 h,
     * 12 h (so the third retry happens about 18 h after the first bounce: the delays must leave
     * room for the time a bounce takes to be reported, or the third retry would fall past the 24 h
     * deadline and never happen).
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(
                List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(15)),
                List.of(
                        Duration.ofMinutes(5),
                        Duration.ofMinutes(30),
                        Duration.ofHours(2),
                        Duration.ofHours(6),
                        Duration.ofHours(15)),
                Duration.ofSeconds(60),
                Duration.ofHours(24),
                List.of(Duration.ofHours(1), Duration.ofHours(5), Duration.ofHours(12)));
    }

    /**
     * A custom policy.
     *
     * @param shortDelays waits between in-operator tries
     * @param longDelays waits between retry-topic tries
     * @param maxShortDelay longest relay hint still waited for in the operator
     * @param maxTotal no try later than this after the first
     * @param softBounceDelays waits after the 1st, 2nd, ... soft bounce; one more soft bounce
     *     suppresses the address
     */
    public static RetryPolicy of(
            List<Duration> shortDelays,
            List<Duration> longDelays,
            Duration maxShortDelay,
            Duration maxTotal,
            List<Duration> softBounceDelays) {
        return new RetryPolicy(shortDelays, longDelays, maxShortDelay, maxTotal, softBounceDelays);
    }

    /**
     * The decision after try {@code attempt} failed retryably, without a deadline check (the
     * default long delays add up to less than 24 h anyway).
     *
     * @param attempt the attempt that just failed, 0 for the first try
     * @param relayHint the relay's Retry-After, or null
     * @param now the current time
     */
    public Decision next(int attempt, Duration relayHint, Instant now) {
        return next(attempt, relayHint, null, now);
    }

    /**
     * The decision after try {@code attempt} failed retryably.
     *
     * @param attempt the attempt that just failed, 0 for the first try
     * @param relayHint the relay's Retry-After, or null
     * @param firstTriedAt when the job was first tried (or created), or null for no deadline check
     * @param now the current time
     */
    public Decision next(int attempt, Duration relayHint, Instant firstTriedAt, Instant now) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        }
        Objects.requireNonNull(now, "now");
        Duration hint = relayHint == null || relayHint.isNegative() ? Duration.ZERO : relayHint;
        Instant deadline = firstTriedAt == null ? null : firstTriedAt.plus(maxTotal);
        if (attempt < shortDelays.size() && hint.compareTo(maxShortDelay) <= 0) {
            Duration delay = max(shortDelays.get(attempt), hint);
            if (deadline == null || !now.plus(delay).isAfter(deadline)) {
                return Decision.retryNowAfter(delay);
            }
            return Decision.giveUp(false);
        }
        // Long retries are numbered after the short ones; a hint that skipped the short ones
        // starts the long ones at their first delay.
        int longIndex = Math.max(0, attempt - shortDelays.size());
        if (longIndex >= longDelays.size()) {
            return Decision.giveUp(false);
        }
        Instant notBefore = now.plus(max(longDelays.get(longIndex), hint));
        if (deadline != null && notBefore.isAfter(deadline)) {
            return Decision.giveUp(false);
        }
        return Decision.retryTopic(notBefore);
    }

    /**
     * The decision after a soft bounce: retry through the retry topic while fewer than {@value
     * #SOFT_BOUNCE_RETRIES} retries were made and within 24 h of the first soft bounce; otherwise
     * give up and suppress the address ({@code SOFT_BOUNCE_LIMIT}).
     *
     * @param softBounces soft bounces of this job so far, including this one (1 for the first)
     * @param firstSoftBounceAt when the first one happened, or null if this is it
     * @param now the current time
     */
    public Decision afterSoftBounce(int softBounces, Instant firstSoftBounceAt, Instant now) {
        if (softBounces < 1) {
            throw new IllegalArgumentException("softBounces must be >= 1, was " + softBounces);
        }
        if (softBounces > softBounceDelays.size()) {
            return Decision.giveUp(true);
        }
        Instant first = firstSoftBounceAt == null ? now : firstSoftBounceAt;
        Instant notBefore = now.plus(softBounceDelays.get(softBounces - 1));
        if (notBefore.isAfter(first.plus(maxTotal))) {
            return Decision.giveUp(true);
        }
        return Decision.retryTopic(notBefore);
    }

    /** Prefix of the configuration keys {@link #fromMap} reads. */
    public static final String PREFIX = "retry.";

    /**
     * The default policy with the {@code retry.*} keys of {@code config} applied; other keys are
     * ignored, an unknown {@code retry.*} key is an error naming it.
     *
     * <table>
     *   <caption>retry configuration keys</caption>
     *   <tr><th>key</th><th>default</th></tr>
     *   <tr><td>{@code retry.short-delays}</td><td>{@code 1s,5s,15s}</td></tr>
     *   <tr><td>{@code retry.long-delays}</td><td>{@code 5m,30m,2h,6h,15h}</td></tr>
     *   <tr><td>{@code retry.max-short-delay}</td><td>{@code 60s}</td></tr>
     *   <tr><td>{@code retry.max-total}</td><td>{@code 24h}</td></tr>
     *   <tr><td>{@code retry.soft-bounce-delays}</td><td>{@code 1h,5h,12h}</td></tr>
     * </table>
     *
     * <p>Durations are {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601
     * ({@code PT5M}); lists are comma-separated, and an empty list means none (e.g. {@code
     * retry.short-delays=} sends every retry through the retry topic).
     */
    public static RetryPolicy fromMap(Map<String, String> config) {
        RetryPolicy d = defaults();
        List<Duration> shortDelays = d.shortDelays;
        List<Duration> longDelays = d.longDelays;
        Duration maxShortDelay = d.maxShortDelay;
        Duration maxTotal = d.maxTotal;
        List<Duration> softBounceDelays = d.softBounceDelays;
        for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(PREFIX)) {
                continue;
            }
            String value = e.getValue() == null ? "" : e.getValue().trim();
            switch (key.substring(PREFIX.length())) {
                case "short-delays":
                    shortDelays = durations(key, value);
                    break;
                case "long-delays":
                    longDelays = durations(key, value);
                    break;
                case "max-short-delay":
                    maxShortDelay = duration(key, value);
                    break;
                case "max-total":
                    maxTotal = duration(key, value);
                    break;
                case "soft-bounce-delays":
                    softBounceDelays = durations(key, value);
                    break;
                default:
                    throw new IllegalArgumentException(
                            "unknown retry key '" + key + "' (see RetryPolicy.fromMap)");
            }
        }
        return new RetryPolicy(shortDelays, longDelays, maxShortDelay, maxTotal, softBounceDelays);
    }

    private static List<Duration> durations(String key, String value) {
        List<Duration> out = new ArrayList<>();
        if (value.isEmpty()) {
            return out;
        }
        for (String part : value.split(",")) {
            out.add(duration(key, part.trim()));
        }
        return out;
    }

    /** Parses {@code 500ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 1d} or ISO-8601. */
    static Duration duration(String key, String value) {
        try {
            if (value.startsWith("P") || value.startsWith("p")) {
                return Duration.parse(value);
            }
            String v = value.toLowerCase(Locale.ROOT);
            if (v.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2).trim()));
            }
            long n = Long.parseLong(v.substring(0, v.length() - 1).trim());
            switch (v.charAt(v.length() - 1)) {
                case 's':
                    return Duration.ofSeconds(n);
                case 'm':
                    return Duration.ofMinutes(n);
                case 'h':
                    return Duration.ofHours(n);
                case 'd':
                    return Duration.ofDays(n);
                default:
                    break;
            }
        } catch (RuntimeException e) {
            // fall through to the error below
        }
        throw new IllegalArgumentException(
                key
                        + " must be a duration such as 500ms, 30s, 5m, 2h, 1d or PT5M, was '"
                        + value
                        + "'");
    }

    /** Number of in-operator retries. */
    public int shortRetries() {
        return shortDelays.size();
    }

    /** Number of retry-topic retries. */
    public int longRetries() {
        return longDelays.size();
    }

    /** Longest time from the first try to the last. */
    public Duration maxTotal() {
        return maxTotal;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
