package io.sendline.send.dispatch;

import io.sendline.common.retry.RetryPolicy;
import io.sendline.schemas.EmailType;
import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/**
 * What one lane's dispatch needs besides its resources.
 *
 * @param lane transactional or marketing
 * @param inDoubt what to do with a job whose earlier try is in doubt
 * @param retry short (in-operator) and long (retry topic) retry rule
 * @param timeoutMillis the async timeout of one job's whole dispatch; short retries that would not
 *     fit in it go to the retry topic instead
 * @param drainMillis on close, how long to wait for sends in flight to be recorded in the ledger
 * @param metricDomains domains with their own metric label
 */
public record DispatchSettings(
        EmailType lane,
        InDoubtPolicy inDoubt,
        RetryPolicy retry,
        long timeoutMillis,
        long drainMillis,
        Set<String> metricDomains)
        implements Serializable {

    public DispatchSettings {
        Objects.requireNonNull(lane, "lane");
        Objects.requireNonNull(inDoubt, "inDoubt");
        Objects.requireNonNull(retry, "retry");
        if (timeoutMillis < 1 || drainMillis < 0) {
            throw new IllegalArgumentException("timeout must be >= 1 ms and drain >= 0");
        }
        metricDomains = Set.copyOf(metricDomains);
    }

    /** Time kept free before the timeout for the last try's relay call and ledger write. */
    long reserveMillis() {
        return Math.min(5_000, timeoutMillis / 4);
    }
}
