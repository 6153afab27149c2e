package io.sendline.compose.html;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-message pass over rendered HTML: every {@code href} of an {@code <a>} tag that is an
 * http(s) URL is replaced by a click-tracking URL, and the open pixel is inserted before the last
 * {@code </body>}. One hand-written scan over the characters, no DOM: jsoup per message would cap a
 * core at ~1,500 messages/s.
 *
 * <p>Left alone: {@code mailto:}, {@code tel:}, anchors ({@code #...}), relative and other
 * non-http(s) links, links already pointing at the tracking host, and links marked no-track with
 * the attribute {@code data-sendline-notrack} or the class {@code notrack}. The scanner accepts any
 * attribute order, upper or lower case names, double, single or no quotes; entities in the href
 * ({@code &amp;}, {@code &#38;}, ...) are decoded before the target is signed, and the new value is
 * written double-quoted and entity-encoded.
 *
 * <p>Not thread-safe (reuses a buffer): one instance per thread.
 */
public final class LinkRewriter {

    /** Makes the tracking URL of a target. */
    @FunctionalInterface
    public interface UrlSigner {
        String clickUrl(String target);
    }

    private final String trackingBase;
    private final List<String> noTrackTargets = new ArrayList<>();
    private char[] buf = new char[32 * 1024];
    private int nextCopyFrom;

    /**
     * @param trackingBase links that already start with it are not rewritten
     */
    public LinkRewriter(String trackingBase) {
        this.trackingBase = trackingBase;
    }

    /**
     * Rewrites {@code in} into {@code out} (cleared first).
     *
     * @param signer makes click URLs, or null to leave links alone
     * @param pixelHtml inserted before the last {@code </body>} (appended when there is none), or
     *     null for no pixel
     */
    public void rewrite(CharSequence in, StringBuilder out, UrlSigner signer, String pixelHtml) {
        out.setLength(0);
        noTrackTargets.clear();
        int n = in.length();
        if (buf.length < n) {
            buf = new char[Math.max(n, buf.length * 2)];
        }
        char[] a = buf;
        if (in instanceof StringBuilder sb) {
            sb.getChars(0, n, a, 0);
        } else {
            in.toString().getChars(0, n, a, 0);
        }
        int copyFrom = 0;
        int bodyCloseOut = -1;
        int i = 0;
        while (i < n) {
            // find the next '<'
            while (i < n && a[i] != '<') {
                i++;
            }
            if (i + 2 >= n) {
                break;
            }
            int lt = i;
            char c1 = a[lt + 1];
            if ((c1 == 'a' || c1 == 'A') && isTagNameEnd(a[lt + 2])) {
                if (signer == null) {
                    i = lt + 2;
                    continue;
                }
                int end = anchor(a, lt + 2, n, out, copyFrom, signer);
                if (end < 0) {
                    i = lt + 2;
                    continue;
                }
                if (nextCopyFrom >= 0) {
                    copyFrom = nextCopyFrom;
                }
                i = end;
                continue;
            }
            if (c1 == '/' && lt + 6 < n && regionIs(a, lt + 2, "body") && isTagNameEnd(a[lt + 6])) {
                bodyCloseOut = out.length() + (lt - copyFrom);
            }
            i = lt + 1;
        }
        out.append(a, copyFrom, n - copyFrom);
        if (pixelHtml != null) {
            if (bodyCloseOut >= 0) {
                out.insert(bodyCloseOut, pixelHtml);
            } else {
                out.append(pixelHtml);
            }
        }
    }

    private static boolean isTagNameEnd(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '>' || c == '/';
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
    }

    private static boolean regionIs(char[] a, int at, String lower) {
        for (int k = 0; k < lower.length(); k++) {
            char c = a[at + k];
            if (c >= 'A' && c <= 'Z') {
                c = (char) (c + 32);
            }
            if (c != lower.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses the attributes of an {@code <a} tag whose name ends at {@code p} and returns the index
     * after the tag, or -1 when the tag is unterminated. When its href is rewritten, appends
     * everything up to and including the new value to {@code out} and sets {@link #nextCopyFrom} to
     * the index to copy from next; otherwise sets it to -1.
     */
    private int anchor(char[] a, int p, int n, StringBuilder out, int copyFrom, UrlSigner signer) {
        int hrefStart = -1;
        int hrefEnd = -1;
        char hrefQuote = 0;
        boolean noTrack = false;
        nextCopyFrom = -1;
        int i = p;
        while (true) {
            while (i < n && (isSpace(a[i]) || a[i] == '/')) {
                i++;
            }
            if (i >= n) {
                return -1;
            }
            if (a[i] == '>') {
                i++;
                break;
            }
            int nameStart = i;
            while (i < n && !isSpace(a[i]) && a[i] != '=' && a[i] != '>' && a[i] != '/') {
                i++;
            }
            int nameEnd = i;
            while (i < n && isSpace(a[i])) {
                i++;
            }
            int vStart = -1;
            int vEnd = -1;
            char quote = 0;
            if (i < n && a[i] == '=') {
                i++;
                while (i < n && isSpace(a[i])) {
                    i++;
                }
                if (i >= n) {
                    return -1;
                }
                if (a[i] == '"' || a[i] == '\'') {
                    quote = a[i];
                    vStart = i + 1;
                    int q = vStart;
                    while (q < n && a[q] != quote) {
                        q++;
                    }
                    if (q >= n) {
                        return -1;
                    }
                    vEnd = q;
                    i = q + 1;
                } else {
                    vStart = i;
                    while (i < n && !isSpace(a[i]) && a[i] != '>') {
                        i++;
                    }
                    vEnd = i;
                }
            }
            int len = nameEnd - nameStart;
            if (len == 4 && hrefStart < 0 && regionIs(a, nameStart, "href") && vStart >= 0) {
                hrefStart = vStart;
                hrefEnd = vEnd;
                hrefQuote = quote;
            } else if (len == 21 && regionIs(a, nameStart, "data-sendline-notrack")) {
                noTrack = true;
            } else if (len == 5 && regionIs(a, nameStart, "class") && vStart >= 0) {
                noTrack |= hasClass(a, vStart, vEnd, "notrack");
            }
        }
        int tagEnd = i;
        if (hrefStart < 0) {
            return tagEnd;
        }
        int s = hrefStart;
        int e = hrefEnd;
        while (s < e && isSpace(a[s])) {
            s++;
        }
        while (e > s && isSpace(a[e - 1])) {
            e--;
        }
        if (!isHttp(a, s, e)) {
            return tagEnd;
        }
        String target = decodeEntities(a, s, e);
        if (noTrack) {
            noTrackTargets.add(target);
            return tagEnd;
        }
        if (target.startsWith(trackingBase)) {
            return tagEnd;
        }
        String click = signer.clickUrl(target);
        int valueOpen = hrefQuote != 0 ? hrefStart - 1 : hrefStart;
        int valueClose = hrefQuote != 0 ? hrefEnd + 1 : hrefEnd;
        out.append(a, copyFrom, valueOpen - copyFrom);
        out.append('"');
        appendAttrEscaped(out, click);
        out.append('"');
        nextCopyFrom = valueClose;
        return tagEnd;
    }

    /**
     * The http(s) targets of the links marked no-track in the last {@link #rewrite}: the text part
     * leaves the same URLs alone.
     */
    public List<String> noTrackTargets() {
        return noTrackTargets;
    }

    private static boolean isHttp(char[] a, int s, int e) {
        int len = e - s;
        if (len > 7 && regionIs(a, s, "http://")) {
            return true;
        }
        return len > 8 && regionIs(a, s, "https://");
    }

    private static boolean hasClass(char[] a, int s, int e, String cls) {
        int i = s;
        while (i < e) {
            while (i < e && isSpace(a[i])) {
                i++;
            }
            int start = i;
            while (i < e && !isSpace(a[i])) {
                i++;
            }
            if (i - start == cls.length() && regionEquals(a, start, cls)) {
                return true;
            }
        }
        return false;
    }

    private static boolean regionEquals(char[] a, int at, String s) {
        for (int k = 0; k < s.length(); k++) {
            if (a[at + k] != s.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    private static void appendAttrEscaped(StringBuilder out, String v) {
        // tracking URLs never need escaping: append them in one copy
        boolean plain = true;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '&' || c == '"' || c == '<' || c == '>') {
                plain = false;
                break;
            }
        }
        if (plain) {
            out.append(v);
            return;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
    }

    /** Decodes the character references of an attribute value (the ones URLs meet). */
    static String decodeEntities(char[] a, int s, int e) {
        int amp = -1;
        for (int i = s; i < e; i++) {
            if (a[i] == '&') {
                amp = i;
                break;
            }
        }
        if (amp < 0) {
            return new String(a, s, e - s);
        }
        StringBuilder sb = new StringBuilder(e - s);
        sb.append(a, s, amp - s);
        int i = amp;
        while (i < e) {
            char c = a[i];
            if (c != '&') {
                sb.append(c);
                i++;
                continue;
            }
            int semi = -1;
            for (int k = i + 1; k < e && k < i + 12; k++) {
                if (a[k] == ';') {
                    semi = k;
                    break;
                }
            }
            if (semi < 0) {
                sb.append('&');
                i++;
                continue;
            }
            String name = new String(a, i + 1, semi - i - 1);
            int cp = -1;
            if (name.startsWith("#x") || name.startsWith("#X")) {
                cp = parse(name.substring(2), 16);
            } else if (name.startsWith("#")) {
                cp = parse(name.substring(1), 10);
            } else {
                switch (name) {
                    case "amp" -> cp = '&';
                    case "quot" -> cp = '"';
                    case "apos" -> cp = '\'';
                    case "lt" -> cp = '<';
                    case "gt" -> cp = '>';
                    case "nbsp" -> cp = 0xA0;
                    default -> cp = -1;
                }
            }
            if (cp < 0 || cp > Character.MAX_CODE_POINT || cp == 0) {
                sb.append(a, i, semi + 1 - i);
            } else {
                sb.appendCodePoint(cp);
            }
            i = semi + 1;
        }
        return sb.toString();
    }

    private static int parse(String digits, int radix) {
        if (digits.isEmpty() || digits.length() > 7) {
            return -1;
        }
        try {
            return Integer.parseInt(digits, radix);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
