package io.sendline.edge.api;

import io.sendline.edge.http.FieldError;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which custom headers a caller may set, and what their values may contain.
 *
 * <p>Allowed: {@code X-*} headers and the threading headers {@code In-Reply-To} and {@code
 * References}, plus names added by configuration. Never allowed, whatever the configuration: the
 * headers composition writes or DKIM signs (From, Sender, To, Cc, Bcc, Reply-To, Subject, Date,
 * Message-ID, MIME-Version, Content-*, List-*, Feedback-ID, DKIM/ARC/authentication headers,
 * Received, Return-Path), our own {@code X-Sendline-*} tracking headers, and the relay control
 * headers ({@code X-SES-*}, {@code X-SMTPAPI}, {@code X-Mailgun-*}, {@code X-PM-*}) with which a
 * caller could change how the relay treats the message. Values: at most 998 characters, no CR, LF
 * or other control characters (header injection).
 */
public final class HeaderPolicy {

    /** Most custom headers per email. */
    public static final int MAX_HEADERS = 20;

    static final int MAX_VALUE = 998;

    private static final Pattern NAME = Pattern.compile("[!-9;-~]{1,76}");

    private static final Set<String> NEVER =
            Set.of(
                    "from",
                    "sender",
                    "to",
                    "cc",
                    "bcc",
                    "reply-to",
                    "subject",
                    "date",
                    "message-id",
                    "mime-version",
                    "return-path",
                    "received",
                    "feedback-id",
                    "dkim-signature",
                    "domainkey-signature",
                    "authentication-results",
                    "x-smtpapi",
                    "x-priority-override",
                    "precedence",
                    "auto-submitted",
                    "resent-from",
                    "resent-sender",
                    "resent-to");

    private static final List<String> NEVER_PREFIXES =
            List.of(
                    "content-",
                    "list-",
                    "arc-",
                    "x-sendline-",
                    "x-ses-",
                    "x-mailgun-",
                    "x-pm-",
                    "x-sg-",
                    "x-google-",
                    "x-ms-exchange-");

    private static final Set<String> ALLOWED = Set.of("in-reply-to", "references");

    private final Set<String> extraAllowed;

    /**
     * @param extraAllowed more header names to allow (case-insensitive)
     */
    public HeaderPolicy(Set<String> extraAllowed) {
        this.extraAllowed =
                extraAllowed.stream()
                        .map(s -> s.toLowerCase(Locale.ROOT))
                        .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Adds what is wrong with one header to {@code errors}. */
    public void check(String field, String name, String value, List<FieldError> errors) {
        if (name == null || !NAME.matcher(name).matches()) {
            errors.add(new FieldError(field, "not a valid header name"));
            return;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (forbidden(lower)) {
            errors.add(
                    new FieldError(
                            field,
                            "header "
                                    + name
                                    + " may not be set: it is written by Sendline, signed by DKIM or"
                                    + " controls the relay"));
            return;
        }
        if (!lower.startsWith("x-") && !ALLOWED.contains(lower) && !extraAllowed.contains(lower)) {
            errors.add(
                    new FieldError(
                            field,
                            "header "
                                    + name
                                    + " is not in the allow-list (X-*, In-Reply-To, References)"));
            return;
        }
        if (value == null) {
            errors.add(new FieldError(field, "header value must be a string"));
            return;
        }
        if (value.length() > MAX_VALUE) {
            errors.add(new FieldError(field, "header value is longer than 998 characters"));
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                errors.add(new FieldError(field, "header value contains CR or LF"));
                return;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7f) {
                errors.add(new FieldError(field, "header value contains a control character"));
                return;
            }
        }
    }

    private static boolean forbidden(String lower) {
        if (NEVER.contains(lower)) {
            return true;
        }
        for (String p : NEVER_PREFIXES) {
            if (lower.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
