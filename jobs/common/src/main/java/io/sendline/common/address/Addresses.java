package io.sendline.common.address;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;

/**
 * Email address rules shared by the edge and the jobs: validation (including internationalised
 * domains and local parts), normalisation (the form suppressions are keyed by) and the compact
 * 64-bit key used for suppression lookups.
 *
 * <p>Normal form: trimmed, lower-cased, domain in ASCII (punycode). Mailbox providers treat local
 * parts case-insensitively in practice, so suppressions must too.
 */
public final class Addresses {

    private static final int MAX_LOCAL = 64;
    private static final int MAX_DOMAIN = 253;
    private static final int MAX_ADDRESS = 254;

    private Addresses() {}

    /**
     * Validates and normalises an address.
     *
     * @throws InvalidAddressException saying what is wrong (never echoing the address itself)
     */
    public static String normalise(String address) {
        if (address == null) {
            throw new InvalidAddressException("address is missing");
        }
        String a = address.strip();
        for (int i = 0; i < a.length(); i++) {
            char c = a.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new InvalidAddressException("address contains CR, LF or NUL");
            }
            if (Character.isWhitespace(c) || Character.isISOControl(c)) {
                throw new InvalidAddressException(
                        "address contains whitespace or control characters");
            }
        }
        int at = a.lastIndexOf('@');
        if (at <= 0 || at == a.length() - 1) {
            throw new InvalidAddressException("address must be local-part@domain");
        }
        String local = a.substring(0, at);
        String domain = a.substring(at + 1);
        boolean quoted = local.startsWith("\"") && local.endsWith("\"");
        if (local.indexOf('@') >= 0 && !quoted) {
            throw new InvalidAddressException("address has more than one @");
        }
        int localOctets = utf8Length(local);
        if (localOctets > MAX_LOCAL) {
            throw new InvalidAddressException("local part is longer than 64 octets");
        }
        if (local.startsWith(".") || local.endsWith(".") || local.contains("..")) {
            throw new InvalidAddressException("local part has a misplaced dot");
        }
        if (!local.startsWith("\"")) {
            for (int i = 0; i < local.length(); i++) {
                switch (local.charAt(i)) {
                    case '(', ')', '<', '>', ',', ';', ':', '\\', '[', ']' ->
                            throw new InvalidAddressException(
                                    "local part contains a character that needs quoting");
                    default -> {}
                }
            }
        }
        String asciiDomain = asciiDomain(domain);
        String lower = local.toLowerCase(Locale.ROOT);
        int lowerOctets = lower.equals(local) ? localOctets : utf8Length(lower);
        if (lowerOctets + 1 + asciiDomain.length() > MAX_ADDRESS) {
            throw new InvalidAddressException("address is longer than 254 octets");
        }
        return lower + "@" + asciiDomain;
    }

    /** Octets of {@code s} in UTF-8, without encoding it. */
    private static int utf8Length(String s) {
        int octets = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                octets++;
            } else if (c < 0x800) {
                octets += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                octets += 4;
                i++;
            } else {
                octets += 3;
            }
        }
        return octets;
    }

    /** True when {@link #normalise} accepts the address. */
    public static boolean isValid(String address) {
        try {
            normalise(address);
            return true;
        } catch (InvalidAddressException e) {
            return false;
        }
    }

    /** The ASCII (punycode) form of a domain, lower-cased and validated. */
    public static String asciiDomain(String domain) {
        String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        String ascii = plainAsciiDomain(d);
        if (ascii == null) {
            try {
                ascii = IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                throw new InvalidAddressException("domain is not a valid host name");
            }
        }
        if (ascii.isEmpty() || ascii.length() > MAX_DOMAIN) {
            throw new InvalidAddressException("domain is empty or longer than 253 characters");
        }
        if (ascii.indexOf('.') < 0) {
            throw new InvalidAddressException("domain must have at least two labels");
        }
        int start = 0;
        for (int i = 0; i <= ascii.length(); i++) {
            if (i == ascii.length() || ascii.charAt(i) == '.') {
                int len = i - start;
                if (len == 0 || len > 63) {
                    throw new InvalidAddressException("domain has an empty or too long label");
                }
                start = i + 1;
            }
        }
        return ascii;
    }

    /**
     * The fast path of {@link #asciiDomain} for the common case, a domain of ASCII letters, digits,
     * hyphens and dots (almost every recipient): what {@code IDN.toASCII(d, USE_STD3_ASCII_RULES)}
     * returns for such a domain, lower-cased, or null when the domain needs the full IDNA rules
     * (non-ASCII) or breaks the STD3 rules they check (the slow path then throws the same error).
     * Normalising is on the send path of every job (the suppression check), and IDN.toASCII was
     * half of its cost.
     */
    private static String plainAsciiDomain(String d) {
        int n = d.length();
        if (n == 0) {
            return null;
        }
        boolean upper = false;
        char prev = '.';
        int label = 0;
        for (int i = 0; i < n; i++) {
            char c = d.charAt(i);
            if (c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
                label++;
            } else if (c >= 'A' && c <= 'Z') {
                upper = true;
                label++;
            } else if (c == '-') {
                if (prev == '.') {
                    return null; // a label must not start with a hyphen
                }
                label++;
            } else if (c == '.') {
                if (prev == '-' || prev == '.') {
                    return null; // empty label, or one ending with a hyphen
                }
                label = 0;
            } else {
                return null;
            }
            if (label > 63) {
                return null;
            }
            prev = c;
        }
        if (prev == '-') {
            return null;
        }
        return upper ? d.toLowerCase(Locale.ROOT) : d;
    }

    /** The domain of a normalised address; empty when there is no {@code @}. */
    public static String domainOf(String normalisedAddress) {
        int at = normalisedAddress.lastIndexOf('@');
        return at < 0 ? "" : normalisedAddress.substring(at + 1);
    }

    /**
     * Compact suppression key: the first 64 bits of SHA-256 of the normalised address. With 10
     * million addresses the chance of any collision is about 3 in a million.
     */
    public static long hash64(String normalisedAddress) {
        byte[] d = sha256().digest(normalisedAddress.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (d[i] & 0xff);
        }
        return h;
    }

    /** For logs: the domain and a short hash, never the full address. */
    public static String redact(String address) {
        if (address == null) {
            return "null";
        }
        int at = address.lastIndexOf('@');
        String domain = at < 0 ? "" : address.substring(at + 1);
        return "…#"
                + String.format("%016x", hash64(address.toLowerCase(Locale.ROOT))).substring(0, 6)
                + "@"
                + domain;
    }

    private static final ThreadLocal<MessageDigest> SHA256 =
            ThreadLocal.withInitial(
                    () -> {
                        try {
                            return MessageDigest.getInstance("SHA-256");
                        } catch (NoSuchAlgorithmException e) {
                            throw new IllegalStateException(e);
                        }
                    });

    private static MessageDigest sha256() {
        return SHA256.get();
    }
}
