package io.sendline.edge.http;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** IP literals and CIDR ranges, parsed without ever resolving a host name. */
public final class Inet {

    private Inet() {}

    /** Parses an IPv4 or IPv6 literal; null when it is not one (no DNS lookup is made). */
    public static InetAddress parseLiteral(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        String t = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        boolean v4 = t.chars().allMatch(c -> (c >= '0' && c <= '9') || c == '.');
        boolean v6 =
                t.indexOf(':') >= 0
                        && t.chars()
                                .allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.');
        if (!v4 && !v6) {
            return null;
        }
        try {
            return InetAddress.getByName(t);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** A CIDR range such as {@code 17.0.0.0/8} or {@code 2620:149::/32}. */
    public record Cidr(byte[] network, int prefix) {

        /** Parses {@code address/prefix}. */
        public static Cidr parse(String cidr) {
            int slash = cidr.indexOf('/');
            InetAddress a = parseLiteral(slash < 0 ? cidr.trim() : cidr.substring(0, slash).trim());
            if (a == null) {
                throw new IllegalArgumentException("not a CIDR range: " + cidr);
            }
            int bits = a.getAddress().length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a CIDR range: " + cidr);
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("CIDR prefix out of range: " + cidr);
            }
            return new Cidr(a.getAddress(), prefix);
        }

        /** True when the address lies in this range. */
        public boolean contains(InetAddress address) {
            byte[] b = address.getAddress();
            if (b.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (b[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (b[full] & mask) == (network[full] & mask);
        }
    }
}
