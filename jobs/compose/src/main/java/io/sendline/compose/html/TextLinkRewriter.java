package io.sendline.compose.html;

import java.util.List;

/**
 * The per-message pass over the rendered plain-text part: every {@code http://} or {@code https://}
 * URL becomes a click-tracking URL, except URLs already on the tracking host.
 *
 * <p>A URL ends at whitespace, {@code <}, {@code >} or {@code "}; trailing punctuation ({@code
 * .,;:!?'}) and a closing parenthesis without an opening one in the URL are left outside it, so
 * {@code "see (https://x.example/a)."} keeps its punctuation. Plain text has no no-track marker of
 * its own: the URLs of the HTML part's no-track links are left alone here too.
 */
public final class TextLinkRewriter {

    private TextLinkRewriter() {}

    /**
     * Rewrites {@code in} into {@code out} (cleared first).
     *
     * @param noTrack URLs to leave alone (those of the HTML part's no-track links)
     */
    public static void rewrite(
            CharSequence in,
            StringBuilder out,
            LinkRewriter.UrlSigner signer,
            String trackingBase,
            List<String> noTrack) {
        out.setLength(0);
        String s = in.toString();
        int n = s.length();
        int copyFrom = 0;
        int from = 0;
        // every URL holds "://": find those (String.indexOf is fast) and look back for the scheme
        while (true) {
            int sep = s.indexOf("://", from);
            if (sep < 0) {
                break;
            }
            from = sep + 3;
            int i;
            if (sep >= 5 && matches(s, sep - 5, n, "https://")) {
                i = sep - 5;
            } else if (sep >= 4 && matches(s, sep - 4, n, "http://")) {
                i = sep - 4;
            } else {
                continue;
            }
            if (i < copyFrom || (i > 0 && Character.isLetterOrDigit(s.charAt(i - 1)))) {
                continue;
            }
            int schemeLen = sep + 3 - i;
            int end = sep + 3;
            while (end < n && !endsUrl(s.charAt(end))) {
                end++;
            }
            end = trimTrailing(s, i, end);
            from = Math.max(from, end);
            if (end - i <= schemeLen) {
                continue;
            }
            String url = s.substring(i, end);
            if (!url.startsWith(trackingBase) && !noTrack.contains(url)) {
                out.append(s, copyFrom, i).append(signer.clickUrl(url));
                copyFrom = end;
            }
        }
        out.append(s, copyFrom, n);
    }

    private static boolean matches(CharSequence s, int i, int n, String lower) {
        if (i + lower.length() > n) {
            return false;
        }
        for (int k = 0; k < lower.length(); k++) {
            if (Character.toLowerCase(s.charAt(i + k)) != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static boolean endsUrl(char c) {
        return c <= ' '
                || c == '<'
                || c == '>'
                || c == '"'
                || c == 0x7f
                || Character.isWhitespace(c);
    }

    private static int trimTrailing(CharSequence s, int start, int end) {
        while (end > start) {
            char c = s.charAt(end - 1);
            if (".,;:!?'".indexOf(c) >= 0) {
                end--;
            } else if (c == ')' && !contains(s, start, end, '(')) {
                end--;
            } else if (c == ']' && !contains(s, start, end, '[')) {
                end--;
            } else {
                break;
            }
        }
        return end;
    }

    private static boolean contains(CharSequence s, int start, int end, char c) {
        for (int i = start; i < end; i++) {
            if (s.charAt(i) == c) {
                return true;
            }
        }
        return false;
    }
}
