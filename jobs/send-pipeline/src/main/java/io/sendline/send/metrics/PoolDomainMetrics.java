package io.sendline.send.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counters labelled by sending pool and recipient domain, e.g. {@code
 * <operator>.pool.marketing.domain.gmail_com.suppressed}, as the Flink web UI and metric reporters
 * show them. Only the configured domains ({@code metrics.domains}) get their own label; every other
 * domain counts as {@code other}, so a campaign to a million small domains cannot create a million
 * metrics. One instance per operator subtask, used from the task thread.
 */
public final class PoolDomainMetrics {

    /** Label of every domain that is not listed. */
    public static final String OTHER = "other";

    private final MetricGroup group;
    private final Set<String> domains;
    private final Map<String, Counter> counters = new HashMap<>();

    public PoolDomainMetrics(MetricGroup group, Set<String> domains) {
        this.group = group;
        this.domains = Set.copyOf(domains);
    }

    /** The domain label a recipient domain is counted under. */
    public String label(String domain) {
        String d = domain == null ? "" : domain.toLowerCase(Locale.ROOT);
        return domains.contains(d) ? d : OTHER;
    }

    /** Increments counter {@code name} of (pool, domain). */
    public void inc(String name, String pool, String domain) {
        counter(name, pool, domain).inc();
    }

    /** The counter {@code name} of (pool, domain), registered on first use. */
    public Counter counter(String name, String pool, String domain) {
        String p = pool == null ? "unknown" : pool;
        String label = label(domain);
        String key = name + '\u0000' + p + '\u0000' + label;
        Counter c = counters.get(key);
        if (c == null) {
            c = group.addGroup("pool", p).addGroup("domain", label).counter(name);
            counters.put(key, c);
        }
        return c;
    }
}
