package io.sendline.send.events;

import io.sendline.schemas.EmailEvent;
import java.time.Instant;

/**
 * An {@link EmailEvent} together with the few facts of its job that the PostgreSQL {@code
 * email_job} row needs and the event must not carry (the event feeds analytics, so it holds the
 * recipient's domain only). Every stage of the send pipeline emits its events in this form (side
 * output {@link Events#TAG}, or inside {@link SendOutcome} from dispatch); the wiring splits it
 * into the {@code email.events} record and the status upsert.
 *
 * @param event the event as published on {@code email.events}
 * @param toAddress recipient address (for the status row only; never logged)
 * @param fromAddress sender address
 * @param templateId template id, or null for inline content
 * @param templateVersion pinned template version, or null
 * @param scheduledAt scheduled time, or null
 * @param createdAt when the job was accepted, or null
 */
public record JobEvent(
        EmailEvent event,
        String toAddress,
        String fromAddress,
        String templateId,
        Integer templateVersion,
        Instant scheduledAt,
        Instant createdAt) {}
