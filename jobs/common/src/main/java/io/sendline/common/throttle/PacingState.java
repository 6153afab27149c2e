package io.sendline.common.throttle;

/**
 * The runtime pacing state of one throttle key, as a plain POJO of primitives so that Flink stores
 * it with its POJO serializer (cheap, schema-evolvable) instead of Kryo. It holds only what changes
 * at runtime; the configuration ({@link PacingConfig}, AIMD parameters) is not copied into every
 * key's state.
 *
 * <p>Use: load the state, {@link #bucket} and {@link #aimd} turn it into working objects, and
 * {@link #save} writes them back.
 *
 * <pre>{@code
 * PacingState s = state.value() != null ? state.value() : PacingState.initial(maxRate);
 * Aimd aimd = s.aimd(Aimd.withDefaults(maxRate));
 * TokenBucket bucket = s.bucket(Math.min(aimd.rate(), cap), burst);
 * long wait = bucket.tryAcquire(now);
 * s.save(bucket, aimd);
 * state.update(s);
 * }</pre>
 */
public class PacingState {

    /** Tokens in the bucket at {@link #lastRefillMillis}. */
    public double tokens;

    /** Last refill, epoch millis; {@link Long#MIN_VALUE} when never used. */
    public long lastRefillMillis = Long.MIN_VALUE;

    /** AIMD rate per second; 0 or less means not yet set (start at the maximum). */
    public double aimdRate;

    /** Last AIMD decrease, epoch millis. */
    public long lastDecreaseMillis = Long.MIN_VALUE;

    /** Last AIMD increase, epoch millis. */
    public long lastIncreaseMillis = Long.MIN_VALUE;

    /** For Flink's POJO serializer. */
    public PacingState() {}

    /** A fresh state: a full bucket of {@code burst} tokens and no AIMD history. */
    public static PacingState initial(double burst) {
        PacingState s = new PacingState();
        s.tokens = burst;
        return s;
    }

    /** A token bucket at {@code ratePerSecond} continuing from this state. */
    public TokenBucket bucket(double ratePerSecond, double burst) {
        return TokenBucket.restore(ratePerSecond, burst, tokens, lastRefillMillis);
    }

    /** Restores {@code fresh} (configured, not yet used) from this state and returns it. */
    public Aimd aimd(Aimd fresh) {
        return aimdRate > 0
                ? fresh.restore(aimdRate, lastDecreaseMillis, lastIncreaseMillis)
                : fresh;
    }

    /** Copies the dynamic parts of both back into this state. */
    public PacingState save(TokenBucket bucket, Aimd aimd) {
        if (bucket != null) {
            tokens = bucket.tokens();
            lastRefillMillis = bucket.lastRefillMillis();
        }
        if (aimd != null) {
            aimdRate = aimd.rate();
            lastDecreaseMillis = aimd.lastDecreaseMillis();
            lastIncreaseMillis = aimd.lastIncreaseMillis();
        }
        return this;
    }

    @Override
    public String toString() {
        return "PacingState{tokens="
                + tokens
                + ", lastRefillMillis="
                + lastRefillMillis
                + ", aimdRate="
                + aimdRate
                + "}";
    }
}
