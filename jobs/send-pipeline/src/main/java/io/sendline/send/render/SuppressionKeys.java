package io.sendline.send.render;

import io.sendline.common.address.Addresses;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.SuppressionChange;
import org.apache.flink.api.java.functions.KeySelector;

/**
 * Keys of the suppression check: the {@link io.sendline.common.suppression.SuppressionIndex} bucket
 * of an address's 64-bit hash (its top bits), so that a job and every change to its recipient's
 * suppression meet in the same subtask and the same keyed state. An address that does not normalise
 * goes to bucket 0 (the job is failed there, the change counted as invalid).
 */
public final class SuppressionKeys {

    private SuppressionKeys() {}

    /** The bucket of an address, for {@code buckets} buckets (a power of two). */
    public static int bucketOf(String address, int buckets) {
        int bits = Integer.numberOfTrailingZeros(buckets);
        if (bits == 0) {
            return 0;
        }
        long hash;
        try {
            hash = Addresses.hash64(Addresses.normalise(address));
        } catch (RuntimeException e) {
            return 0;
        }
        return (int) (hash >>> (64 - bits));
    }

    /** Key selector of jobs: their recipient's bucket. */
    public static KeySelector<EmailJob, Integer> ofJobs(int buckets) {
        return job -> bucketOf(job.to(), buckets);
    }

    /** Key selector of suppression changes: their address's bucket. */
    public static KeySelector<SuppressionChange, Integer> ofChanges(int buckets) {
        return change -> bucketOf(change.address(), buckets);
    }
}
