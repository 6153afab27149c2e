package io.sendline.schemas;

/**
 * The topic catalogue: every Kafka topic Sendline reads or writes, its key and whether it is
 * compacted. Names are the defaults; deployments may prefix them (see {@link #name(String)}).
 */
public enum Topics {
    JOBS_TRANSACTIONAL("email.jobs.transactional", "jobId", false, EmailJob.class),
    JOBS_MARKETING("email.jobs.marketing", "jobId", false, EmailJob.class),
    JOBS_RETRY("email.jobs.retry", "jobId", false, EmailJob.class),
    JOBS_CANCELLATIONS("email.jobs.cancellations", "jobId", false, CancelRequest.class),
    TEMPLATES("email.templates", "templateId:version", true, EmailTemplate.class),
    SUPPRESSIONS("email.suppressions", "normalised address", true, SuppressionChange.class),
    CONTROL("email.control", "ControlCommand.scopeKey()", true, ControlCommand.class),
    RELAY_EVENTS("email.relay-events", "jobId (or provider message id)", false, RelayEvent.class),
    EVENTS("email.events", "jobId", false, EmailEvent.class),
    ANALYTICS("email.analytics", "dimension:key:windowStart", false, AnalyticsRecord.class),
    CAMPAIGNS("email.campaigns", "campaignId", false, CampaignLaunch.class),
    DEAD_LETTER("email.dead-letter", "original key", false, DeadLetter.class);

    private final String topic;
    private final String key;
    private final boolean compacted;
    private final Class<?> payload;

    Topics(String topic, String key, boolean compacted, Class<?> payload) {
        this.topic = topic;
        this.key = key;
        this.compacted = compacted;
        this.payload = payload;
    }

    /** Default topic name. */
    public String topic() {
        return topic;
    }

    /** Topic name with a deployment prefix (empty prefix: the default name). */
    public String name(String prefix) {
        return prefix == null || prefix.isEmpty() ? topic : prefix + topic;
    }

    /** What the record key is. */
    public String key() {
        return key;
    }

    /** True for log-compacted topics (the last record per key is the state). */
    public boolean compacted() {
        return compacted;
    }

    /** Java type of the payload. */
    public Class<?> payload() {
        return payload;
    }

    /**
     * Name of the payload's JSON Schema for {@link Schemas}, e.g. {@code email-job} (resource
     * {@code schemas/email-job.schema.json}).
     */
    public String schemaName() {
        return Schemas.nameOf(payload);
    }
}
