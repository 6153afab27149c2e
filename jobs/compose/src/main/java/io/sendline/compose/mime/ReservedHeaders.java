package io.sendline.compose.mime;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one list of header fields a caller may never set on an email: those composition writes or
 * DKIM signs, our own tracking headers, and the relay control headers with which a caller could
 * change how a relay treats the message. The edge refuses them at the API (400) and the composer
 * refuses them again at send time, so a job that reached Kafka some other way cannot set them
 * either.
 */
public final class ReservedHeaders {

    /** Longest header value we accept (RFC 5322 line limit). */
    public static final int MAX_VALUE = 998;

    /** A field name: printable US-ASCII except colon, at most 76 characters (RFC 5322 2.2). */
    private static final Pattern NAME = Pattern.compile("[!-9;-~]{1,76}");

    private static final Set<String> NAMES =
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

    private static final List<String> PREFIXES =
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

    private ReservedHeaders() {}

    /** Whether {@code name} is a syntactically valid header field name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** Whether a caller may never set the header {@code name} (case-insensitive). */
    public static boolean isReserved(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (NAMES.contains(lower)) {
            return true;
        }
        for (String p : PREFIXES) {
            if (lower.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
