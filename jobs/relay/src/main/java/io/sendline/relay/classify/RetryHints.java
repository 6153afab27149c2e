package io.sendline.relay.classify;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads back-off hints out of relay replies: "retry in 30 seconds", "try again in 5 minutes",
 * "Retry-After: 120". The hint becomes {@code RelayResult.Failed.retryAfter}, and the {@link
 * io.sendline.relay.Backoff} policy never retries before it.
 */
public final class RetryHints {

    private static final Pattern PHRASE =
            Pattern.compile(
                    "(?:retry|try(?:\\s+again)?|resend|wait)\\s+(?:again\\s+)?(?:in|after)\\s+"
                            + "(\\d{1,7})\\s*(milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|"
                            + "hours?|hrs?|h)?\\b",
                    Pattern.CASE_INSENSITIVE);

    private static final Pattern HEADER =
            Pattern.compile("retry-after\\s*[:=]?\\s*(\\d{1,7})\\b", Pattern.CASE_INSENSITIVE);

    private RetryHints() {}

    /** The hint in {@code text}, or null when it has none. */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        Matcher m = PHRASE.matcher(text);
        if (m.find()) {
            return toDuration(Long.parseLong(m.group(1)), m.group(2));
        }
        m = HEADER.matcher(text);
        if (m.find()) {
            return Duration.ofSeconds(Long.parseLong(m.group(1)));
        }
        return null;
    }

    /**
     * An HTTP {@code Retry-After} header value in seconds (the HTTP-date form is not used by the
     * relays we talk to), or null.
     */
    public static Duration parseRetryAfterHeader(String value) {
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.isEmpty() || v.length() > 9 || !v.chars().allMatch(Character::isDigit)) {
            return null;
        }
        return Duration.ofSeconds(Long.parseLong(v));
    }

    private static Duration toDuration(long amount, String unit) {
        String u = unit == null ? "s" : unit.toLowerCase(Locale.ROOT);
        if (u.startsWith("ms") || u.startsWith("milli")) {
            return Duration.ofMillis(amount);
        }
        if (u.startsWith("h")) {
            return Duration.ofHours(amount);
        }
        if (u.startsWith("m")) {
            return Duration.ofMinutes(amount);
        }
        return Duration.ofSeconds(amount);
    }
}
