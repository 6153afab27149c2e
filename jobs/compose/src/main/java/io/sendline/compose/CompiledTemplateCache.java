package io.sendline.compose;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled template versions, so that each is compiled once (Pebble, CSS inlining, text derivation
 * cost milliseconds) and every message after that only renders. Stored templates are keyed by
 * {@code templateId:version}: a version never changes, so an entry never goes stale. Inline
 * templates (a job carrying its own subject and HTML) are keyed by the SHA-256 of their content, so
 * a campaign of identical inline jobs compiles once too. Least recently used entries go first when
 * the cache is full.
 *
 * <p>Which version a job gets (pinned, or the newest at send time) is the caller's decision: it
 * passes that version's {@link TemplateSource}. Thread-safe.
 */
public final class CompiledTemplateCache {

    private final Composer composer;
    private final Map<String, CompiledTemplate> entries;

    /**
     * @param composer compiles what is not cached
     * @param maxEntries most compiled versions kept
     */
    public CompiledTemplateCache(Composer composer, int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive");
        }
        this.composer = composer;
        this.entries =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, CompiledTemplate> e) {
                        return size() > maxEntries;
                    }
                };
    }

    /** The compiled form of a template version, stored (id and version) or inline (id null). */
    public CompiledTemplate get(TemplateSource source) throws CompositionException {
        String key =
                source.templateId() == null
                        ? "inline:" + contentHash(source)
                        : source.templateId() + ":" + source.version();
        synchronized (entries) {
            CompiledTemplate t = entries.get(key);
            if (t != null) {
                return t;
            }
        }
        // compiled outside the lock: a slow compile does not hold up other templates
        CompiledTemplate compiled =
                composer.compile(
                        source.templateId() == null
                                ? new TemplateSource(
                                        "inline-" + key.substring(7, 19),
                                        0,
                                        source.subject(),
                                        source.html(),
                                        source.text())
                                : source);
        synchronized (entries) {
            entries.putIfAbsent(key, compiled);
            return entries.get(key);
        }
    }

    /** Number of compiled versions held. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    private static String contentHash(TemplateSource s) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {s.subject(), s.html(), s.text()}) {
                if (part == null) {
                    md.update((byte) 0);
                } else {
                    md.update((byte) 1);
                    md.update(Integer.toString(part.length()).getBytes(StandardCharsets.US_ASCII));
                    md.update((byte) ':');
                    md.update(part.getBytes(StandardCharsets.UTF_8));
                }
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
