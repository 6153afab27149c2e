package io.sendline.edge.api;

import io.sendline.edge.db.TemplateStore;
import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers "does this template (version) exist?" for email validation without a database query per
 * email: versions are immutable and numbered without gaps, so knowing the newest version of a
 * template answers for every older one. Unknown ids and newer versions are looked up (and not
 * cached when missing, so a template created through another edge is usable at once).
 */
public final class TemplateCatalog {

    private static final int MAX_ENTRIES = 100_000;

    private final TemplateStore store;
    private final ConcurrentHashMap<String, Integer> newest = new ConcurrentHashMap<>();

    public TemplateCatalog(TemplateStore store) {
        this.store = store;
    }

    /** True when the template exists (in the given version, if not null). Blocking on a miss. */
    public boolean exists(String templateId, Integer version) throws SQLException {
        Integer known = newest.get(templateId);
        if (known != null && (version == null || version <= known)) {
            return true;
        }
        OptionalInt max = store.maxVersion(templateId);
        if (max.isEmpty()) {
            return false;
        }
        learn(templateId, max.getAsInt());
        return version == null || version <= max.getAsInt();
    }

    /** Records a version this edge just stored. */
    public void learn(String templateId, int version) {
        if (newest.size() >= MAX_ENTRIES) {
            newest.clear();
        }
        newest.merge(templateId, version, Math::max);
    }
}
