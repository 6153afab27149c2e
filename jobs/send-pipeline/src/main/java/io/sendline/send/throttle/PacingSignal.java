package io.sendline.send.throttle;

/**
 * Feedback from dispatch to the throttle: a relay deferred a message (the recipient's server said
 * 4xx) or throttled the pool. The throttle slows the domain (deferral) or the whole pool (relay
 * throttling) by AIMD and speeds up again on its own when no more signals come.
 *
 * <p>Signals are advisory and carry their own time, so the throttle applies them the same way on
 * every subtask whatever the arrival order or delay; a lost or repeated signal only changes pacing
 * a little, never what is sent.
 *
 * @param pool sending pool
 * @param domain recipient domain for a deferral; null when the whole pool is meant
 * @param kind what happened
 * @param atMillis when dispatch saw it (epoch millis)
 */
public record PacingSignal(String pool, String domain, Kind kind, long atMillis) {

    /** What the relay said. */
    public enum Kind {
        /** The recipient's domain deferred (SMTP 4xx): slow that domain. */
        DEFERRED,
        /** The relay throttled us, or did not answer: slow the pool. */
        THROTTLED
    }

    /** A domain deferral. */
    public static PacingSignal deferred(String pool, String domain, long atMillis) {
        return new PacingSignal(pool, domain, Kind.DEFERRED, atMillis);
    }

    /** Pool-wide throttling. */
    public static PacingSignal throttled(String pool, long atMillis) {
        return new PacingSignal(pool, null, Kind.THROTTLED, atMillis);
    }

    /** The Kafka key: pool and domain, so one scope's signals stay in order. */
    public String scope() {
        return domain == null ? pool : pool + "|" + domain;
    }
}
