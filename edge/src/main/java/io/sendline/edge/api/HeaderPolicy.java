package io.sendline.edge.api;

import io.sendline.compose.mime.ReservedHeaders;
import io.sendline.edge.http.FieldError;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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

    static final int MAX_VALUE = ReservedHeaders.MAX_VALUE;

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
        if (!ReservedHeaders.isValidName(name)) {
            errors.add(new FieldError(field, "not a valid header name"));
            return;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (ReservedHeaders.isReserved(lower)) {
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
}
