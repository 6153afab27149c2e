package io.sendline.compose.mime;

import java.util.Arrays;
import java.util.Locale;

/**
 * The header section of a message being written, with where each field starts and ends, so that a
 * DKIM signer can canonicalize exactly the bytes that were written. Reused from message to message
 * on one thread; not thread-safe.
 */
public final class HeaderBlock {

    private final ByteSink sink = new ByteSink(4096);
    private String[] names = new String[32];
    private int[] starts = new int[32];
    private int[] ends = new int[32];
    private int count;
    private int open = -1;

    /** Empties the block. */
    public void clear() {
        sink.clear();
        count = 0;
        open = -1;
    }

    /** Where header bytes go between {@link #begin} and {@link #end}. */
    public ByteSink sink() {
        return sink;
    }

    /** Starts the field {@code name} (written by the caller, name included). */
    public void begin(String name) {
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            starts = Arrays.copyOf(starts, count * 2);
            ends = Arrays.copyOf(ends, count * 2);
        }
        names[count] = name.toLowerCase(Locale.ROOT);
        starts[count] = sink.length();
        open = count;
    }

    /** Ends the field started last; it must end with CRLF. */
    public void end() {
        ends[open] = sink.length();
        count++;
        open = -1;
    }

    /** Writes a whole field whose value is ASCII and already folded: {@code Name: value CRLF}. */
    public void ascii(String name, CharSequence value) {
        begin(name);
        sink.ascii(name);
        sink.ascii(": ");
        sink.ascii(value);
        sink.crlf();
        end();
    }

    public int count() {
        return count;
    }

    /** Lower-case name of field {@code i}. */
    public String name(int i) {
        return names[i];
    }

    public int start(int i) {
        return starts[i];
    }

    /** End of field {@code i}, after its CRLF. */
    public int end(int i) {
        return ends[i];
    }

    /** Index of the last field with this lower-case name, or -1. */
    public int lastIndexOf(String lowerName) {
        for (int i = count - 1; i >= 0; i--) {
            if (names[i].equals(lowerName)) {
                return i;
            }
        }
        return -1;
    }
}
