package io.sendline.send.schedule;

import io.sendline.schemas.EmailJob;
import java.time.Instant;

/** When a job may be handed on: the later of its scheduled time and its retry not-before time. */
public final class Schedule {

    private Schedule() {}

    /** Epoch millis before which the job must wait, or {@link Long#MIN_VALUE} for "now". */
    public static long dueMillis(EmailJob job) {
        return Math.max(millis(job.scheduledAt()), millis(job.notBefore()));
    }

    /** True when the job must wait at {@code nowMillis}. */
    public static boolean mustWait(EmailJob job, long nowMillis) {
        return dueMillis(job) > nowMillis;
    }

    private static long millis(Instant t) {
        return t == null ? Long.MIN_VALUE : t.toEpochMilli();
    }
}
