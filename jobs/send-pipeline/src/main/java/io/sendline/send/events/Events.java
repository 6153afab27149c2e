package io.sendline.send.events;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Builds the {@link EmailEvent}s the send pipeline publishes. Event ids are deterministic ({@code
 * jobId/attempt/TYPE}) so that an event re-emitted after a restore (its first copy was in an
 * aborted Kafka transaction, or a consumer saw both) carries the same id and consumers can
 * deduplicate by it. Events carry the recipient's domain, never the address.
 */
public final class Events {

    /** Side output every stage writes its events to. */
    public static final OutputTag<EmailEvent> TAG =
            new OutputTag<>("events", TypeInformation.of(EmailEvent.class));

    private Events() {}

    /** The deterministic id of an event of a job attempt. */
    public static String eventId(String jobId, int attempt, EmailEventType type) {
        return jobId + "/" + attempt + "/" + type.name();
    }

    /** An event without relay details (QUEUED, SCHEDULED, CANCELLED, SUPPRESSED, FAILED...). */
    public static EmailEvent of(EmailJob job, EmailEventType type, String reason, Instant at) {
        return of(job, type, null, null, reason, at);
    }

    /** An event of a job. */
    public static EmailEvent of(
            EmailJob job,
            EmailEventType type,
            String provider,
            String providerMessageId,
            String reason,
            Instant at) {
        return new EmailEvent(
                eventId(job.jobId(), job.attempt(), type),
                job.jobId(),
                type,
                job.type(),
                job.pool(),
                job.campaignId(),
                job.recipientDomain(),
                provider,
                providerMessageId,
                reason,
                job.attempt(),
                job.tags(),
                job.metadata(),
                at);
    }
}
