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
        int n = in.length();
        int copyFrom = 0;
        int i = 0;
        while (i < n) {
            char c = in.charAt(i);
            if ((c != 'h' && c != 'H') || (i > 0 && Character.isLetterOrDigit(in.charAt(i - 1)))) {
                i++;
                continue;
            }
            int schemeLen = schemeLength(in, i, n);
            if (schemeLen == 0) {
                i++;
                continue;
            }
            int end = i + schemeLen;
            while (end < n && !endsUrl(in.charAt(end))) {
                end++;
            }
            end = trimTrailing(in, i, end);
            if (end - i <= schemeLen) {
                i = end + 1;
                continue;
            }
            String url = in.subSequence(i, end).toString();
            if (!url.startsWith(trackingBase) && !noTrack.contains(url)) {
                out.append(in, copyFrom, i).append(signer.clickUrl(url));
                copyFrom = end;
            }
            i = end;
        }
        out.append(in, copyFrom, n);
    }

    private static int schemeLength(CharSequence s, int i, int n) {
        if (matches(s, i, n, "https://")) {
            return 8;
        }
        if (matches(s, i, n, "http://")) {
            return 7;
        }
        return 0;
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
