package io.sendline.compose.template;

import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The work one render may do, beyond its output size ({@link LimitedWriter}): loop iterations (a
 * nested loop over the message's own lists can spin for minutes without writing a byte) and the
 * size of every intermediate value (a {@code set} in a loop doubling a string with {@code ~}, or a
 * list with {@code merge}, exhausts the heap in 40 steps without writing a byte).
 *
 * <p>State is per thread: Pebble renders on the calling thread (no {@code parallel} tag here), and
 * {@link #reset} starts each render's budget.
 */
final class RenderBudget {

    /** Most loop iterations (over data, maps and {@code range}) one render may make. */
    static final int MAX_LOOP_STEPS = 200_000;

    /** Most elements a list or map computed by a template may hold. */
    static final int MAX_COLLECTION = 100_000;

    private static final ThreadLocal<RenderBudget> CURRENT =
            ThreadLocal.withInitial(RenderBudget::new);

    private int steps;
    private int maxChars = Integer.MAX_VALUE;

    private RenderBudget() {}

    static RenderBudget current() {
        return CURRENT.get();
    }

    /** Starts a new render whose strings may hold at most {@code maxChars} characters. */
    static void reset(int maxChars) {
        RenderBudget b = CURRENT.get();
        b.steps = 0;
        b.maxChars = maxChars;
    }

    /** Counts one loop iteration. */
    void step() {
        if (++steps > MAX_LOOP_STEPS) {
            throw new PebbleException(
                    null,
                    "loops took more than " + MAX_LOOP_STEPS + " iterations in one message",
                    null,
                    null);
        }
    }

    /** Fails when a computed value is larger than a render may be; returns the value. */
    Object checkSize(Object value, String what, int lineNumber) {
        long size;
        String unit;
        if (value instanceof CharSequence cs) {
            size = cs.length();
            unit = " characters";
        } else if (value instanceof SafeString s) {
            size = s.toString().length();
            unit = " characters";
        } else if (value instanceof Collection<?> c) {
            if (c.size() > MAX_COLLECTION) {
                throw tooLarge(what, c.size(), MAX_COLLECTION, " elements", lineNumber);
            }
            return value;
        } else if (value instanceof Map<?, ?> m) {
            if (m.size() > MAX_COLLECTION) {
                throw tooLarge(what, m.size(), MAX_COLLECTION, " entries", lineNumber);
            }
            return value;
        } else {
            return value;
        }
        if (size > maxChars) {
            throw tooLarge(what, size, maxChars, unit, lineNumber);
        }
        return value;
    }

    private static PebbleException tooLarge(
            String what, long size, long limit, String unit, int lineNumber) {
        return new PebbleException(
                null,
                what + " produced " + size + unit + ", over the limit of " + limit,
                lineNumber,
                null);
    }

    /**
     * Wraps lists and maps so that iterating over them counts against the loop budget; other values
     * are returned as they are.
     */
    static Object guard(Object value) {
        if (value instanceof List<?> list && !(value instanceof BudgetList)) {
            return new BudgetList(list);
        }
        if (value instanceof Map<?, ?> map && !(value instanceof BudgetMap)) {
            return new BudgetMap(map);
        }
        return value;
    }

    /** The root variables with their lists and maps guarded (one shallow copy per message). */
    static Map<String, Object> guardRoot(Map<String, Object> variables) {
        Map<String, Object> copy = new HashMap<>(variables.size() * 2);
        for (Map.Entry<String, Object> e : variables.entrySet()) {
            copy.put(e.getKey(), guard(e.getValue()));
        }
        return copy;
    }

    /** A read-only list view whose element reads count as loop steps. */
    static final class BudgetList extends AbstractList<Object> {
        private final List<?> delegate;

        BudgetList(List<?> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object get(int index) {
            CURRENT.get().step();
            return guard(delegate.get(index));
        }

        @Override
        public int size() {
            return delegate.size();
        }
    }

    /** A read-only map view whose iteration counts as loop steps. */
    static final class BudgetMap extends AbstractMap<Object, Object> {
        private final Map<?, ?> delegate;

        BudgetMap(Map<?, ?> delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object get(Object key) {
            return guard(delegate.get(key));
        }

        @Override
        public boolean containsKey(Object key) {
            return delegate.containsKey(key);
        }

        @Override
        public int size() {
            return delegate.size();
        }

        @Override
        public Set<Entry<Object, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<Object, Object>> iterator() {
                    Iterator<? extends Entry<?, ?>> it = delegate.entrySet().iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Entry<Object, Object> next() {
                            CURRENT.get().step();
                            Entry<?, ?> e = it.next();
                            return new SimpleImmutableEntry<>(e.getKey(), guard(e.getValue()));
                        }
                    };
                }

                @Override
                public int size() {
                    return delegate.size();
                }
            };
        }
    }
}
