package io.sendline.send;

import io.sendline.compose.CompiledTemplate;
import io.sendline.compose.ComposedMessage;
import io.sendline.compose.Composer;
import io.sendline.compose.CompositionException;
import io.sendline.compose.MessageSpec;
import io.sendline.compose.TemplateSource;
import io.sendline.send.render.ComposerProvider;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny composer for tests: replaces {@code {{ name }}} with variables (a missing one fails like
 * the real composer's strict mode), writes a minimal MIME message, and counts compilations per
 * JVM-wide name so tests can assert the render step's cache.
 */
public final class TestComposer implements Composer {

    private static final Pattern VAR = Pattern.compile("\\{\\{\\s*([A-Za-z0-9_]+)\\s*}}");
    private static final Map<String, AtomicInteger> COMPILES = new ConcurrentHashMap<>();

    private final String name;

    public TestComposer(String name) {
        this.name = name;
    }

    /** A provider of composers that count under {@code name}. */
    public static ComposerProvider provider(String name) {
        return () -> new TestComposer(name);
    }

    /** Compilations counted under {@code name}. */
    public static int compiles(String name) {
        AtomicInteger n = COMPILES.get(name);
        return n == null ? 0 : n.get();
    }

    record Compiled(String templateId, int version, String subject, String html)
            implements CompiledTemplate {}

    @Override
    public CompiledTemplate compile(TemplateSource s) throws CompositionException {
        if (s.html() == null || s.html().contains("{% broken")) {
            throw new CompositionException("template syntax error");
        }
        COMPILES.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
        return new Compiled(s.templateId(), s.version(), s.subject(), s.html());
    }

    @Override
    public ComposedMessage compose(CompiledTemplate template, MessageSpec spec)
            throws CompositionException {
        Compiled c = (Compiled) template;
        String subject = fill(c.subject(), spec.variables());
        String html = fill(c.html(), spec.variables());
        String mime =
                "From: "
                        + spec.from()
                        + "\r\nTo: "
                        + spec.to()
                        + "\r\nSubject: "
                        + subject
                        + "\r\nX-Template: "
                        + c.templateId()
                        + ":"
                        + c.version()
                        + "\r\n\r\n"
                        + html
                        + "\r\n";
        return new ComposedMessage(
                spec.jobId() + "@test",
                spec.from(),
                spec.to(),
                mime.getBytes(StandardCharsets.UTF_8));
    }

    private static String fill(String t, Map<String, Object> vars) throws CompositionException {
        if (t == null) {
            return "";
        }
        Matcher m = VAR.matcher(t);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            Object v = vars.get(m.group(1));
            if (v == null) {
                throw new CompositionException("variable '" + m.group(1) + "' is missing");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v.toString()));
        }
        m.appendTail(out);
        return out.toString();
    }
}
