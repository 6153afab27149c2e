package io.sendline.compose.mime;

import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.compose.CompositionException;
import java.nio.charset.StandardCharsets;

/**
 * An address as it goes into headers and the SMTP envelope: local part as given, domain in ASCII
 * (punycode, via {@link Addresses#asciiDomain}).
 *
 * <p>Local parts must be dot-atoms (quoted local parts are refused). A non-ASCII local part is
 * accepted: it is written as UTF-8 (RFC 6532) and the message then needs SMTPUTF8 on the way out,
 * which {@link io.sendline.compose.ComposedMessage#requiresSmtpUtf8()} reports to the relay.
 *
 * @param localPart local part, unchanged
 * @param domain ASCII domain, lower case
 */
public record MailAddress(String localPart, String domain) {

    private static final String ATEXT_SPECIALS = "!#$%&'*+-/=?^_`{|}~";

    /**
     * Parses and checks an address.
     *
     * @param what names the address in errors, e.g. {@code recipient}
     */
    public static MailAddress parse(String raw, String what) throws CompositionException {
        if (raw == null || raw.isEmpty()) {
            throw new CompositionException(what + " address is missing");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new CompositionException(what + " address contains CR, LF or NUL");
            }
            if (c <= ' ' || c == 0x7f || Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new CompositionException(
                        what + " address contains whitespace or a control character");
            }
        }
        int at = raw.lastIndexOf('@');
        if (at <= 0 || at == raw.length() - 1) {
            throw new CompositionException(what + " address must be local-part@domain");
        }
        String local = raw.substring(0, at);
        if (local.getBytes(StandardCharsets.UTF_8).length > 64) {
            throw new CompositionException(what + " address local part is longer than 64 octets");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new CompositionException(what + " address local part has a misplaced dot");
        }
        for (int i = 0; i < local.length(); i++) {
            char c = local.charAt(i);
            boolean ok =
                    c >= 0x80
                            || (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || c == '.'
                            || ATEXT_SPECIALS.indexOf(c) >= 0;
            if (!ok) {
                throw new CompositionException(
                        what
                                + " address local part must be a dot-atom (quoted local parts"
                                + " are not supported)");
            }
        }
        String domain = plainDomain(raw, at + 1);
        if (domain != null) {
            return new MailAddress(local, domain);
        }
        try {
            domain = Addresses.asciiDomain(raw.substring(at + 1));
        } catch (InvalidAddressException e) {
            throw new CompositionException(what + " address: " + e.getMessage());
        }
        return new MailAddress(local, domain);
    }

    /**
     * The lower-cased domain when it is already plain ASCII letters, digits and hyphens in valid
     * labels (nearly every domain), so that IDN conversion is skipped; else null.
     */
    private static String plainDomain(String raw, int from) {
        int n = raw.length();
        if (n - from > 253 || from >= n) {
            return null;
        }
        int labelStart = from;
        int labels = 0;
        boolean upper = false;
        for (int i = from; i <= n; i++) {
            char c = i < n ? raw.charAt(i) : '.';
            if (c == '.') {
                int len = i - labelStart;
                if (len == 0
                        || len > 63
                        || raw.charAt(labelStart) == '-'
                        || raw.charAt(i - 1) == '-'
                        || raw.startsWith("xn--", labelStart)) {
                    return null;
                }
                labels++;
                labelStart = i + 1;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
            } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
                return null;
            }
        }
        if (labels < 2) {
            return null;
        }
        String d = raw.substring(from);
        return upper ? d.toLowerCase(java.util.Locale.ROOT) : d;
    }

    /** True when the local part is not ASCII (the message needs SMTPUTF8). */
    public boolean utf8LocalPart() {
        for (int i = 0; i < localPart.length(); i++) {
            if (localPart.charAt(i) >= 0x80) {
                return true;
            }
        }
        return false;
    }

    /** {@code local@ascii-domain}. */
    public String headerForm() {
        return localPart + "@" + domain;
    }

    @Override
    public String toString() {
        return headerForm();
    }
}
