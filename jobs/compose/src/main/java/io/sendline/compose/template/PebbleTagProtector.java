package io.sendline.compose.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Hides Pebble tags ({@code {{ }}}, {@code {% %}}, {@code {# #}}) from an HTML parser and puts them
 * back after serialisation, so CSS inlining and text derivation can use jsoup on a template source
 * without mangling its tags.
 *
 * <p>Each tag becomes a token of lower-case letters and digits (jsoup lower-cases attribute names
 * and escapes quotes, so nothing else survives everywhere). Where the tag stands decides the form:
 *
 * <ul>
 *   <li>in text between elements: an HTML comment {@code <!--TOKEN-->}, which the HTML5 parser
 *       keeps in place even inside a {@code <table>} (plain text there would be moved out of the
 *       table: "foster parenting");
 *   <li>between attributes of a start tag: a bare attribute {@code TOKEN}, serialised as {@code
 *       TOKEN=""};
 *   <li>inside attribute values, comments, {@code <style>}, {@code <script>}, {@code <title>},
 *       {@code <textarea>}: the bare token.
 * </ul>
 *
 * Not supported (documented): a tag that decides between two attributes of the same name, and a tag
 * in the position of an element name.
 */
public final class PebbleTagProtector {

    private enum State {
        TEXT,
        MARKUP,
        DQ,
        SQ,
        COMMENT,
        RAW
    }

    private final String nonce;
    private final List<String> tags = new ArrayList<>();
    private final List<Boolean> blockTags = new ArrayList<>();
    private final String protectedSource;

    private PebbleTagProtector(String source) {
        this.nonce = pickNonce(source);
        this.protectedSource = protect(source);
    }

    /** Protects the tags of an HTML template source. */
    public static PebbleTagProtector of(String source) {
        return new PebbleTagProtector(source);
    }

    /** The source with every Pebble tag replaced by a token. */
    public String protectedSource() {
        return protectedSource;
    }

    /** The number of Pebble tags found. */
    public int tagCount() {
        return tags.size();
    }

    private static String pickNonce(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        for (int i = 0; ; i++) {
            String candidate = "zpbl" + Integer.toString(i, 36) + "q";
            if (!lower.contains(candidate)) {
                return candidate;
            }
        }
    }

    private String token(char kind, int index) {
        return nonce + kind + index + "x";
    }

    private String protect(String src) {
        StringBuilder out = new StringBuilder(src.length() + 64);
        State state = State.TEXT;
        String rawEnd = null;
        String openTag = null;
        int n = src.length();
        int i = 0;
        while (i < n) {
            char c = src.charAt(i);
            if (c == '{' && i + 1 < n) {
                char d = src.charAt(i + 1);
                if (d == '{' || d == '%' || d == '#') {
                    int end = tagEnd(src, i, d);
                    if (end > 0) {
                        String tag = src.substring(i, end);
                        if (d == '%' && isVerbatim(tag)) {
                            int close = findEndVerbatim(src, end);
                            end = close > 0 ? close : end;
                            tag = src.substring(i, end);
                        }
                        int index = tags.size();
                        tags.add(tag);
                        blockTags.add(d != '{');
                        switch (state) {
                            case TEXT -> out.append("<!--").append(token('c', index)).append("-->");
                            case MARKUP -> out.append(' ').append(token('a', index)).append(' ');
                            default -> out.append(token('t', index));
                        }
                        i = end;
                        continue;
                    }
                }
            }
            switch (state) {
                case TEXT -> {
                    if (c == '<') {
                        if (src.startsWith("<!--", i)) {
                            state = State.COMMENT;
                            out.append("<!--");
                            i += 4;
                            continue;
                        }
                        if (i + 1 < n) {
                            char d = src.charAt(i + 1);
                            if (Character.isLetter(d)) {
                                int e = i + 1;
                                while (e < n && (Character.isLetterOrDigit(src.charAt(e)))) {
                                    e++;
                                }
                                openTag = src.substring(i + 1, e).toLowerCase(Locale.ROOT);
                                state = State.MARKUP;
                            } else if (d == '/' || d == '!' || d == '?') {
                                openTag = null;
                                state = State.MARKUP;
                            }
                        }
                    }
                }
                case MARKUP -> {
                    if (c == '"') {
                        state = State.DQ;
                    } else if (c == '\'') {
                        state = State.SQ;
                    } else if (c == '>') {
                        boolean selfClosing = i > 0 && src.charAt(i - 1) == '/';
                        if (openTag != null && !selfClosing && isRaw(openTag)) {
                            state = State.RAW;
                            rawEnd = "</" + openTag;
                        } else {
                            state = State.TEXT;
                        }
                    }
                }
                case DQ -> {
                    if (c == '"') {
                        state = State.MARKUP;
                    }
                }
                case SQ -> {
                    if (c == '\'') {
                        state = State.MARKUP;
                    }
                }
                case COMMENT -> {
                    if (src.startsWith("-->", i)) {
                        out.append("-->");
                        i += 3;
                        state = State.TEXT;
                        continue;
                    }
                }
                case RAW -> {
                    if (c == '<' && src.regionMatches(true, i, rawEnd, 0, rawEnd.length())) {
                        openTag = null;
                        state = State.MARKUP;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    private static boolean isRaw(String tag) {
        return tag.equals("style")
                || tag.equals("script")
                || tag.equals("title")
                || tag.equals("textarea");
    }

    /** End (exclusive) of the Pebble tag starting at {@code start}, or -1 when unterminated. */
    private static int tagEnd(String s, int start, char kind) {
        char close = kind == '{' ? '}' : kind;
        int n = s.length();
        char quote = 0;
        for (int i = start + 2; i < n; i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == '\\') {
                    i++;
                } else if (c == quote) {
                    quote = 0;
                }
            } else if (kind != '#' && (c == '"' || c == '\'')) {
                quote = c;
            } else if (c == close && i + 1 < n && s.charAt(i + 1) == '}') {
                return i + 2;
            }
        }
        return -1;
    }

    private static boolean isVerbatim(String tag) {
        String inner = tag.substring(2, tag.length() - 2).replace("-", " ").strip();
        return inner.equals("verbatim");
    }

    private static int findEndVerbatim(String s, int from) {
        int i = from;
        while (true) {
            int open = s.indexOf("{%", i);
            if (open < 0) {
                return -1;
            }
            int end = tagEnd(s, open, '%');
            if (end < 0) {
                return -1;
            }
            String inner = s.substring(open + 2, end - 2).replace("-", " ").strip();
            if (inner.equals("endverbatim")) {
                return end;
            }
            i = end;
        }
    }

    /** True when {@code text} holds the token of a block tag ({@code {% %}} or comment). */
    public boolean containsBlockTag(String text) {
        int at = text.indexOf(nonce);
        while (at >= 0) {
            int index = parseIndex(text, at + nonce.length() + 1);
            if (index >= 0 && blockTags.get(index)) {
                return true;
            }
            at = text.indexOf(nonce, at + 1);
        }
        return false;
    }

    /** True when {@code text} holds any token. */
    public boolean containsToken(String text) {
        return text.contains(nonce);
    }

    /**
     * If the comment text is exactly one token, the original tag; else null.
     *
     * @param commentData the data of an HTML comment (between {@code <!--} and {@code -->})
     */
    public String tagOfComment(String commentData) {
        if (!commentData.startsWith(nonce)) {
            return null;
        }
        int index = parseIndex(commentData, nonce.length() + 1);
        if (index < 0 || !commentData.equals(token('c', index))) {
            return null;
        }
        return tags.get(index);
    }

    /** True when the tag is a block tag ({@code {% %}} or a comment), not an expression. */
    public boolean isBlockTag(String tag) {
        return !tag.startsWith("{{");
    }

    private int parseIndex(String s, int from) {
        int i = from;
        int value = 0;
        int digits = 0;
        while (i < s.length() && Character.isDigit(s.charAt(i)) && digits < 9) {
            value = value * 10 + (s.charAt(i) - '0');
            i++;
            digits++;
        }
        if (digits == 0 || i >= s.length() || s.charAt(i) != 'x' || value >= tags.size()) {
            return -1;
        }
        return value;
    }

    /** Puts the original tags back into serialised HTML (or any text holding tokens). */
    public String restore(String serialised) {
        StringBuilder out = new StringBuilder(serialised.length() + 64);
        int i = 0;
        int n = serialised.length();
        while (i < n) {
            int at = serialised.indexOf(nonce, i);
            if (at < 0) {
                out.append(serialised, i, n);
                break;
            }
            int kindPos = at + nonce.length();
            int index = kindPos < n ? parseIndex(serialised, kindPos + 1) : -1;
            if (index < 0) {
                out.append(serialised, i, kindPos);
                i = kindPos;
                continue;
            }
            char kind = serialised.charAt(kindPos);
            int tokenEnd = kindPos + 1 + Integer.toString(index).length() + 1;
            int start = at;
            int end = tokenEnd;
            if (kind == 'c'
                    && at >= 4
                    && serialised.startsWith("<!--", at - 4)
                    && serialised.startsWith("-->", tokenEnd)) {
                start = at - 4;
                end = tokenEnd + 3;
            } else if (kind == 'a' && serialised.startsWith("=\"\"", tokenEnd)) {
                end = tokenEnd + 3;
            }
            out.append(serialised, i, start).append(tags.get(index));
            i = end;
        }
        return out.toString();
    }
}
