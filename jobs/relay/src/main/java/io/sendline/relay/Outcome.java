package io.sendline.relay;

/** What a relay's answer means for the pipeline: retry, suppress, or slow down. */
public enum Outcome {
    /** Accepted by the relay. */
    ACCEPTED,
    /**
     * Temporary failure for this message (SMTP 4xx, 4.x.x, timeouts, connection errors): retry
     * later.
     */
    RETRYABLE,
    /**
     * The relay or pool is throttling us (e.g. SES "Maximum sending rate exceeded"): slow the pool
     * and retry.
     */
    THROTTLED,
    /**
     * Permanent failure of the recipient (5.1.1 bad mailbox ...): a hard bounce, suppress the
     * address.
     */
    PERMANENT_RECIPIENT,
    /**
     * Permanent failure that is not the recipient's fault (policy 5.7.1, bad config, rejected
     * content): fail the job, do not suppress.
     */
    PERMANENT_POLICY;

    /** True for outcomes that may succeed if tried again later. */
    public boolean retryable() {
        return this == RETRYABLE || this == THROTTLED;
    }

    /** True when the recipient must be suppressed (a hard bounce): only PERMANENT_RECIPIENT. */
    public boolean suppressesRecipient() {
        return this == PERMANENT_RECIPIENT;
    }

    /**
     * True when the answer is a pool-level signal (the relay or a receiving provider is limiting
     * our rate): the pipeline's throttle should slow the pool down, not just this message.
     */
    public boolean throttlesPool() {
        return this == THROTTLED;
    }
}
