package io.sendline.compose.template;

import io.pebbletemplates.pebble.attributes.AttributeResolver;
import io.pebbletemplates.pebble.attributes.ResolvedAttribute;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.node.ArgumentsNode;
import io.pebbletemplates.pebble.node.ForNode;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.util.AbstractList;
import java.util.List;
import java.util.Map;

/**
 * The Pebble extension that closes the sandbox: attribute access is limited to map keys, list
 * indexes, map entries and the {@code loop} variable (template variables are JSON-like data), every
 * method call and every Java member access (getters, public fields such as {@code (1).TYPE}, {@code
 * getClass()}) fails, and {@code range} is bounded so a loop without output cannot spin for
 * minutes.
 *
 * <p>Pebble asks the resolvers of user extensions before its own reflective resolver; this one
 * answers every request (value or error), so the reflective resolver is never reached.
 */
final class SandboxExtension extends AbstractExtension {

    /** Most elements one {@code range(...)} call may produce. */
    static final int MAX_RANGE = 10_000;

    @Override
    public List<AttributeResolver> getAttributeResolver() {
        return List.of(new DataOnlyResolver());
    }

    @Override
    public Map<String, Function> getFunctions() {
        return Map.of("range", new BoundedRange());
    }

    /** Map keys and list indexes only; anything else is refused. */
    private static final class DataOnlyResolver implements AttributeResolver {
        @Override
        public ResolvedAttribute resolve(
                Object instance,
                Object attributeNameValue,
                Object[] argumentValues,
                ArgumentsNode args,
                EvaluationContextImpl context,
                String filename,
                int lineNumber) {
            String name = String.valueOf(attributeNameValue);
            if (argumentValues != null) {
                throw new PebbleException(
                        null,
                        "method calls are not allowed in templates: '" + name + "(...)'",
                        lineNumber,
                        filename);
            }
            if (instance instanceof Map<?, ?> map) {
                Object key = attributeNameValue;
                if (key instanceof Number n && !map.containsKey(key)) {
                    key = String.valueOf(n.longValue());
                }
                if (!map.containsKey(key)) {
                    if (context.isStrictVariables()) {
                        throw new AttributeNotFoundException(
                                null,
                                "missing attribute '" + name + "'",
                                name,
                                lineNumber,
                                filename);
                    }
                    return new ResolvedAttribute(null);
                }
                return new ResolvedAttribute(RenderBudget.guard(map.get(key)));
            }
            if (instance instanceof ForNode.LoopVariables loop) {
                // the loop variable of {% for %}: its documented members, nothing else
                switch (name) {
                    case "index":
                        return new ResolvedAttribute(loop.getIndex());
                    case "first":
                        return new ResolvedAttribute(loop.isFirst());
                    case "last":
                        return new ResolvedAttribute(loop.isLast());
                    case "length":
                        return new ResolvedAttribute(loop.getLength());
                    case "revindex":
                        return new ResolvedAttribute(loop.getRevindex());
                    default:
                        throw new PebbleException(
                                null,
                                "loop has no attribute '"
                                        + name
                                        + "' (index, first, last, length, revindex)",
                                lineNumber,
                                filename);
                }
            }
            if (instance instanceof Map.Entry<?, ?> entry
                    && (name.equals("key") || name.equals("value"))) {
                // the loop variable of {% for e in map %}
                return new ResolvedAttribute(
                        RenderBudget.guard(name.equals("key") ? entry.getKey() : entry.getValue()));
            }
            if (instance instanceof List<?> list) {
                int index = index(attributeNameValue);
                if (index >= 0 && index < list.size()) {
                    return new ResolvedAttribute(RenderBudget.guard(list.get(index)));
                }
                if (context.isStrictVariables()) {
                    throw new AttributeNotFoundException(
                            null,
                            "missing list element [" + name + "]",
                            name,
                            lineNumber,
                            filename);
                }
                return new ResolvedAttribute(null);
            }
            throw new PebbleException(
                    null,
                    "attribute '"
                            + name
                            + "' cannot be read from a "
                            + kind(instance)
                            + " (only map keys and list indexes are allowed)",
                    lineNumber,
                    filename);
        }

        private static int index(Object value) {
            if (value instanceof Number n) {
                return (int) Math.min(Integer.MAX_VALUE, Math.max(-1, n.longValue()));
            }
            try {
                return Integer.parseInt(String.valueOf(value));
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private static String kind(Object instance) {
            if (instance instanceof CharSequence) {
                return "string";
            }
            if (instance instanceof Number) {
                return "number";
            }
            if (instance instanceof Boolean) {
                return "boolean";
            }
            return "value of an unsupported type";
        }
    }

    /** {@code range(start, end[, increment])} over numbers, bounded in size and per render. */
    private static final class BoundedRange implements Function {
        @Override
        public List<String> getArgumentNames() {
            return List.of("start", "end", "increment");
        }

        @Override
        public Object execute(
                Map<String, Object> args,
                PebbleTemplate self,
                EvaluationContext context,
                int lineNumber) {
            Object start = args.get("start");
            Object end = args.get("end");
            Object inc = args.get("increment");
            if (!(start instanceof Number) || !(end instanceof Number)) {
                throw new PebbleException(
                        null, "range(start, end) takes numbers", lineNumber, self.getName());
            }
            long s = ((Number) start).longValue();
            long e = ((Number) end).longValue();
            long step = inc == null ? 1 : (inc instanceof Number n ? n.longValue() : 0);
            if (step == 0) {
                throw new PebbleException(
                        null,
                        "range increment must be a non-zero number",
                        lineNumber,
                        self.getName());
            }
            long count =
                    step > 0
                            ? (e >= s ? (e - s) / step + 1 : 0)
                            : (s >= e ? (s - e) / -step + 1 : 0);
            if (count > MAX_RANGE) {
                throw new PebbleException(
                        null,
                        "range of " + count + " elements is over the limit of " + MAX_RANGE,
                        lineNumber,
                        self.getName());
            }
            int size = (int) count;
            return new AbstractList<Long>() {
                @Override
                public Long get(int i) {
                    RenderBudget.current().step();
                    return s + i * step;
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }
}
