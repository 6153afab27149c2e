package io.sendline.compose;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Compiled template versions, so that each is compiled once (Pebble, CSS inlining, text derivation
 * cost milliseconds) and every message after that only renders. Stored templates are keyed by
 * {@code templateId:version}; inline templates (a job carrying its own subject and HTML, template
 * id null) by their content, so a campaign of identical inline jobs compiles once too. A version
 * that does not compile is remembered as such: its jobs fail with the same error without compiling
 * it again, until {@link #invalidate} (the version was re-published). Least recently used entries
 * go first when the cache is full.
 *
 * <p>Which version a job gets (pinned, or the newest at send time) is the caller's decision: it
 * passes that version's {@link TemplateSource}. Thread-safe.
 */
public final class CompiledTemplateCache {

    private final Composer composer;

    /** Values are a {@link CompiledTemplate} or the {@link CompositionException} compiling gave. */
    private final Map<Object, Object> entries;

    private long compiles;

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
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<Object, Object> e) {
                        return size() > maxEntries;
                    }
                };
    }

    /**
     * The compiled form of a template version, stored (id and version) or inline (id null).
     *
     * @throws CompositionException if it does not compile (now, or when it was first tried)
     */
    public CompiledTemplate get(TemplateSource source) throws CompositionException {
        Object key = key(source.templateId(), source.version(), source);
        Object cached;
        synchronized (entries) {
            cached = entries.get(key);
        }
        if (cached == null) {
            // compiled outside the lock: a slow compile does not hold up other templates
            cached = compile(source);
            synchronized (entries) {
                Object raced = entries.putIfAbsent(key, cached);
                cached = raced != null ? raced : cached;
                compiles++;
            }
        }
        if (cached instanceof CompositionException e) {
            throw e;
        }
        return (CompiledTemplate) cached;
    }

    /** Forgets a stored version (compiled or failed), e.g. because it was re-published. */
    public void invalidate(String templateId, int version) {
        synchronized (entries) {
            entries.remove(key(templateId, version, null));
        }
    }

    /** Number of versions held. */
    public int size() {
        synchronized (entries) {
            return entries.size();
        }
    }

    /** Compilations so far (hits do not count). */
    public long compiles() {
        synchronized (entries) {
            return compiles;
        }
    }

    private Object compile(TemplateSource source) {
        try {
            return composer.compile(
                    source.templateId() == null
                            ? new TemplateSource(
                                    "inline-" + Integer.toHexString(source.hashCode()),
                                    0,
                                    source.subject(),
                                    source.html(),
                                    source.text())
                            : source);
        } catch (CompositionException e) {
            return e;
        } catch (RuntimeException e) {
            return new CompositionException(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    /** Stored versions by {@code id:version}; inline ones by the source itself (its content). */
    private static Object key(String templateId, int version, TemplateSource inline) {
        return templateId == null ? inline : templateId + ":" + version;
    }
}
