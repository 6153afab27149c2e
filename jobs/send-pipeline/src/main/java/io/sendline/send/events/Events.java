package io.sendline.send.events;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * Builds the events the send pipeline publishes. Event ids are deterministic ({@code
 * jobId/attempt/TYPE}) so that an event re-emitted after a restore (its first copy was in an
 * aborted Kafka transaction, or a consumer saw both) carries the same id and consumers can
 * deduplicate by it. Events carry the recipient's domain, never the address; the address travels
 * beside the event in {@link JobEvent} for the PostgreSQL status row only.
 */
public final class Events {

    /** Side output every stage writes its events to. */
    public static final OutputTag<JobEvent> TAG =
            new OutputTag<>("events", TypeInformation.of(JobEvent.class));

    private Events() {}

    /** The deterministic id of an event of a job attempt. */
    public static String eventId(String jobId, int attempt, EmailEventType type) {
        return jobId + "/" + attempt + "/" + type.name();
    }

    /** An event without relay details (QUEUED, SCHEDULED, CANCELLED, SUPPRESSED, FAILED...). */
    public static JobEvent of(EmailJob job, EmailEventType type, String reason, Instant at) {
        return of(job, type, null, null, reason, at);
    }

    /** An event of a job, with relay details (SENT, DEFERRED, FAILED from a relay). */
    public static JobEvent of(
            EmailJob job,
            EmailEventType type,
            String provider,
            String providerMessageId,
            String reason,
            Instant at) {
        EmailEvent e =
                new EmailEvent(
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
        return new JobEvent(
                e,
                job.to(),
                job.from(),
                job.templateId(),
                job.templateVersion(),
                job.scheduledAt(),
                job.createdAt());
    }
}
