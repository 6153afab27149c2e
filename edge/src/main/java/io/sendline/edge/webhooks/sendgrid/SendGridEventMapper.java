package io.sendline.edge.webhooks.sendgrid;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.RelayEvent.Provider;
import io.sendline.schemas.RelayEvent.Type;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Normalises SendGrid Event Webhook events (a JSON array). {@code processed} is skipped; {@code
 * bounce} with type {@code blocked} is a transient bounce, otherwise permanent; {@code
 * sg_machine_open} or the machine-open heuristics flag opens. The job id comes from the custom
 * argument {@code sendline_job_id} (or {@code sendline-job-id}) echoed at the top level of each
 * event; the event id is {@code sg_event_id}.
 */
public final class SendGridEventMapper {

    private final MachineOpenDetector machine;

    public SendGridEventMapper(MachineOpenDetector machine) {
        this.machine = machine;
    }

    public List<RelayEvent> map(JsonNode array, Instant receivedAt) {
        if (!array.isArray()) {
            throw new IllegalArgumentException("SendGrid posts a JSON array of events");
        }
        List<RelayEvent> out = new ArrayList<>(array.size());
        for (JsonNode e : array) {
            RelayEvent r = map1(e, receivedAt);
            if (r != null) {
                out.add(r);
            }
        }
        return out;
    }

    private RelayEvent map1(JsonNode e, Instant receivedAt) {
        String event = Webhooks.text(e, "event");
        if (event == null) {
            return null;
        }
        Type type;
        String bounceType = null;
        String subType = null;
        String diag = null;
        switch (event) {
            case "delivered" -> {
                type = Type.DELIVERED;
                diag = Webhooks.text(e, "response");
            }
            case "deferred" -> {
                type = Type.DELAYED;
                bounceType = "TRANSIENT";
                diag = Webhooks.text(e, "response");
            }
            case "bounce" -> {
                type = Type.BOUNCED;
                String t = Webhooks.text(e, "type");
                bounceType = "blocked".equals(t) ? "TRANSIENT" : "PERMANENT";
                subType = Webhooks.text(e, "bounce_classification");
                if (subType == null) {
                    subType = t;
                }
                diag = Webhooks.text(e, "reason");
            }
            case "dropped" -> {
                type = Type.REJECTED;
                diag = Webhooks.text(e, "reason");
            }
            case "spamreport" -> type = Type.COMPLAINED;
            case "open" -> type = Type.OPENED;
            case "click" -> type = Type.CLICKED;
            case "unsubscribe", "group_unsubscribe" -> type = Type.UNSUBSCRIBED;
            default -> {
                return null;
            }
        }
        diag = Webhooks.clip(diag, 1000);
        String status = Webhooks.text(e, "status");
        String enhanced =
                status != null ? Webhooks.enhancedStatus(status) : Webhooks.enhancedStatus(diag);
        String ua = Webhooks.text(e, "useragent");
        boolean machineOpen =
                type == Type.OPENED
                        && (e.path("sg_machine_open").asBoolean(false)
                                || machine.isMachine(ua, Webhooks.text(e, "ip")));
        String jobId = Webhooks.text(e, "sendline_job_id");
        if (jobId == null) {
            jobId = Webhooks.text(e, "sendline-job-id");
        }
        String eventId = Webhooks.text(e, "sg_event_id");
        if (eventId == null) {
            eventId = "sha256:" + sha256(e.toString());
        }
        Instant at = Webhooks.epochSeconds(e.get("timestamp"));
        return new RelayEvent(
                eventId,
                Provider.SENDGRID,
                type,
                jobId,
                Webhooks.text(e, "sg_message_id"),
                Webhooks.text(e, "email"),
                bounceType,
                subType,
                diag,
                enhanced,
                type == Type.CLICKED ? Webhooks.clip(Webhooks.text(e, "url"), 4096) : null,
                ua,
                machineOpen,
                at == null ? receivedAt : at,
                receivedAt);
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
