package io.sendline.compose.template;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.AttributeNotFoundException;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.error.RootAttributeNotFoundException;
import io.pebbletemplates.pebble.extension.Extension;
import io.pebbletemplates.pebble.extension.ExtensionCustomizer;
import io.pebbletemplates.pebble.extension.core.DisallowExtensionCustomizerBuilder;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.sendline.compose.CompositionException;
import java.io.IOException;
import java.io.Reader;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Pebble configured as a sandbox for customer-written templates.
 *
 * <ul>
 *   <li>Nothing is ever loaded: templates are compiled from their own strings, the engine's loader
 *       refuses every name, and {@code include}, {@code import}, {@code from}, {@code extends},
 *       {@code embed}, {@code cache} and {@code parallel} are not even parsed; {@code i18n}
 *       (resource bundles from the classpath) is removed.
 *   <li>No method calls and no Java member access at all ({@link SandboxExtension}): variables are
 *       maps, lists and scalars, so map keys and list indexes are all a template needs.
 *   <li>Strict variables: a missing variable fails the message, naming the variable.
 *   <li>Output size limited while rendering ({@link LimitedWriter}); loop iterations and the size
 *       of every computed value limited too ({@link RenderBudget}, {@link SizeGuard}), so a
 *       template cannot spin or fill the heap without writing.
 *   <li>No template cache inside Pebble: compiled templates are owned by the caller, so nothing
 *       grows with the number of template versions seen.
 * </ul>
 *
 * Thread-safe: compiled templates and engines are immutable after construction.
 */
public final class SandboxedPebble {

    private static final List<String> DISALLOWED_TAGS =
            List.of("include", "import", "from", "extends", "embed", "cache", "parallel");
    private static final List<String> DISALLOWED_FUNCTIONS = List.of("i18n", "block", "parent");

    private static final Function<Extension, ExtensionCustomizer> DISALLOW =
            new DisallowExtensionCustomizerBuilder()
                    .disallowedTokenParserTags(DISALLOWED_TAGS)
                    .disallowedFunctionKeys(DISALLOWED_FUNCTIONS)
                    .build();

    private final PebbleEngine htmlEngine;
    private final PebbleEngine textEngine;

    public SandboxedPebble() {
        this.htmlEngine = engine(true);
        this.textEngine = engine(false);
    }

    private static PebbleEngine engine(boolean escapeHtml) {
        return new PebbleEngine.Builder()
                .loader(new NoLoader())
                .cacheActive(false)
                .strictVariables(true)
                // A newline after a tag is kept: "Code: {{ code }}\nThanks" must not lose its line
                // break in a text part.
                .newLineTrimming(false)
                .autoEscaping(escapeHtml)
                .defaultEscapingStrategy("html")
                .defaultLocale(Locale.ENGLISH)
                .methodAccessValidator((object, method) -> false)
                // Pebble keeps only the last registered customizer: both go in one.
                .registerExtensionCustomizer(ext -> new SizeGuard(DISALLOW.apply(ext)))
                .extension(new SandboxExtension())
                .build();
    }

    /**
     * Compiles one part.
     *
     * @param html true for the HTML part (output HTML-escaped), false for subject and text
     * @param label names the part in error messages, e.g. {@code template welcome v3 html}
     */
    public PebbleTemplate compile(String source, boolean html, String label)
            throws CompositionException {
        try {
            return (html ? htmlEngine : textEngine).getLiteralTemplate(source);
        } catch (PebbleException e) {
            throw new CompositionException(label + ": " + describe(e), e);
        } catch (RuntimeException | StackOverflowError e) {
            throw new CompositionException(label + ": template does not compile", e);
        }
    }

    /**
     * The variables of one message as renders take them: lists and maps wrapped so that loops over
     * them count against the loop budget. Call once per message, pass to every part's render.
     */
    public static Map<String, Object> prepare(Map<String, Object> variables) {
        return RenderBudget.guardRoot(variables == null ? Map.of() : variables);
    }

    /**
     * Renders a template into {@code out} (which it clears first), failing when the output would
     * exceed {@code limit} characters.
     *
     * @param variables from {@link #prepare}
     */
    public static void render(
            PebbleTemplate template,
            Map<String, Object> variables,
            StringBuilder out,
            int limit,
            String label)
            throws CompositionException {
        out.setLength(0);
        RenderBudget.reset(limit);
        try {
            template.evaluate(new LimitedWriter(out, limit), variables);
        } catch (LimitedWriter.LimitExceededException e) {
            throw tooLarge(label, e);
        } catch (PebbleException e) {
            LimitedWriter.LimitExceededException limitHit = limitCause(e);
            if (limitHit != null) {
                throw tooLarge(label, limitHit);
            }
            throw new CompositionException(label + ": " + describe(e), e);
        } catch (IOException e) {
            throw new CompositionException(label + ": rendering failed", e);
        } catch (StackOverflowError e) {
            throw new CompositionException(label + ": template recursion is too deep");
        } catch (RuntimeException e) {
            LimitedWriter.LimitExceededException limitHit = limitCause(e);
            if (limitHit != null) {
                throw tooLarge(label, limitHit);
            }
            throw new CompositionException(
                    label + ": rendering failed (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static CompositionException tooLarge(
            String label, LimitedWriter.LimitExceededException e) {
        return new CompositionException(
                label + ": rendered size is over the limit of " + e.limit() + " characters");
    }

    private static LimitedWriter.LimitExceededException limitCause(Throwable e) {
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof LimitedWriter.LimitExceededException l) {
                return l;
            }
        }
        return null;
    }

    /** A short message without the template text (Pebble names literal templates by source). */
    static String describe(PebbleException e) {
        String what;
        if (e instanceof RootAttributeNotFoundException r) {
            what = "missing variable '" + r.getAttributeName() + "'";
        } else if (e instanceof AttributeNotFoundException a
                && !a.getPebbleMessage().startsWith("missing")) {
            what = "missing attribute '" + a.getAttributeName() + "'";
        } else {
            what = e.getPebbleMessage();
        }
        Integer line = e.getLineNumber();
        return line == null ? what : what + " (line " + line + ")";
    }

    /** A loader that knows no template: includes and imports can never read anything. */
    private static final class NoLoader implements Loader<String> {
        @Override
        public Reader getReader(String cacheKey) {
            throw new LoaderException(null, "templates cannot load other templates");
        }

        @Override
        public void setCharset(String charset) {}

        @Override
        public void setPrefix(String prefix) {}

        @Override
        public void setSuffix(String suffix) {}

        @Override
        public String resolveRelativePath(String relativePath, String anchorPath) {
            return relativePath;
        }

        @Override
        public String createCacheKey(String templateName) {
            return templateName;
        }

        @Override
        public boolean resourceExists(String templateName) {
            return false;
        }
    }
}
