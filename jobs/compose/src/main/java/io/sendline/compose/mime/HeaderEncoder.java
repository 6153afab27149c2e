package io.sendline.compose.mime;

import io.sendline.compose.CompositionException;
import java.nio.charset.StandardCharsets;

/**
 * Writes header fields: RFC 2047 encoded words (UTF-8, "Q") for non-ASCII text, quoted strings for
 * display names with special characters, and folding so lines stay within 78 characters where the
 * content allows (never more than 998). Rejects CR, LF, NUL and other control characters in any
 * value: header injection is impossible by construction.
 */
public final class HeaderEncoder {

    private static final int SOFT_LIMIT = 78;
    private static final int HARD_LIMIT = 998;
    private static final String PREFIX = "=?UTF-8?Q?";
    // an encoded word is at most 75 characters: prefix (10) + payload + "?=" (2)
    private static final int MAX_PAYLOAD = 63;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private HeaderEncoder() {}

    /**
     * Fails when the value holds CR, LF, NUL or another control character (tab allowed).
     *
     * @param what names the value in the error, e.g. {@code subject}
     */
    public static void checkNoControls(String value, String what) throws CompositionException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n' || c == 0) {
                throw new CompositionException(what + " contains CR, LF or NUL");
            }
            if ((c < ' ' && c != '\t') || c == 0x7f) {
                throw new CompositionException(what + " contains a control character");
            }
        }
    }

    /** True when every char is printable ASCII or a space/tab. */
    static boolean isPlainAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > '~' || (c < ' ' && c != '\t')) {
                return false;
            }
        }
        return true;
    }

    /**
     * Writes {@code Name: value CRLF} for an unstructured value (Subject, custom headers), encoding
     * non-ASCII text as encoded words and folding at spaces.
     */
    public static void unstructured(ByteSink out, String name, String value) {
        StringBuilder line = new StringBuilder(name.length() + value.length() + 16);
        line.append(name).append(':');
        if (value.isEmpty()) {
            out.ascii(line);
            out.crlf();
            return;
        }
        if (isPlainAscii(value) && !value.contains("=?") && foldPlain(line, value)) {
            out.ascii(line);
            out.crlf();
            return;
        }
        line.setLength(name.length() + 1);
        encodedWords(line, value, false);
        out.ascii(line);
        out.crlf();
    }

    /**
     * Appends " value" folding at spaces; false when some word would make a line longer than 998.
     */
    private static boolean foldPlain(StringBuilder line, String value) {
        int lineStart = 0;
        int i = 0;
        int n = value.length();
        line.append(' ');
        while (i < n) {
            int next = i;
            // a word: optional leading spaces then non-spaces
            while (next < n && value.charAt(next) == ' ') {
                next++;
            }
            while (next < n && value.charAt(next) != ' ') {
                next++;
            }
            int wordLen = next - i;
            int col = line.length() - lineStart;
            if (col + wordLen > SOFT_LIMIT && i > 0 && value.charAt(i) == ' ') {
                // fold: the space that starts this word begins the continuation line
                line.append("\r\n");
                lineStart = line.length();
                col = 0;
            }
            if (col + wordLen > HARD_LIMIT) {
                return false;
            }
            line.append(value, i, next);
            i = next;
        }
        return true;
    }

    /**
     * Appends the text as a sequence of encoded words, each on its own folded line when needed.
     *
     * @param phrase true in a display name (the stricter character set of RFC 2047 section 5(3))
     */
    static void encodedWords(StringBuilder line, String text, boolean phrase) {
        int lineStart = Math.max(0, line.lastIndexOf("\n") + 1);
        int n = text.length();
        int i = 0;
        StringBuilder word = new StringBuilder(80);
        while (i < n) {
            int col = line.length() - lineStart + 1; // the separating space
            int budget = Math.min(MAX_PAYLOAD, SOFT_LIMIT - col - PREFIX.length() - 2);
            if (budget < 12) {
                line.append("\r\n");
                lineStart = line.length();
                budget = MAX_PAYLOAD;
            }
            word.setLength(0);
            while (i < n) {
                int cp = text.codePointAt(i);
                int len = encodedLength(cp, phrase);
                if (word.length() + len > budget) {
                    break;
                }
                appendEncoded(word, cp, phrase);
                i += Character.charCount(cp);
            }
            line.append(' ').append(PREFIX).append(word).append("?=");
            if (i < n) {
                line.append("\r\n");
                lineStart = line.length();
            }
        }
    }

    private static boolean isSafe(int cp, boolean phrase) {
        if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
            return true;
        }
        if (phrase) {
            return cp == '!' || cp == '*' || cp == '+' || cp == '-' || cp == '/';
        }
        return cp > ' '
                && cp < 127
                && cp != '='
                && cp != '?'
                && cp != '_'
                && cp != '"'
                && cp != '('
                && cp != ')'
                && cp != ','
                && cp != ';'
                && cp != ':'
                && cp != '<'
                && cp != '>'
                && cp != '@'
                && cp != '['
                && cp != ']'
                && cp != '\\'
                && cp != '.';
    }

    private static int encodedLength(int cp, boolean phrase) {
        if (cp == ' ' || isSafe(cp, phrase)) {
            return 1;
        }
        int bytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        return 3 * bytes;
    }

    private static void appendEncoded(StringBuilder sb, int cp, boolean phrase) {
        if (cp == ' ') {
            sb.append('_');
            return;
        }
        if (isSafe(cp, phrase)) {
            sb.append((char) cp);
            return;
        }
        if (Character.isSurrogate((char) cp) && cp < 0x10000) {
            cp = 0xFFFD;
        }
        byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            sb.append('=').append((char) HEX[(b >> 4) & 0xF]).append((char) HEX[b & 0xF]);
        }
    }

    /**
     * Writes an address header ({@code From}, {@code To}, {@code Reply-To}): {@code Name <address>}
     * with the display name as atoms, a quoted string or encoded words.
     */
    public static void address(ByteSink out, String name, String displayName, MailAddress addr) {
        StringBuilder line = new StringBuilder(96);
        line.append(name).append(':');
        String a = addr.headerForm();
        if (displayName == null || displayName.isBlank()) {
            line.append(' ').append(a);
        } else {
            String dn = displayName.strip();
            if (isPlainAscii(dn) && !dn.contains("=?") && dn.indexOf('\t') < 0) {
                if (isAtoms(dn)) {
                    line.append(' ').append(dn);
                } else {
                    line.append(" \"");
                    for (int i = 0; i < dn.length(); i++) {
                        char c = dn.charAt(i);
                        if (c == '"' || c == '\\') {
                            line.append('\\');
                        }
                        line.append(c);
                    }
                    line.append('"');
                }
            } else {
                encodedWords(line, dn, true);
            }
            int lineStart = Math.max(0, line.lastIndexOf("\n") + 1);
            if (line.length() - lineStart + 3 + a.length() > SOFT_LIMIT) {
                line.append("\r\n");
            }
            line.append(" <").append(a).append('>');
        }
        out.utf8(line.toString());
        out.crlf();
    }

    private static boolean isAtoms(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean atext =
                    (c >= 'a' && c <= 'z')
                            || (c >= 'A' && c <= 'Z')
                            || (c >= '0' && c <= '9')
                            || "!#$%&'*+-/=?^_`{|}~ ".indexOf(c) >= 0;
            if (!atext) {
                return false;
            }
        }
        return !s.contains("  ");
    }
}
