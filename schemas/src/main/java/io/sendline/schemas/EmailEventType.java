package io.sendline.schemas;

/**
 * Lifecycle of one email. The order of the constants is the order of job status: a status only
 * moves forward (see {@link #rank()}).
 */
public enum EmailEventType {
    QUEUED(0),
    SCHEDULED(1),
    DEFERRED(2),
    CANCELLED(5),
    SUPPRESSED(5),
    FAILED(5),
    SENT(4),
    DELIVERED(6),
    BOUNCED(7),
    COMPLAINED(8),
    OPENED(-1),
    CLICKED(-1),
    UNSUBSCRIBED(-1);

    private final int rank;

    EmailEventType(int rank) {
        this.rank = rank;
    }

    /** Status rank; engagement events (rank -1) never change the job status. */
    public int rank() {
        return rank;
    }

    /** True when this event changes the job status. */
    public boolean isStatus() {
        return rank >= 0;
    }
}
