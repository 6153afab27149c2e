package io.sendline.send.throttle;

import io.sendline.common.throttle.PacingConfig;
import io.sendline.common.throttle.ThrottleKey;
import io.sendline.schemas.EmailJob;
import java.util.Objects;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * The key of the throttle stage: {@code pool|domain|subKey} ({@link ThrottleKey}). The sub-key is a
 * stable hash of the job id over the domain's configured splits, so it is computed here, before the
 * {@code keyBy}, deterministically (a replayed or retried job lands on the same sub-key).
 *
 * <p>Use {@code jobs.keyBy(new ThrottleKeySelector(pacing))}, or {@link #keyOf} where only the
 * string is needed.
 */
public final class ThrottleKeySelector implements KeySelector<EmailJob, String> {

    private static final long serialVersionUID = 1L;

    private final PacingConfig pacing;

    public ThrottleKeySelector(PacingConfig pacing) {
        this.pacing = Objects.requireNonNull(pacing, "pacing config");
    }

    /** The throttle key of a job. */
    public static String keyOf(EmailJob job, PacingConfig pacing) {
        String domain = job.recipientDomain();
        return ThrottleKey.of(job.pool(), domain, job.jobId(), pacing.splitsFor(domain));
    }

    @Override
    public String getKey(EmailJob job) {
        return keyOf(job, pacing);
    }
}
