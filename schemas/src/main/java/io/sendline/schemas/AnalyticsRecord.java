package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One window of counts for one dimension: the payload of {@code email.analytics}, keyed {@code
 * dimension:key:windowStart}.
 *
 * @param dimension what is counted per
 * @param key value of the dimension (campaign id, pool, recipient domain)
 * @param windowStart inclusive start
 * @param windowEnd exclusive end
 * @param sent SENT events
 * @param delivered DELIVERED events
 * @param bounced BOUNCED events
 * @param complained COMPLAINED events
 * @param deferred DEFERRED events
 * @param failed FAILED events
 * @param suppressed SUPPRESSED events
 * @param opened OPENED events (all)
 * @param machineOpened OPENED events flagged as proxy prefetches
 * @param clicked CLICKED events
 * @param unsubscribed UNSUBSCRIBED events
 * @param bounceRate bounced / sent in this window (0 when nothing was sent)
 * @param complaintRate complained / delivered in this window
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AnalyticsRecord(
        Dimension dimension,
        String key,
        Instant windowStart,
        Instant windowEnd,
        long sent,
        long delivered,
        long bounced,
        long complained,
        long deferred,
        long failed,
        long suppressed,
        long opened,
        long machineOpened,
        long clicked,
        long unsubscribed,
        double bounceRate,
        double complaintRate) {

    /** What the counts are grouped by. */
    public enum Dimension {
        CAMPAIGN,
        POOL,
        DOMAIN
    }
}
