package io.sendline.schemas;

/**
 * The topic catalogue: every Kafka topic Sendline reads or writes, its key, whether it is
 * compacted, its payload and who writes and reads it. Names are the defaults; deployments may
 * prefix them (see {@link #name(String)}). {@code docs/topics.md} shows this catalogue as a table
 * rendered by {@link TopicCatalogue}; a test keeps the two identical.
 */
public enum Topics {
    JOBS_TRANSACTIONAL(
            "email.jobs.transactional",
            "jobId",
            false,
            EmailJob.class,
            "edge (`POST /v1/emails`, type transactional)",
            "send-pipeline"),
    JOBS_MARKETING(
            "email.jobs.marketing",
            "jobId",
            false,
            EmailJob.class,
            "edge (`POST /v1/emails`, type marketing), campaign-expander",
            "send-pipeline"),
    JOBS_RETRY(
            "email.jobs.retry",
            "jobId",
            false,
            EmailJob.class,
            "send-pipeline (deferred jobs, next attempt)",
            "send-pipeline"),
    JOBS_CANCELLATIONS(
            "email.jobs.cancellations",
            "jobId",
            false,
            CancelRequest.class,
            "edge (cancel a scheduled email)",
            "send-pipeline (scheduler)"),
    TEMPLATES(
            "email.templates",
            "templateId:version",
            true,
            EmailTemplate.class,
            "edge (templates API)",
            "send-pipeline (render, broadcast)"),
    SUPPRESSIONS(
            "email.suppressions",
            "normalised address",
            true,
            SuppressionChange.class,
            "edge (suppressions API, one-click unsubscribe), event-aggregation (bounces,"
                    + " complaints)",
            "send-pipeline (suppression check)"),
    CONTROL(
            "email.control",
            "ControlCommand.scopeKey()",
            true,
            ControlCommand.class,
            "operators, event-aggregation (reputation breaker)",
            "send-pipeline (throttle, broadcast)"),
    RELAY_EVENTS(
            "email.relay-events",
            "jobId (or provider message id)",
            false,
            RelayEvent.class,
            "edge (relay webhooks, open/click tracking)",
            "event-aggregation"),
    EVENTS(
            "email.events",
            "jobId",
            false,
            EmailEvent.class,
            "send-pipeline (QUEUED … SENT, FAILED, SUPPRESSED), event-aggregation (DELIVERED,"
                    + " BOUNCED, COMPLAINED, OPENED, CLICKED, UNSUBSCRIBED)",
            "event-aggregation, analysts"),
    ANALYTICS(
            "email.analytics",
            "dimension:key:windowStart",
            false,
            AnalyticsRecord.class,
            "event-aggregation (windowed aggregates)",
            "analysts, dashboards"),
    CAMPAIGNS(
            "email.campaigns",
            "campaignId",
            false,
            CampaignLaunch.class,
            "edge / operators (campaign launch)",
            "campaign-expander"),
    DEAD_LETTER(
            "email.dead-letter",
            "original key",
            false,
            DeadLetter.class,
            "every job (records it cannot use, with the reason)",
            "operators");

    private final String topic;
    private final String key;
    private final boolean compacted;
    private final Class<?> payload;
    private final String producers;
    private final String consumers;

    Topics(
            String topic,
            String key,
            boolean compacted,
            Class<?> payload,
            String producers,
            String consumers) {
        this.topic = topic;
        this.key = key;
        this.compacted = compacted;
        this.payload = payload;
        this.producers = producers;
        this.consumers = consumers;
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

    /** Who writes the topic (components, for the catalogue in docs/topics.md). */
    public String producers() {
        return producers;
    }

    /** Who reads the topic (components, for the catalogue in docs/topics.md). */
    public String consumers() {
        return consumers;
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
        // Not Schemas.nameOf: that would load the JSON Schema library just to name a file.
        return PayloadNames.kebabCase(payload);
    }
}
