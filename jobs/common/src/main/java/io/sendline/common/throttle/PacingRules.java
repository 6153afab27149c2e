package io.sendline.common.throttle;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * How fast one throttle key may send right now: the one place where the configured rates ({@link
 * PacingConfig}), the warm-up cap ({@link WarmupSchedule}), the control topic ({@link
 * PacingControl}), hot-domain splitting ({@link ThrottleKey}) and AIMD back-off ({@link Aimd}) are
 * combined, so that the Flink throttle only loads state, asks, and stores.
 *
 * <pre>
 * pool ceiling   = paused ? 0 : min(SET_RATE(pool) or pacing.pool.&lt;pool&gt;.rate, warm-up cap now)
 * domain ceiling = paused ? 0 : SET_RATE(pool, domain) or pacing.pool.&lt;pool&gt;.domain.&lt;d&gt;.rate
 * key ceiling    = min(domain ceiling / splits(domain), pool ceiling / parallelism)
 * key rate       = min(key ceiling, AIMD rate)      (AIMD's max follows the key ceiling)
 * </pre>
 *
 * <p>The pool ceiling per subtask ({@link #subtaskPoolRate}) is also a limit on the sum of all keys
 * of that pool in one subtask: the operator keeps one extra token bucket per pool (in operator
 * memory, not keyed state), so a subtask that happens to hold many keys of a pool still sends at
 * most its share.
 *
 * <p>Stateless apart from the configuration; serializable so that a Flink function can hold it.
 */
public final class PacingRules implements Serializable {

    private static final long serialVersionUID = 1L;

    private final PacingConfig config;
    private final int parallelism;

    /**
     * @param config static pacing configuration
     * @param parallelism parallelism of the throttle operator, at least 1
     */
    public PacingRules(PacingConfig config, int parallelism) {
        this.config = Objects.requireNonNull(config, "config");
        if (parallelism < 1) {
            throw new IllegalArgumentException("parallelism must be >= 1, was " + parallelism);
        }
        this.parallelism = parallelism;
    }

    /** The configuration. */
    public PacingConfig config() {
        return config;
    }

    /** The throttle parallelism the pool rate is divided by. */
    public int parallelism() {
        return parallelism;
    }

    /** The throttle key of a job ({@link ThrottleKey#of} with the configured splits). */
    public String keyOf(String pool, String domain, String jobId) {
        return ThrottleKey.of(pool, domain, jobId, config.splitsFor(domain));
    }

    /** The whole pool's rate now (all subtasks): 0 when paused. */
    public double poolRate(String pool, PacingControl control, Instant now) {
        if (control.isPaused(pool, null)) {
            return 0;
        }
        double rate = control.poolRate(pool).orElse(config.poolRate(pool));
        return config.warmup(pool).map(w -> Math.min(rate, w.capPerSecond(now))).orElse(rate);
    }

    /** One subtask's share of {@link #poolRate}. */
    public double subtaskPoolRate(String pool, PacingControl control, Instant now) {
        return ThrottleKey.subtaskPoolShare(poolRate(pool, control, now), parallelism);
    }

    /** The rate from a pool to a whole recipient domain (all its sub-keys): 0 when paused. */
    public double domainRate(String pool, String domain, PacingControl control) {
        if (control.isPaused(pool, domain)) {
            return 0;
        }
        return control.domainRate(pool, domain).orElse(config.domainRate(pool, domain));
    }

    /** The most one sub-key of (pool, domain) may send per second now, before AIMD; 0 = hold. */
    public double keyCeiling(String pool, String domain, PacingControl control, Instant now) {
        double pool_ = poolRate(pool, control, now);
        double domain_ = domainRate(pool, domain, control);
        if (pool_ <= 0 || domain_ <= 0) {
            return 0;
        }
        return ThrottleKey.effectiveRate(pool_, domain_, config.splitsFor(domain), parallelism);
    }

    /**
     * The rate a key sends at now: its ceiling, lowered by AIMD back-off. Moves the AIMD maximum to
     * the ceiling first (a lower ceiling caps the rate at once; a higher one is climbed to
     * additively), so call it whenever the key is about to send.
     *
     * @return tokens per second for the key's {@link TokenBucket}; 0 means hold everything
     */
    public double keyRate(
            String pool, String domain, PacingControl control, Aimd aimd, Instant now) {
        double ceiling = keyCeiling(pool, domain, control, now);
        if (ceiling <= 0) {
            return 0;
        }
        if (aimd.max() != ceiling) {
            aimd.setMax(ceiling);
        }
        return Math.min(ceiling, aimd.rate());
    }

    /** A fresh AIMD for a key with the default parameters and its current ceiling as maximum. */
    public Aimd newAimd(String pool, String domain, PacingControl control, Instant now) {
        double ceiling = keyCeiling(pool, domain, control, now);
        // A paused key still needs a positive maximum; the real one is set on the first keyRate.
        return Aimd.withDefaults(ceiling > 0 ? ceiling : Math.max(config.poolRate(pool), 1e-3));
    }
}
