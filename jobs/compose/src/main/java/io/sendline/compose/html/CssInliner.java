package io.sendline.compose.html;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import org.jsoup.nodes.DataNode;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.select.Elements;
import org.jsoup.select.Selector;

/**
 * Moves the rules of a template's {@code <style>} blocks into {@code style} attributes, as email
 * clients that drop {@code <style>} need. Runs once per template version (it costs a jsoup parse,
 * ~1-2 ms), never per message.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Simple rules (selectors jsoup understands, without pseudo-classes or pseudo-elements) are
 *       applied to the elements of {@code <body>} in order of specificity, then source order; an
 *       element's own {@code style} attribute wins over the sheet, except over {@code !important}
 *       declarations of the sheet.
 *   <li>{@code @media} blocks, other at-rules and rules with pseudo selectors ({@code a:hover})
 *       stay in one {@code <style>} block in {@code <head>}.
 *   <li>{@code <style data-sendline-keep>}, {@code <style media=...>} and style blocks holding a
 *       Pebble block tag ({@code {% if %}}) are left exactly as they are.
 * </ul>
 */
public final class CssInliner {

    private CssInliner() {}

    /** A declaration of a rule. */
    private record Decl(String property, String value, boolean important) {}

    /** One selector of a rule with its declarations. */
    private record Candidate(String selector, int specificity, int order, List<Decl> decls) {}

    /**
     * Inlines the document's style blocks in place.
     *
     * @param keepVerbatim style texts for which this returns true are left untouched
     */
    public static void inline(Document doc, Predicate<String> keepVerbatim) {
        List<Candidate> candidates = new ArrayList<>();
        StringBuilder residual = new StringBuilder();
        Element firstRemoved = null;
        int order = 0;
        for (Element style : doc.select("style")) {
            String css = style.data();
            if (style.hasAttr("data-sendline-keep")
                    || (style.hasAttr("media") && !style.attr("media").equalsIgnoreCase("all"))
                    || keepVerbatim.test(css)) {
                continue;
            }
            order = parse(stripComments(css), candidates, residual, order);
            if (firstRemoved == null) {
                firstRemoved = style;
            }
            style.remove();
        }
        if (firstRemoved == null) {
            return;
        }
        apply(doc, candidates, residual);
        if (residual.length() > 0) {
            Element keep = doc.head().appendElement("style");
            keep.attr("type", "text/css");
            keep.appendChild(new DataNode(residual.toString().strip()));
        }
    }

    private static void apply(Document doc, List<Candidate> candidates, StringBuilder residual) {
        candidates.sort(
                (a, b) ->
                        a.specificity != b.specificity
                                ? Integer.compare(a.specificity, b.specificity)
                                : Integer.compare(a.order, b.order));
        Map<Element, Map<String, Decl>> styles = new IdentityHashMap<>();
        List<Element> touched = new ArrayList<>();
        Element body = doc.body();
        for (Candidate c : candidates) {
            Elements matched;
            try {
                matched = Selector.select(c.selector, body);
            } catch (Selector.SelectorParseException | IllegalArgumentException e) {
                residual.append(c.selector).append('{').append(render(c.decls)).append("}\n");
                continue;
            }
            for (Element el : matched) {
                Map<String, Decl> map = styles.get(el);
                if (map == null) {
                    map = new LinkedHashMap<>();
                    styles.put(el, map);
                    touched.add(el);
                }
                for (Decl d : c.decls) {
                    Decl old = map.get(d.property);
                    if (old != null && old.important && !d.important) {
                        continue;
                    }
                    map.remove(d.property);
                    map.put(d.property, d);
                }
            }
        }
        for (Element el : touched) {
            Map<String, Decl> map = styles.get(el);
            for (Decl d : parseDecls(el.attr("style"))) {
                Decl old = map.get(d.property);
                if (old != null && old.important && !d.important) {
                    continue;
                }
                map.remove(d.property);
                map.put(d.property, d);
            }
            StringBuilder sb = new StringBuilder();
            for (Decl d : map.values()) {
                if (sb.length() > 0) {
                    sb.append(' ');
                }
                sb.append(d.property).append(": ").append(d.value).append(';');
            }
            el.attr("style", sb.toString());
        }
    }

    private static String render(List<Decl> decls) {
        StringBuilder sb = new StringBuilder();
        for (Decl d : decls) {
            sb.append(d.property).append(':').append(d.value);
            if (d.important) {
                sb.append(" !important");
            }
            sb.append(';');
        }
        return sb.toString();
    }

    static String stripComments(String css) {
        StringBuilder sb = new StringBuilder(css.length());
        int i = 0;
        while (i < css.length()) {
            int start = css.indexOf("/*", i);
            if (start < 0) {
                sb.append(css, i, css.length());
                break;
            }
            sb.append(css, i, start);
            int end = css.indexOf("*/", start + 2);
            i = end < 0 ? css.length() : end + 2;
        }
        return sb.toString();
    }

    /** Parses a style sheet into candidates (inlinable) and residual CSS (kept). */
    private static int parse(
            String css, List<Candidate> candidates, StringBuilder residual, int order) {
        int i = 0;
        int n = css.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(css.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            if (css.charAt(i) == '@') {
                int brace = indexOutsideQuotes(css, '{', i);
                int semi = indexOutsideQuotes(css, ';', i);
                if (semi >= 0 && (brace < 0 || semi < brace)) {
                    residual.append(css, i, semi + 1).append('\n');
                    i = semi + 1;
                } else if (brace >= 0) {
                    int end = matchingBrace(css, brace);
                    residual.append(css, i, end).append('\n');
                    i = end;
                } else {
                    residual.append(css, i, n).append('\n');
                    i = n;
                }
                continue;
            }
            int brace = indexOutsideQuotes(css, '{', i);
            if (brace < 0) {
                break;
            }
            int close = matchingBrace(css, brace);
            String selectors = css.substring(i, brace).strip();
            String body = css.substring(brace + 1, Math.max(brace + 1, close - 1));
            List<Decl> decls = parseDecls(body);
            for (String sel : splitTopLevel(selectors, ',')) {
                String s = sel.strip();
                if (s.isEmpty()) {
                    continue;
                }
                if (s.indexOf(':') >= 0 || decls.isEmpty()) {
                    residual.append(s).append('{').append(render(decls)).append("}\n");
                } else {
                    candidates.add(new Candidate(s, specificity(s), order++, decls));
                }
            }
            i = close;
        }
        return order;
    }

    private static int indexOutsideQuotes(String s, char target, int from) {
        char quote = 0;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == target) {
                return i;
            }
        }
        return -1;
    }

    /** Index just after the brace that closes the one at {@code open}. */
    private static int matchingBrace(String s, int open) {
        int depth = 0;
        char quote = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
        }
        return s.length();
    }

    private static List<String> splitTopLevel(String s, char sep) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        char quote = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '(' || c == '[') {
                depth++;
            } else if (c == ')' || c == ']') {
                depth--;
            } else if (c == sep && depth == 0) {
                parts.add(s.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(s.substring(start));
        return parts;
    }

    private static List<Decl> parseDecls(String body) {
        List<Decl> decls = new ArrayList<>();
        for (String part : splitTopLevel(body, ';')) {
            int colon = part.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String prop = part.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = part.substring(colon + 1).strip();
            boolean important = false;
            int bang = value.toLowerCase(Locale.ROOT).lastIndexOf("!important");
            if (bang >= 0 && value.substring(bang + 10).isBlank()) {
                important = true;
                value = value.substring(0, bang).strip();
            }
            if (!prop.isEmpty() && !value.isEmpty()) {
                decls.add(new Decl(prop, value, important));
            }
        }
        return decls;
    }

    /** CSS specificity packed as ids*10000 + classes/attributes*100 + elements. */
    static int specificity(String selector) {
        int ids = 0;
        int classes = 0;
        int elements = 0;
        int i = 0;
        int n = selector.length();
        boolean compoundStart = true;
        while (i < n) {
            char c = selector.charAt(i);
            if (c == '#') {
                ids++;
                i = skipName(selector, i + 1);
                compoundStart = false;
            } else if (c == '.') {
                classes++;
                i = skipName(selector, i + 1);
                compoundStart = false;
            } else if (c == '[') {
                classes++;
                int end = selector.indexOf(']', i);
                i = end < 0 ? n : end + 1;
                compoundStart = false;
            } else if (c == ' ' || c == '>' || c == '+' || c == '~' || c == '\t') {
                compoundStart = true;
                i++;
            } else if (c == '*') {
                compoundStart = false;
                i++;
            } else if (compoundStart && (Character.isLetter(c))) {
                elements++;
                i = skipName(selector, i);
                compoundStart = false;
            } else {
                i++;
            }
        }
        return ids * 10000 + classes * 100 + elements;
    }

    private static int skipName(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                i++;
            } else {
                break;
            }
        }
        return i;
    }
}
