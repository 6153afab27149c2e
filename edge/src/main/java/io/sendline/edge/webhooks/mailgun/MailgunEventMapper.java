package io.sendline.edge.webhooks.mailgun;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.RelayEvent.Provider;
import io.sendline.schemas.RelayEvent.Type;
import java.time.Instant;

/**
 * Normalises one Mailgun {@code event-data} object. {@code failed} with severity {@code permanent}
 * is a permanent bounce; {@code temporary} is a delay (Mailgun retries). The delivery status keeps
 * its message/description (diagnostic) and {@code enhanced-code}. The job id comes from the user
 * variable {@code sendline-job-id} (set through {@code X-Mailgun-Variables}); the event id is
 * {@code event-data.id}.
 */
public final class MailgunEventMapper {

    private final MachineOpenDetector machine;

    public MailgunEventMapper(MachineOpenDetector machine) {
        this.machine = machine;
    }

    /** The event, or null for event types that carry nothing to record (accepted, stored...). */
    public RelayEvent map(JsonNode d, Instant receivedAt) {
        if (d == null || !d.isObject()) {
            throw new IllegalArgumentException("event-data must be an object");
        }
        String event = Webhooks.text(d, "event");
        String id = Webhooks.text(d, "id");
        if (event == null || id == null) {
            throw new IllegalArgumentException("event-data needs event and id");
        }
        JsonNode status = d.path("delivery-status");
        String diag = Webhooks.text(status, "description");
        if (diag == null || diag.isBlank()) {
            diag = Webhooks.text(status, "message");
        }
        diag = Webhooks.clip(diag, 1000);
        String enhanced = Webhooks.text(status, "enhanced-code");
        if (enhanced == null) {
            enhanced = Webhooks.enhancedStatus(diag);
        }
        Type type;
        String bounceType = null;
        String subType = null;
        switch (event) {
            case "delivered" -> type = Type.DELIVERED;
            case "failed" -> {
                boolean permanent = "permanent".equals(Webhooks.text(d, "severity"));
                type = permanent ? Type.BOUNCED : Type.DELAYED;
                bounceType = permanent ? "PERMANENT" : "TRANSIENT";
                subType = Webhooks.text(d, "reason");
            }
            case "rejected" -> {
                type = Type.REJECTED;
                JsonNode reject = d.path("reject");
                if (diag == null) {
                    diag = Webhooks.text(reject, "reason");
                }
            }
            case "complained" -> type = Type.COMPLAINED;
            case "opened" -> type = Type.OPENED;
            case "clicked" -> type = Type.CLICKED;
            case "unsubscribed" -> type = Type.UNSUBSCRIBED;
            default -> {
                return null;
            }
        }
        JsonNode client = d.path("client-info");
        String ua = Webhooks.text(client, "user-agent");
        String ip = Webhooks.text(d, "ip");
        boolean machineOpen = type == Type.OPENED && machine.isMachine(ua, ip);
        JsonNode vars = d.path("user-variables");
        String jobId = Webhooks.text(vars, "sendline-job-id");
        if (jobId == null) {
            jobId = Webhooks.text(vars, "sendline_job_id");
        }
        String messageId = Webhooks.text(d.path("message").path("headers"), "message-id");
        Instant at = Webhooks.epochSeconds(d.get("timestamp"));
        return new RelayEvent(
                id,
                Provider.MAILGUN,
                type,
                jobId,
                messageId,
                Webhooks.text(d, "recipient"),
                bounceType,
                subType,
                type == Type.OPENED || type == Type.CLICKED ? null : diag,
                type == Type.BOUNCED || type == Type.DELAYED ? enhanced : null,
                type == Type.CLICKED ? Webhooks.clip(Webhooks.text(d, "url"), 4096) : null,
                ua,
                machineOpen,
                at == null ? receivedAt : at,
                receivedAt);
    }
}
