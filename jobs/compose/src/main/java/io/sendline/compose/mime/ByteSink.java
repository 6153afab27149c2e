package io.sendline.compose.mime;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer reused from message to message on one thread, so writing a message
 * allocates nothing but the final array. Not thread-safe.
 */
public final class ByteSink {

    private static final int SHRINK_ABOVE = 4 * 1024 * 1024;

    private byte[] buf;
    private int len;

    public ByteSink(int initialCapacity) {
        this.buf = new byte[initialCapacity];
    }

    /** Empties the buffer; drops a buffer that grew very large for one huge message. */
    public void clear() {
        if (buf.length > SHRINK_ABOVE) {
            buf = new byte[64 * 1024];
        }
        len = 0;
    }

    public int length() {
        return len;
    }

    /** The backing array; valid up to {@link #length()}. */
    public byte[] array() {
        return buf;
    }

    public byte byteAt(int i) {
        return buf[i];
    }

    /** Makes room for {@code more} bytes. */
    public void ensure(int more) {
        int need = len + more;
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    public void write(int b) {
        if (len == buf.length) {
            ensure(1);
        }
        buf[len++] = (byte) b;
    }

    public void write(byte[] b, int off, int n) {
        ensure(n);
        System.arraycopy(b, off, buf, len, n);
        len += n;
    }

    public void write(byte[] b) {
        write(b, 0, b.length);
    }

    /** Writes a string known to be ASCII (one byte per char). */
    public void ascii(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    /** Writes a string as UTF-8. */
    public void utf8(String s) {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    public void crlf() {
        ensure(2);
        buf[len++] = '\r';
        buf[len++] = '\n';
    }

    /** Package-private fast access for encoders. */
    byte[] raw() {
        return buf;
    }

    int pos() {
        return len;
    }

    void pos(int newLen) {
        len = newLen;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }
}
