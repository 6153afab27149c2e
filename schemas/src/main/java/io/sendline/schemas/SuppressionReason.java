package io.sendline.schemas;

/** Why an address is suppressed. Hard bounces and complaints are permanent and block every type. */
public enum SuppressionReason {
    HARD_BOUNCE,
    COMPLAINT,
    /** Soft bounces that exhausted their retries (3 over 24 h). */
    SOFT_BOUNCE_LIMIT,
    /** Recipient unsubscribed: blocks marketing only. */
    UNSUBSCRIBE,
    /** Added by an operator. */
    MANUAL;

    /** True when this reason blocks mail of the given type. */
    public boolean blocks(EmailType type) {
        return this != UNSUBSCRIBE || type == EmailType.MARKETING;
    }

    /** Complaints and hard bounces are never removed. */
    public boolean removable() {
        return this == UNSUBSCRIBE || this == MANUAL;
    }
}
