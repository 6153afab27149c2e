package io.sendline.edge.tracking;

import io.sendline.edge.http.Inet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Flags opens that were most likely fetched by a machine rather than a person reading the mail.
 * Heuristics (documented in docs/edge.md):
 *
 * <ul>
 *   <li>Apple Mail Privacy Protection: Apple's proxies prefetch every image of every message when
 *       it arrives. They come from Apple's address ranges (17.0.0.0/8 by default, configurable) and
 *       send the bare user agent {@code Mozilla/5.0}, with nothing after it.
 *   <li>No user agent at all: real mail clients always send one.
 *   <li>Security scanners and crawlers: user agents containing configured tokens (bot, spider,
 *       crawler, Barracuda, Mimecast, Proofpoint, HTTP libraries ...).
 * </ul>
 *
 * Gmail's and Yahoo's image proxies ({@code GoogleImageProxy}, {@code YahooMailProxy}) are <em>not
 * </em> flagged by default: they fetch when the person opens the message, so their opens are real
 * even though the IP and agent are the proxy's. Add them to the tokens if you want them excluded.
 */
public final class MachineOpenDetector {

    private static final String APPLE_MPP_USER_AGENT = "Mozilla/5.0";

    private final List<Inet.Cidr> ranges;
    private final String[] tokens;

    public MachineOpenDetector(List<String> cidrs, List<String> userAgentTokens) {
        List<Inet.Cidr> r = new ArrayList<>();
        for (String c : cidrs) {
            r.add(Inet.Cidr.parse(c));
        }
        this.ranges = List.copyOf(r);
        this.tokens =
                userAgentTokens.stream()
                        .map(t -> t.toLowerCase(Locale.ROOT))
                        .filter(t -> !t.isEmpty())
                        .toArray(String[]::new);
    }

    /** True when an open with this user agent from this client address is likely a machine's. */
    public boolean isMachine(String userAgent, InetAddress client) {
        if (userAgent == null || userAgent.isBlank()) {
            return true;
        }
        String ua = userAgent.strip();
        if (ua.equals(APPLE_MPP_USER_AGENT)) {
            return true;
        }
        if (client != null) {
            for (Inet.Cidr c : ranges) {
                if (c.contains(client)) {
                    return true;
                }
            }
        }
        String lower = ua.toLowerCase(Locale.ROOT);
        for (String t : tokens) {
            if (lower.contains(t)) {
                return true;
            }
        }
        return false;
    }

    /** Same, for a client address given as text (webhooks); unparseable addresses are ignored. */
    public boolean isMachine(String userAgent, String clientIp) {
        return isMachine(userAgent, Inet.parseLiteral(clientIp));
    }
}
