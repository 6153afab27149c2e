package io.sendline.edge.webhooks.ses;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.RelayEvent.Provider;
import io.sendline.schemas.RelayEvent.Type;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalises SES notifications (the JSON in an SNS Message: event publishing with {@code
 * eventType}, or feedback notifications with {@code notificationType}) into relay events: Bounce,
 * Complaint, Delivery, DeliveryDelay, Open, Click and Reject. One event per affected recipient; the
 * event id is the SNS MessageId (suffixed {@code #n} when there are several recipients). The job id
 * comes from the message tag {@code sendline-job-id} or the {@code X-Sendline-Job-Id} header.
 */
public final class SesEventMapper {

    /** Message tag the SES relay sets. */
    public static final String JOB_ID_TAG = "sendline-job-id";

    /** Header composition sets. */
    public static final String JOB_ID_HEADER = "X-Sendline-Job-Id";

    private static final int MAX_TEXT = 1000;

    private final MachineOpenDetector machine;

    public SesEventMapper(MachineOpenDetector machine) {
        this.machine = machine;
    }

    /** The relay events of one notification; empty for types that carry nothing to record. */
    public List<RelayEvent> map(String snsMessageId, JsonNode n, Instant receivedAt) {
        String kind = Webhooks.text(n, "eventType");
        if (kind == null) {
            kind = Webhooks.text(n, "notificationType");
        }
        if (kind == null) {
            throw new IllegalArgumentException("not an SES notification: no eventType");
        }
        JsonNode mail = n.path("mail");
        String providerMessageId = Webhooks.text(mail, "messageId");
        String jobId = jobId(mail);
        List<RelayEvent> out = new ArrayList<>();
        switch (kind) {
            case "Bounce" -> {
                JsonNode b = n.path("bounce");
                String type = bounceType(Webhooks.text(b, "bounceType"));
                String subType = Webhooks.text(b, "bounceSubType");
                Instant at = Webhooks.instant(Webhooks.text(b, "timestamp"));
                JsonNode rs = b.path("bouncedRecipients");
                for (int i = 0; i < rs.size(); i++) {
                    JsonNode r = rs.get(i);
                    String diag = Webhooks.clip(Webhooks.text(r, "diagnosticCode"), MAX_TEXT);
                    String status = Webhooks.text(r, "status");
                    out.add(
                            event(
                                    snsMessageId,
                                    i,
                                    rs.size(),
                                    Type.BOUNCED,
                                    jobId,
                                    providerMessageId,
                                    Webhooks.text(r, "emailAddress"),
                                    type,
                                    subType,
                                    diag,
                                    status != null
                                            ? Webhooks.enhancedStatus(status)
                                            : Webhooks.enhancedStatus(diag),
                                    null,
                                    null,
                                    false,
                                    at,
                                    receivedAt));
                }
            }
            case "Complaint" -> {
                JsonNode c = n.path("complaint");
                Instant at = Webhooks.instant(Webhooks.text(c, "timestamp"));
                String feedback = Webhooks.text(c, "complaintFeedbackType");
                JsonNode rs = c.path("complainedRecipients");
                for (int i = 0; i < rs.size(); i++) {
                    out.add(
                            event(
                                    snsMessageId,
                                    i,
                                    rs.size(),
                                    Type.COMPLAINED,
                                    jobId,
                                    providerMessageId,
                                    Webhooks.text(rs.get(i), "emailAddress"),
                                    null,
                                    feedback,
                                    null,
                                    null,
                                    null,
                                    Webhooks.text(c, "userAgent"),
                                    false,
                                    at,
                                    receivedAt));
                }
            }
            case "Delivery" -> {
                JsonNode d = n.path("delivery");
                Instant at = Webhooks.instant(Webhooks.text(d, "timestamp"));
                String smtp = Webhooks.clip(Webhooks.text(d, "smtpResponse"), MAX_TEXT);
                JsonNode rs = d.path("recipients");
                for (int i = 0; i < rs.size(); i++) {
                    out.add(
                            event(
                                    snsMessageId,
                                    i,
                                    rs.size(),
                                    Type.DELIVERED,
                                    jobId,
                                    providerMessageId,
                                    rs.get(i).asText(),
                                    null,
                                    null,
                                    smtp,
                                    Webhooks.enhancedStatus(smtp),
                                    null,
                                    null,
                                    false,
                                    at,
                                    receivedAt));
                }
            }
            case "DeliveryDelay" -> {
                JsonNode d = n.path("deliveryDelay");
                Instant at = Webhooks.instant(Webhooks.text(d, "timestamp"));
                String delayType = Webhooks.text(d, "delayType");
                JsonNode rs = d.path("delayedRecipients");
                for (int i = 0; i < rs.size(); i++) {
                    JsonNode r = rs.get(i);
                    String diag = Webhooks.clip(Webhooks.text(r, "diagnosticCode"), MAX_TEXT);
                    String status = Webhooks.text(r, "status");
                    out.add(
                            event(
                                    snsMessageId,
                                    i,
                                    rs.size(),
                                    Type.DELAYED,
                                    jobId,
                                    providerMessageId,
                                    Webhooks.text(r, "emailAddress"),
                                    "TRANSIENT",
                                    delayType,
                                    diag,
                                    status != null
                                            ? Webhooks.enhancedStatus(status)
                                            : Webhooks.enhancedStatus(diag),
                                    null,
                                    null,
                                    false,
                                    at,
                                    receivedAt));
                }
            }
            case "Open" -> {
                JsonNode o = n.path("open");
                String ua = Webhooks.text(o, "userAgent");
                out.add(
                        event(
                                snsMessageId,
                                0,
                                1,
                                Type.OPENED,
                                jobId,
                                providerMessageId,
                                firstDestination(mail),
                                null,
                                null,
                                null,
                                null,
                                null,
                                ua,
                                machine.isMachine(ua, Webhooks.text(o, "ipAddress")),
                                Webhooks.instant(Webhooks.text(o, "timestamp")),
                                receivedAt));
            }
            case "Click" -> {
                JsonNode c = n.path("click");
                out.add(
                        event(
                                snsMessageId,
                                0,
                                1,
                                Type.CLICKED,
                                jobId,
                                providerMessageId,
                                firstDestination(mail),
                                null,
                                null,
                                null,
                                null,
                                Webhooks.clip(Webhooks.text(c, "link"), 4096),
                                Webhooks.text(c, "userAgent"),
                                false,
                                Webhooks.instant(Webhooks.text(c, "timestamp")),
                                receivedAt));
            }
            case "Reject" -> {
                String reason = Webhooks.text(n.path("reject"), "reason");
                out.add(
                        event(
                                snsMessageId,
                                0,
                                1,
                                Type.REJECTED,
                                jobId,
                                providerMessageId,
                                firstDestination(mail),
                                null,
                                null,
                                reason,
                                null,
                                null,
                                null,
                                false,
                                Webhooks.instant(Webhooks.text(mail, "timestamp")),
                                receivedAt));
            }
            default -> {
                // Send, Rendering Failure, Subscription...: nothing to normalise.
            }
        }
        return out;
    }

    private static RelayEvent event(
            String messageId,
            int index,
            int count,
            Type type,
            String jobId,
            String providerMessageId,
            String recipient,
            String bounceType,
            String subType,
            String diagnostic,
            String enhanced,
            String url,
            String userAgent,
            boolean machineOpen,
            Instant at,
            Instant receivedAt) {
        return new RelayEvent(
                count > 1 ? messageId + "#" + index : messageId,
                Provider.SES,
                type,
                jobId,
                providerMessageId,
                recipient,
                bounceType,
                subType,
                diagnostic,
                enhanced,
                url,
                userAgent,
                machineOpen,
                at == null ? receivedAt : at,
                receivedAt);
    }

    static String bounceType(String sesType) {
        if (sesType == null) {
            return "UNDETERMINED";
        }
        return switch (sesType.toLowerCase(Locale.ROOT)) {
            case "permanent" -> "PERMANENT";
            case "transient" -> "TRANSIENT";
            default -> "UNDETERMINED";
        };
    }

    static String jobId(JsonNode mail) {
        JsonNode tag = mail.path("tags").path(JOB_ID_TAG);
        if (tag.isArray() && tag.size() > 0 && tag.get(0).isTextual()) {
            return tag.get(0).textValue();
        }
        JsonNode headers = mail.path("headers");
        for (int i = 0; i < headers.size(); i++) {
            JsonNode h = headers.get(i);
            if (JOB_ID_HEADER.equalsIgnoreCase(Webhooks.text(h, "name"))) {
                return Webhooks.text(h, "value");
            }
        }
        return null;
    }

    private static String firstDestination(JsonNode mail) {
        JsonNode d = mail.path("destination");
        return d.isArray() && d.size() > 0 ? d.get(0).asText() : null;
    }
}
