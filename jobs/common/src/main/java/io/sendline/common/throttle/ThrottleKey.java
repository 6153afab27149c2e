package io.sendline.common.throttle;

/**
 * The key the send pipeline throttles by: {@code pool|domain|k}. A hot recipient domain (gmail.com)
 * is split over {@code splits} sub-keys so that its traffic spreads over several subtasks instead
 * of making one subtask the limit; {@code k} is a stable hash of the job id, so a retried job lands
 * on the same sub-key.
 *
 * <h2>How rates are divided</h2>
 *
 * A domain's rate is shared equally by its sub-keys ({@code domainRate / splits} each). A pool's
 * rate is enforced per subtask: each of the {@code parallelism} throttle subtasks allows {@code
 * poolRate / parallelism} for that pool across all its keys (keys spread evenly over subtasks by
 * Flink's key groups, so the shares add up to the pool rate). A sub-key can therefore never exceed
 * {@link #effectiveRate}.
 */
public final class ThrottleKey {

    private ThrottleKey() {}

    /**
     * @param pool sending pool
     * @param domain recipient domain (lower-case ASCII)
     * @param jobId the job's id
     * @param splits sub-keys for this domain ({@link PacingConfig#splitsFor}), at least 1
     */
    public static String of(String pool, String domain, String jobId, int splits) {
        if (splits < 1) {
            throw new IllegalArgumentException("splits must be >= 1, was " + splits);
        }
        return pool + "|" + domain + "|" + subKey(jobId, splits);
    }

    /** The sub-key index {@code 0..splits-1} of a job id: stable across JVMs and restarts. */
    public static int subKey(String jobId, int splits) {
        if (splits <= 1) {
            return 0;
        }
        // String.hashCode is specified by the JLS, so it is the same on every JVM; mix it so that
        // sequential ids spread evenly.
        int h = jobId.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return Math.floorMod(h, splits);
    }

    /** The pool part of a key. */
    public static String poolOf(String key) {
        return key.substring(0, key.indexOf('|'));
    }

    /** The domain part of a key. */
    public static String domainOf(String key) {
        return key.substring(key.indexOf('|') + 1, key.lastIndexOf('|'));
    }

    /**
     * The most one sub-key may send per second: its share of the domain rate, and never more than
     * one subtask's share of the pool rate.
     */
    public static double effectiveRate(
            double poolRate, double domainRate, int splits, int parallelism) {
        if (splits < 1 || parallelism < 1) {
            throw new IllegalArgumentException("splits and parallelism must be >= 1");
        }
        return Math.min(domainRate / splits, subtaskPoolShare(poolRate, parallelism));
    }

    /** One throttle subtask's share of a pool's rate. */
    public static double subtaskPoolShare(double poolRate, int parallelism) {
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1");
        }
        return poolRate / parallelism;
    }
}
