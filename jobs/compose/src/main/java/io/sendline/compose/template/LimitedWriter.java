package io.sendline.compose.template;

import java.io.IOException;
import java.io.Writer;

/**
 * A Writer into a reusable {@link StringBuilder} that stops rendering as soon as more than a given
 * number of characters have been written, so a template that explodes (a loop over a huge list, a
 * macro bomb) fails early instead of filling the heap.
 *
 * <p>Not thread-safe: one per render on one thread.
 */
public final class LimitedWriter extends Writer {

    /** Thrown (through Pebble) when the limit is reached. */
    public static final class LimitExceededException extends IOException {
        private final int limit;

        LimitExceededException(int limit) {
            super("rendered output is larger than " + limit + " characters");
            this.limit = limit;
        }

        /** The limit that was exceeded, in characters. */
        public int limit() {
            return limit;
        }
    }

    private final StringBuilder out;
    private final int limit;

    /**
     * @param out where the output goes (not cleared here)
     * @param limit maximum number of characters this writer accepts
     */
    public LimitedWriter(StringBuilder out, int limit) {
        this.out = out;
        this.limit = limit;
    }

    private void check(int more) throws LimitExceededException {
        if (out.length() + more > limit) {
            throw new LimitExceededException(limit);
        }
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        check(len);
        out.append(cbuf, off, len);
    }

    @Override
    public void write(int c) throws IOException {
        check(1);
        out.append((char) c);
    }

    @Override
    public void write(String str) throws IOException {
        check(str.length());
        out.append(str);
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        check(len);
        out.append(str, off, off + len);
    }

    @Override
    public Writer append(CharSequence csq) throws IOException {
        CharSequence s = csq == null ? "null" : csq;
        check(s.length());
        out.append(s);
        return this;
    }

    @Override
    public Writer append(CharSequence csq, int start, int end) throws IOException {
        CharSequence s = csq == null ? "null" : csq;
        check(end - start);
        out.append(s, start, end);
        return this;
    }

    @Override
    public Writer append(char c) throws IOException {
        write(c);
        return this;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
}
