package io.sendline.compose.template;

import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.Filter;
import io.pebbletemplates.pebble.extension.core.DefaultFilter;
import io.pebbletemplates.pebble.extension.escaper.EscapeFilter;
import io.pebbletemplates.pebble.extension.escaper.EscapingStrategy;
import io.pebbletemplates.pebble.node.expression.AddExpression;
import io.pebbletemplates.pebble.node.expression.ConcatenateExpression;
import io.pebbletemplates.pebble.operator.BinaryOperator;
import io.pebbletemplates.pebble.operator.BinaryOperatorImpl;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.EvaluationContextImpl;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.pebbletemplates.pebble.template.PebbleTemplateImpl;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Bounds every value a template computes: each filter's result and the string operators {@code ~}
 * and {@code +} are checked against {@link RenderBudget}, so no sequence of {@code set}, macro
 * calls or filters can build a value larger than a whole message may be. Applied to every
 * extension, Pebble's own included.
 */
final class SizeGuard extends ExtensionCustomizer {

    SizeGuard(Extension delegate) {
        super(delegate);
    }

    @Override
    public Map<String, Filter> getFilters() {
        Map<String, Filter> filters = super.getFilters();
        if (filters == null) {
            return null;
        }
        Map<String, Filter> guarded = new LinkedHashMap<>();
        filters.forEach(
                (name, f) -> {
                    // Pebble treats these two by class (FilterExpression): "default" gets its input
                    // even when a variable is missing under strict variables, and only an
                    // EscapeFilter keeps a SafeString (raw, escape) from being escaped again.
                    // "default" returns its input or its argument, so it cannot grow anything.
                    if (f instanceof DefaultFilter) {
                        guarded.put(name, f);
                    } else if (f instanceof EscapeFilter escape) {
                        guarded.put(name, new GuardedEscapeFilter(name, escape));
                    } else {
                        guarded.put(name, new GuardedFilter(name, f));
                    }
                });
        return guarded;
    }

    @Override
    public List<BinaryOperator> getBinaryOperators() {
        List<BinaryOperator> ops = super.getBinaryOperators();
        if (ops == null) {
            return null;
        }
        List<BinaryOperator> out = new ArrayList<>(ops.size());
        for (BinaryOperator op : ops) {
            if (op.getSymbol().equals("~")) {
                out.add(
                        new BinaryOperatorImpl(
                                "~",
                                op.getPrecedence(),
                                BoundedConcat::new,
                                op.getType(),
                                op.getAssociativity()));
            } else if (op.getSymbol().equals("+")) {
                out.add(
                        new BinaryOperatorImpl(
                                "+",
                                op.getPrecedence(),
                                BoundedAdd::new,
                                op.getType(),
                                op.getAssociativity()));
            } else {
                out.add(op);
            }
        }
        return out;
    }

    private static final class GuardedFilter implements Filter {
        private final String name;
        private final Filter delegate;

        GuardedFilter(String name, Filter delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public List<String> getArgumentNames() {
            return delegate.getArgumentNames();
        }

        @Override
        public Object apply(
                Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                EvaluationContext context,
                int lineNumber) {
            Object out = delegate.apply(input, args, self, context, lineNumber);
            return RenderBudget.current().checkSize(out, "filter '" + name + "'", lineNumber);
        }
    }

    /** The escape filter, still an {@link EscapeFilter} to Pebble, with a size check. */
    private static final class GuardedEscapeFilter extends EscapeFilter {
        private final String name;
        private final EscapeFilter delegate;

        GuardedEscapeFilter(String name, EscapeFilter delegate) {
            this.name = name;
            this.delegate = delegate;
        }

        @Override
        public List<String> getArgumentNames() {
            return delegate.getArgumentNames();
        }

        @Override
        public Object apply(
                Object input,
                Map<String, Object> args,
                PebbleTemplate self,
                EvaluationContext context,
                int lineNumber) {
            Object out = delegate.apply(input, args, self, context, lineNumber);
            return RenderBudget.current().checkSize(out, "filter '" + name + "'", lineNumber);
        }

        @Override
        public String getDefaultStrategy() {
            return delegate.getDefaultStrategy();
        }

        @Override
        public void setDefaultStrategy(String strategy) {
            delegate.setDefaultStrategy(strategy);
        }

        @Override
        public void addEscapingStrategy(String name, EscapingStrategy strategy) {
            delegate.addEscapingStrategy(name, strategy);
        }
    }

    /** {@code a ~ b} with a size check. */
    public static final class BoundedConcat extends ConcatenateExpression {
        @Override
        public String evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            String s = super.evaluate(self, context);
            RenderBudget.current().checkSize(s, "operator '~'", getLineNumber());
            return s;
        }
    }

    /** {@code a + b} with a size check (Pebble concatenates when either side is a string). */
    public static final class BoundedAdd extends AddExpression {
        @Override
        public Object evaluate(PebbleTemplateImpl self, EvaluationContextImpl context) {
            Object v = super.evaluate(self, context);
            return RenderBudget.current().checkSize(v, "operator '+'", getLineNumber());
        }
    }
}
