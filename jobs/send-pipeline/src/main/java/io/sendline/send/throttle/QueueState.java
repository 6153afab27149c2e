package io.sendline.send.throttle;

/**
 * Keyed state of one throttle key besides its waiting jobs: the bounds of the FIFO of waiting jobs
 * (sequence numbers {@code head .. tail-1} in a map state), the key's token bucket, and the timers
 * it has registered. A POJO of primitives for Flink's POJO serializer.
 */
public class QueueState {

    /** Sequence number of the oldest waiting job. */
    public long head;

    /** Sequence number the next waiting job gets. */
    public long tail;

    /** Tokens of the key's bucket at {@link #lastRefillMillis}. */
    public double tokens;

    /** Last bucket refill, epoch millis; {@link Long#MIN_VALUE} before the first use. */
    public long lastRefillMillis = Long.MIN_VALUE;

    /** Time of the registered release timer, 0 when none. */
    public long timerAt;

    /** Time of the registered clean-up timer, 0 when none. */
    public long cleanupAt;

    /** For Flink's POJO serializer. */
    public QueueState() {}

    /** Number of waiting jobs. */
    public long size() {
        return tail - head;
    }
}
