package io.sendline.edge.webhooks.ses;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Which URLs in an SNS message the edge will ever fetch. The signing certificate must be served
 * over https by SNS itself: host exactly {@code sns.<region>.amazonaws.com}, default port, no user
 * info, a path ending in {@code .pem}, no query or fragment. Otherwise anyone could sign a forged
 * message with their own certificate and point SigningCertURL at it. The SubscribeURL of a
 * confirmation must be https on the same host pattern (the edge must not be made to call arbitrary
 * URLs).
 */
public final class SnsUrls {

    /** {@code sns.} + an AWS region such as {@code us-east-1} or {@code us-gov-west-1}. */
    static final Pattern SNS_HOST =
            Pattern.compile("sns\\.[a-z]{2}(?:-[a-z]+)+-\\d{1,2}\\.amazonaws\\.com");

    private SnsUrls() {}

    /** The certificate URL when it is acceptable, else null. */
    public static URI signingCertUrl(String url) {
        URI u = snsHttps(url);
        if (u == null
                || u.getRawQuery() != null
                || u.getRawPath() == null
                || !u.getRawPath().endsWith(".pem")) {
            return null;
        }
        return u;
    }

    /** The subscribe URL when it is acceptable, else null. */
    public static URI subscribeUrl(String url) {
        return snsHttps(url);
    }

    private static URI snsHttps(String url) {
        if (url == null || url.length() > 2048) {
            return null;
        }
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\') {
                return null;
            }
        }
        URI u;
        try {
            u = new URI(url);
        } catch (URISyntaxException e) {
            return null;
        }
        if (!"https".equals(u.getScheme())
                || u.getRawUserInfo() != null
                || u.getRawFragment() != null
                || u.getHost() == null
                || (u.getPort() != -1 && u.getPort() != 443)) {
            return null;
        }
        // The authority must be exactly the host: no user info trick like sns...@evil.
        String authority = u.getRawAuthority();
        String host = u.getHost();
        if (!authority.equals(host) && !authority.equals(host + ":443")) {
            return null;
        }
        if (!SNS_HOST.matcher(host).matches() || !host.equals(host.toLowerCase(Locale.ROOT))) {
            return null;
        }
        return u;
    }
}
