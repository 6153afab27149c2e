package io.sendline.relay.classify;

import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Classifies an SMTP reply (RFC 5321 reply code plus the RFC 3463 enhanced status code in its text)
 * into an {@link Outcome}. The table is in docs/relays.md; the rules, in order:
 *
 * <ol>
 *   <li>2xx: accepted. No reply at all (code 0: timeout, dropped connection): retryable.
 *   <li>4xx: greylisting is retryable; 421 and 4.7.x (Gmail, Yahoo, Microsoft rate limiting) are
 *       {@link Outcome#THROTTLED}, a pool-level signal; other enhanced 4.x.x codes are retryable;
 *       without an enhanced code, rate-limit wording means throttled, anything else retryable.
 *   <li>5xx with an enhanced code: recipient failures (5.1.x except the sender's own 5.1.7/5.1.8,
 *       5.2.0, 5.2.1, 5.4.1, 5.4.4) are hard bounces; 5.2.2 mailbox full is treated as a soft
 *       bounce (retryable) because big providers use it for temporary quota states; everything else
 *       (5.2.3 size, 5.3.x system, 5.4.x routing, 5.5.x protocol, 5.6.x content, 5.7.x policy and
 *       authentication) is {@link Outcome#PERMANENT_POLICY}, which never suppresses.
 *   <li>5xx without one (or 5.0.0): policy wording (spam, blocked, reputation, SPF/DKIM/DMARC,
 *       denied) wins over recipient wording (user unknown, no such user ...), because suppressing a
 *       good address is worse than retrying a bad one; then by code: 550/551/553 recipient, 552
 *       retryable (storage), anything else (500-504 syntax, 530/535 auth, 554) policy.
 * </ol>
 *
 * If the enhanced code's class contradicts the reply code's (e.g. "550 4.2.2"), the reply code wins
 * and the enhanced code is ignored.
 */
public final class SmtpReplyClassifier {

    private static final Pattern ENHANCED =
            Pattern.compile("(?<![\\d.])([245])\\.(\\d{1,3})\\.(\\d{1,3})(?![\\d.]*\\d)");

    private static final Pattern GREYLIST =
            Pattern.compile("gr[ae]y[- ]?list", Pattern.CASE_INSENSITIVE);

    private static final Pattern RATE_WORDS =
            Pattern.compile(
                    "rate limit|ratelimit|too many (?:connections|messages|mails|emails)|throttl"
                            + "|sending rate|exceeded .*rate|rate .*exceeded|slow down"
                            + "|temporarily deferred|unusual rate|too much mail",
                    Pattern.CASE_INSENSITIVE);

    private static final Pattern POLICY_WORDS =
            Pattern.compile(
                    "spam|block|blacklist|denylist|policy|reputation|\\bspf\\b|\\bdkim\\b"
                            + "|\\bdmarc\\b|denied|not authori[sz]ed|relay(?:ing)? (?:access )?"
                            + "(?:denied|not permitted)|content rejected|virus|malware|phish",
                    Pattern.CASE_INSENSITIVE);

    private static final Pattern RECIPIENT_WORDS =
            Pattern.compile(
                    "user unknown|unknown user|no such (?:user|mailbox|recipient|domain)"
                            + "|does ?n[o']t exist|not exist|invalid (?:recipient|mailbox|address)"
                            + "|mailbox (?:unavailable|not found|disabled|inactive)|no mailbox"
                            + "|recipient (?:address )?rejected|address rejected|unrouteable"
                            + "|account (?:disabled|inactive|closed)|disabled|inactive",
                    Pattern.CASE_INSENSITIVE);

    private SmtpReplyClassifier() {}

    /**
     * The enhanced status code (e.g. {@code 5.1.1}) in {@code text}, or null. Only codes whose
     * class is 2, 4 or 5 are returned.
     */
    public static String enhancedStatus(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = ENHANCED.matcher(text);
        return m.find() ? m.group(1) + "." + m.group(2) + "." + m.group(3) : null;
    }

    /** The reply code at the start of {@code text} ("550 5.1.1 ..." or "550-5.1.1 ..."), or 0. */
    public static int replyCode(String text) {
        if (text == null) {
            return 0;
        }
        String t = text.stripLeading();
        if (t.length() >= 3
                && Character.isDigit(t.charAt(0))
                && Character.isDigit(t.charAt(1))
                && Character.isDigit(t.charAt(2))
                && (t.length() == 3 || !Character.isDigit(t.charAt(3)))) {
            int code = Integer.parseInt(t.substring(0, 3));
            return code >= 200 && code < 600 ? code : 0;
        }
        return 0;
    }

    /** The outcome of reply {@code code} with text {@code text} (text may be null). */
    public static Outcome classify(int code, String text) {
        String status = consistentEnhanced(code, enhancedStatus(text));
        return classify(code, status, text == null ? "" : text);
    }

    /**
     * A {@link RelayResult.Failed} for a non-2xx reply: outcome, code, enhanced status, redacted
     * text, and the retry hint parsed from the text.
     *
     * @throws IllegalArgumentException for a 2xx code, which is not a failure
     */
    public static RelayResult.Failed failure(int code, String text) {
        if (code >= 200 && code < 300) {
            throw new IllegalArgumentException("reply " + code + " is a success, not a failure");
        }
        String status = consistentEnhanced(code, enhancedStatus(text));
        Outcome outcome = classify(code, status, text == null ? "" : text);
        return new RelayResult.Failed(
                outcome, code, status, Redaction.detail(text), RetryHints.parse(text));
    }

    private static String consistentEnhanced(int code, String status) {
        if (status == null || code == 0) {
            return status;
        }
        return status.charAt(0) == Character.forDigit(code / 100, 10) ? status : null;
    }

    private static Outcome classify(int code, String status, String text) {
        if (code >= 200 && code < 300) {
            return Outcome.ACCEPTED;
        }
        if (code < 400 || code >= 600) {
            // No reply (0: timeout, dropped connection) or an unexpected 1xx/3xx in its place.
            return Outcome.RETRYABLE;
        }
        if (code < 500) {
            return temporary(code, status, text);
        }
        return permanent(code, status, text);
    }

    private static Outcome temporary(int code, String status, String text) {
        if (GREYLIST.matcher(text).find()) {
            return Outcome.RETRYABLE;
        }
        if (code == 421) {
            return Outcome.THROTTLED;
        }
        if (status != null) {
            return subject(status) == 7 ? Outcome.THROTTLED : Outcome.RETRYABLE;
        }
        return RATE_WORDS.matcher(text).find() ? Outcome.THROTTLED : Outcome.RETRYABLE;
    }

    private static Outcome permanent(int code, String status, String text) {
        if (status != null && !status.equals("5.0.0")) {
            int subject = subject(status);
            int detail = detail(status);
            switch (subject) {
                case 1:
                    // 5.1.7 / 5.1.8: our own sender address or domain is bad, not the recipient.
                    return detail == 7 || detail == 8
                            ? Outcome.PERMANENT_POLICY
                            : Outcome.PERMANENT_RECIPIENT;
                case 2:
                    if (detail == 2) {
                        return Outcome.RETRYABLE;
                    }
                    return detail == 0 || detail == 1
                            ? Outcome.PERMANENT_RECIPIENT
                            : Outcome.PERMANENT_POLICY;
                case 4:
                    // 5.4.4 unable to route (no such domain); 5.4.1 is what Exchange Online
                    // answers for a recipient its directory does not know.
                    return detail == 4 || detail == 1
                            ? Outcome.PERMANENT_RECIPIENT
                            : Outcome.PERMANENT_POLICY;
                default:
                    return Outcome.PERMANENT_POLICY;
            }
        }
        if (POLICY_WORDS.matcher(text).find()) {
            return Outcome.PERMANENT_POLICY;
        }
        if (RECIPIENT_WORDS.matcher(text).find()) {
            return Outcome.PERMANENT_RECIPIENT;
        }
        switch (code) {
            case 550:
            case 551:
            case 553:
                return Outcome.PERMANENT_RECIPIENT;
            case 552:
                return Outcome.RETRYABLE;
            default:
                return Outcome.PERMANENT_POLICY;
        }
    }

    private static int subject(String status) {
        int a = status.indexOf('.');
        int b = status.indexOf('.', a + 1);
        return Integer.parseInt(status.substring(a + 1, b));
    }

    private static int detail(String status) {
        return Integer.parseInt(status.substring(status.lastIndexOf('.') + 1));
    }
}
