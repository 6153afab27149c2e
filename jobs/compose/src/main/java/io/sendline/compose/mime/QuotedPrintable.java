package io.sendline.compose.mime;

/**
 * Quoted-printable (RFC 2045) of UTF-8 text, written straight into a {@link ByteSink}.
 *
 * <p>The output is already in DKIM "relaxed" body form (no whitespace at line ends, no runs of
 * spaces or tabs), so the DKIM body hash can be computed over the bytes as written: a space that
 * ends a line or is followed by another space or tab is written {@code =20}, a tab always {@code
 * =09}. A {@code .} or {@code From } at the start of a line is encoded too, so no relay or mailbox
 * rewrites it. Lines are at most 76 characters; line breaks of the text become CRLF.
 *
 * <p>Not thread-safe (scratch buffer): one instance per thread.
 */
public final class QuotedPrintable {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes();
    private static final int MAX = 75; // characters before a soft line break '='

    private char[] chars = new char[16 * 1024];

    /** Printable ASCII written as itself (not '=', not space: spaces need a look-ahead). */
    private static final boolean[] LITERAL = new boolean[128];

    static {
        for (int c = 33; c < 127; c++) {
            LITERAL[c] = c != '=';
        }
    }

    /**
     * Encodes {@code text} (line breaks: LF, CRLF or CR). Ends without a final CRLF.
     *
     * <p>One pass with a fast path for the common case (printable ASCII inside a line); the rest
     * (line starts, line ends, '=', whitespace runs, non-ASCII) takes the slow path.
     */
    public void encode(CharSequence text, ByteSink out) {
        int n = text.length();
        if (chars.length < n) {
            chars = new char[Math.max(n, chars.length * 2)];
        }
        char[] a = chars;
        if (text instanceof StringBuilder sb) {
            sb.getChars(0, n, a, 0);
        } else {
            text.toString().getChars(0, n, a, 0);
        }
        // worst case: a BMP char as 3 UTF-8 bytes = 9 characters, plus soft breaks (3 per 75)
        out.ensure(n * 10 + 16);
        byte[] b = out.raw();
        int p = out.pos();
        int lineStart = p;
        int i = 0;
        while (i < n) {
            int col = p - lineStart;
            if (col > 0 && col < MAX) {
                // tight loop over the literal run that fits on this line
                int limit = Math.min(n, i + (MAX - col));
                int start = i;
                while (i < limit) {
                    char c = a[i];
                    // a space is literal when a printable character follows it
                    if (c >= 128 || !(LITERAL[c] || (c == ' ' && i + 1 < n && a[i + 1] > ' '))) {
                        break;
                    }
                    b[p++] = (byte) c;
                    i++;
                }
                if (i > start) {
                    continue;
                }
            }
            char c = a[i];
            if (col > 0 && col < MAX && c < 128) {
                if (c == ' ' && i + 1 < n) {
                    char d = a[i + 1];
                    if (d != ' ' && d != '\t' && d != '\r' && d != '\n') {
                        b[p++] = ' ';
                        i++;
                        continue;
                    }
                }
            }
            // slow path
            if (c == '\r' || c == '\n') {
                b[p++] = '\r';
                b[p++] = '\n';
                lineStart = p;
                i += (c == '\r' && i + 1 < n && a[i + 1] == '\n') ? 2 : 1;
                continue;
            }
            if (col >= MAX) {
                b[p++] = '=';
                b[p++] = '\r';
                b[p++] = '\n';
                lineStart = p;
                continue; // the same character again, at the start of a line
            }
            if (c < 128) {
                boolean literal;
                if (c == ' ') {
                    literal =
                            i + 1 < n
                                    && a[i + 1] != ' '
                                    && a[i + 1] != '\t'
                                    && a[i + 1] != '\r'
                                    && a[i + 1] != '\n';
                } else if (col == 0 && c == '.') {
                    literal = false; // a lone "." line ends SMTP DATA
                } else if (col == 0 && c == 'F') {
                    literal =
                            !(i + 4 < n
                                    && a[i + 1] == 'r'
                                    && a[i + 2] == 'o'
                                    && a[i + 3] == 'm'
                                    && a[i + 4] == ' '); // mbox "From " quoting
                } else {
                    literal = LITERAL[c];
                }
                if (literal) {
                    b[p++] = (byte) c;
                    i++;
                    continue;
                }
            }
            // encoded: one code point as UTF-8 bytes, kept on one line
            int cp = c;
            int consumed = 1;
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(a[i + 1])) {
                cp = Character.toCodePoint(c, a[i + 1]);
                consumed = 2;
            } else if (Character.isSurrogate(c)) {
                cp = 0xFFFD;
            }
            int nbytes = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            if (col + 3 * nbytes > MAX) {
                b[p++] = '=';
                b[p++] = '\r';
                b[p++] = '\n';
                lineStart = p;
            }
            if (nbytes == 1) {
                p = hex(b, p, cp);
            } else if (nbytes == 2) {
                p = hex(b, p, 0xC0 | (cp >> 6));
                p = hex(b, p, 0x80 | (cp & 0x3F));
            } else if (nbytes == 3) {
                p = hex(b, p, 0xE0 | (cp >> 12));
                p = hex(b, p, 0x80 | ((cp >> 6) & 0x3F));
                p = hex(b, p, 0x80 | (cp & 0x3F));
            } else {
                p = hex(b, p, 0xF0 | (cp >> 18));
                p = hex(b, p, 0x80 | ((cp >> 12) & 0x3F));
                p = hex(b, p, 0x80 | ((cp >> 6) & 0x3F));
                p = hex(b, p, 0x80 | (cp & 0x3F));
            }
            i += consumed;
        }
        out.pos(p);
    }

    private static int hex(byte[] b, int p, int v) {
        b[p] = '=';
        b[p + 1] = HEX[(v >> 4) & 0xF];
        b[p + 2] = HEX[v & 0xF];
        return p + 3;
    }
}
