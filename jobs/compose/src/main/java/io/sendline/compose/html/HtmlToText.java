package io.sendline.compose.html;

import io.sendline.compose.template.PebbleTagProtector;
import java.util.Locale;
import java.util.Set;
import org.jsoup.nodes.Comment;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.jsoup.nodes.Node;
import org.jsoup.nodes.TextNode;

/**
 * Derives a plain-text Pebble template from an HTML template, once per template version: the result
 * still holds the Pebble tags, so the text part is rendered per message like the HTML.
 *
 * <p>Links become {@code text (url)}, list items {@code - item}, headings, paragraphs, tables and
 * lists are separated by blank lines, {@code <br>} by a newline; {@code <head>}, {@code <style>},
 * {@code <script>}, images and elements hidden with {@code display:none} (preheaders, the open
 * pixel) are left out. A Pebble block tag that stands between blocks starts the next line (Pebble
 * keeps the newline after it), so a loop over list items yields one line per item.
 */
public final class HtmlToText {

    private static final Set<String> SKIP =
            Set.of(
                    "head",
                    "style",
                    "script",
                    "title",
                    "img",
                    "noscript",
                    "template",
                    "svg",
                    "object",
                    "iframe",
                    "video",
                    "audio",
                    "map",
                    "meta",
                    "link",
                    "button",
                    "input",
                    "select",
                    "textarea");
    private static final Set<String> PARAGRAPH =
            Set.of(
                    "p",
                    "h1",
                    "h2",
                    "h3",
                    "h4",
                    "h5",
                    "h6",
                    "ul",
                    "ol",
                    "table",
                    "blockquote",
                    "pre",
                    "dl",
                    "hr",
                    "form",
                    "fieldset");
    private static final Set<String> LINE =
            Set.of(
                    "div",
                    "li",
                    "tr",
                    "section",
                    "article",
                    "header",
                    "footer",
                    "nav",
                    "aside",
                    "main",
                    "center",
                    "dt",
                    "dd",
                    "address",
                    "figure",
                    "figcaption",
                    "caption",
                    "tbody",
                    "thead",
                    "tfoot",
                    "body",
                    "html");

    private final PebbleTagProtector tags;
    private final StringBuilder out = new StringBuilder();
    private int newlines = 0; // effective newlines at the end of the output (tags are transparent)
    private int pendingNewlines = 0;
    private boolean pendingSpace = false;
    private int preDepth = 0;

    private HtmlToText(PebbleTagProtector tags) {
        this.tags = tags;
    }

    /**
     * The text template of a parsed HTML template whose Pebble tags were protected by {@code tags}.
     */
    public static String derive(Document doc, PebbleTagProtector tags) {
        HtmlToText t = new HtmlToText(tags);
        t.walk(doc.body() != null ? doc.body() : doc);
        return t.finish();
    }

    private void walk(Node node) {
        for (Node child : node.childNodes()) {
            if (child instanceof TextNode text) {
                text(text.getWholeText());
            } else if (child instanceof Comment comment) {
                String tag = tags.tagOfComment(comment.getData());
                if (tag != null) {
                    tag(tag);
                }
            } else if (child instanceof Element el) {
                element(el);
            }
        }
    }

    private void element(Element el) {
        String name = el.normalName();
        if (SKIP.contains(name) || isHidden(el)) {
            return;
        }
        switch (name) {
            case "br" -> {
                newline(1, true);
                return;
            }
            case "hr" -> {
                block(2);
                word("----");
                block(2);
                return;
            }
            case "td", "th" -> {
                pendingSpace = true;
                walk(el);
                pendingSpace = true;
                return;
            }
            case "li" -> {
                block(1);
                word("- ");
                pendingSpace = false;
                walk(el);
                block(1);
                return;
            }
            case "a" -> {
                link(el);
                return;
            }
            case "pre" -> {
                block(2);
                preDepth++;
                walk(el);
                preDepth--;
                block(2);
                return;
            }
            default -> {}
        }
        int gap = PARAGRAPH.contains(name) ? 2 : LINE.contains(name) ? 1 : 0;
        if (gap > 0) {
            block(gap);
        }
        walk(el);
        if (gap > 0) {
            block(gap);
        }
    }

    private void link(Element a) {
        int before = out.length();
        walk(a);
        String shown = out.substring(before).strip();
        // Escape the literal parts only: the href's own Pebble tags must stay tags.
        String href = tags.restore(escape(a.attr("href").strip()));
        String lower = href.toLowerCase(Locale.ROOT);
        boolean dynamic = tags.containsToken(a.attr("href"));
        boolean web = lower.startsWith("http://") || lower.startsWith("https://");
        if (href.isEmpty() || !(web || dynamic) || shown.equals(href)) {
            return;
        }
        if (shown.isEmpty()) {
            word(href);
        } else {
            pendingSpace = true;
            word("(" + href + ")");
        }
    }

    private static boolean isHidden(Element el) {
        if (el.hasAttr("hidden")) {
            return true;
        }
        String style = el.attr("style");
        if (style.isEmpty()) {
            return false;
        }
        String s = style.toLowerCase(Locale.ROOT).replace(" ", "");
        return s.contains("display:none");
    }

    private void text(String raw) {
        if (preDepth > 0) {
            flushPending();
            String t = escape(raw);
            out.append(t);
            newlines = t.endsWith("\n") ? 1 : 0;
            return;
        }
        int n = raw.length();
        int i = 0;
        while (i < n) {
            char c = raw.charAt(i);
            if (isSpace(c)) {
                pendingSpace = true;
                i++;
                continue;
            }
            int start = i;
            while (i < n && !isSpace(raw.charAt(i))) {
                i++;
            }
            word(escape(raw.substring(start, i)));
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    }

    /** Literal text must not open a Pebble tag in the text template. */
    private static String escape(String s) {
        if (s.indexOf('{') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && "{%#".indexOf(s.charAt(i + 1)) >= 0) {
                sb.append("{{ \"{\" }}");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private void word(String w) {
        flushPending();
        if (pendingSpace && out.length() > 0 && newlines == 0) {
            char last = out.charAt(out.length() - 1);
            if (last != ' ' && last != '\n') {
                out.append(' ');
            }
        }
        pendingSpace = false;
        out.append(w);
        newlines = 0;
    }

    private void tag(String tag) {
        if (!tags.isBlockTag(tag)) {
            word(tag);
            return;
        }
        if (pendingNewlines > 0 || newlines > 0) {
            // Between blocks: the tag starts the next line, so a loop over list items or paragraphs
            // repeats whole lines (the engine keeps newlines after tags: no newline trimming).
            flushPending();
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append(tag);
        } else {
            if (pendingSpace && out.length() > 0 && out.charAt(out.length() - 1) != ' ') {
                out.append(' ');
                pendingSpace = false;
            }
            out.append(tag);
        }
    }

    private void block(int gap) {
        if (out.length() == 0) {
            return;
        }
        pendingNewlines = Math.max(pendingNewlines, gap);
        pendingSpace = false;
    }

    private void newline(int count, boolean force) {
        if (force) {
            flushPending();
            out.append('\n');
            newlines++;
            pendingSpace = false;
        } else {
            block(count);
        }
    }

    private void flushPending() {
        int add = pendingNewlines - newlines;
        for (int i = 0; i < add; i++) {
            out.append('\n');
        }
        if (add > 0) {
            newlines += add;
            pendingSpace = false;
        }
        pendingNewlines = 0;
    }

    private String finish() {
        // trim spaces at line ends and the trailing whitespace of the whole text
        StringBuilder sb = new StringBuilder(out.length() + 1);
        int lineStart = 0;
        for (int i = 0; i <= out.length(); i++) {
            if (i == out.length() || out.charAt(i) == '\n') {
                int end = i;
                while (end > lineStart && out.charAt(end - 1) == ' ') {
                    end--;
                }
                sb.append(out, lineStart, end);
                if (i < out.length()) {
                    sb.append('\n');
                }
                lineStart = i + 1;
            }
        }
        String s = sb.toString().strip();
        return s.isEmpty() ? s : s + "\n";
    }
}
