package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sendline.edge.support.EdgeStack;
import io.sendline.edge.support.Samples;
import io.sendline.edge.support.SnsSigner;
import io.sendline.relay.sandbox.HttpWebhookSink;
import io.sendline.relay.sandbox.SandboxEvent;
import io.sendline.schemas.Json;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Relay webhooks over real HTTP with each provider's sample payloads: authentic calls produce one
 * normalised event each (also when delivered twice); forged, tampered, stale and replayed calls get
 * 401/403 and produce nothing. The sandbox relay's batches go through its real {@link
 * HttpWebhookSink}; a batch is published whole or not at all.
 */
@ExtendWith(EdgeStack.Extension.class)
class WebhooksITCase {

    private static HttpResponse<String> post(String path, byte[] body, String... headers) {
        EdgeStack s = stack();
        HttpRequest.Builder b = s.request(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return s.send(b.build());
    }

    private static List<RelayEvent> events(String jobId) {
        return stack().values(Topics.RELAY_EVENTS, jobId, RelayEvent.class);
    }

    private static String snsBody(ObjectNode n) {
        return Json.toString(n);
    }

    @Test
    void sesBounceThroughSnsIsPublishedOnceEvenWhenDeliveredTwice() {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        String messageId = UUID.randomUUID().toString();
        ObjectNode n =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification(
                                messageId,
                                Samples.load("ses-bounce.json", job),
                                Instant.now().toString(),
                                "2",
                                SnsSigner.CERT_URL);
        byte[] body = snsBody(n).getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> first =
                post(
                        "/webhooks/ses",
                        body,
                        "Content-Type",
                        "text/plain; charset=UTF-8",
                        "x-amz-sns-message-type",
                        "Notification");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(first.body()).contains("\"published\":1");
        HttpResponse<String> again =
                post("/webhooks/ses", body, "Content-Type", "text/plain; charset=UTF-8");
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"published\":0");

        List<RelayEvent> events = events(job);
        assertThat(events).hasSize(1);
        RelayEvent e = events.get(0);
        assertThat(e.eventId()).isEqualTo(messageId);
        assertThat(e.type()).isEqualTo(RelayEvent.Type.BOUNCED);
        assertThat(e.bounceType()).isEqualTo("PERMANENT");
        assertThat(e.bounceSubType()).isEqualTo("General");
        assertThat(e.diagnosticCode()).isEqualTo("smtp; 550 5.1.1 user unknown");
        assertThat(e.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(s.fetchedCertificates).contains(URI.create(SnsSigner.CERT_URL));
    }

    @Test
    void sesEventTypesWithSignatureVersionOne() {
        EdgeStack s = stack();
        for (String sample :
                List.of(
                        "ses-complaint.json",
                        "ses-delivery.json",
                        "ses-delivery-delay.json",
                        "ses-open.json",
                        "ses-click.json")) {
            String job = UUID.randomUUID().toString();
            ObjectNode n =
                    new SnsSigner(s.snsKeys.getPrivate())
                            .notification(
                                    UUID.randomUUID().toString(),
                                    Samples.load(sample, job),
                                    Instant.now().toString(),
                                    "1",
                                    SnsSigner.CERT_URL);
            assertThat(
                            post("/webhooks/ses", snsBody(n).getBytes(StandardCharsets.UTF_8))
                                    .statusCode())
                    .as(sample)
                    .isEqualTo(200);
            assertThat(events(job)).as(sample).hasSize(1);
        }
    }

    @Test
    void forgedTamperedAndMisdirectedSnsCallsProduceNothing() {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        String message = Samples.load("ses-bounce.json", job);
        String ts = Instant.now().toString();
        KeyPair attacker = io.sendline.edge.support.TestCertificates.rsa();

        ObjectNode forged =
                new SnsSigner(attacker.getPrivate())
                        .notification("f-1", message, ts, "1", SnsSigner.CERT_URL);
        assertThat(
                        post("/webhooks/ses", snsBody(forged).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);

        ObjectNode tampered =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification("f-2", message, ts, "1", SnsSigner.CERT_URL);
        tampered.put("Message", message.replace("Permanent", "Transient"));
        assertThat(
                        post("/webhooks/ses", snsBody(tampered).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);

        int fetchedBefore = s.fetchedCertificates.size();
        ObjectNode badCert =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification(
                                "f-3",
                                message,
                                ts,
                                "1",
                                "https://evil.example/sns.us-east-1.amazonaws.com.pem");
        assertThat(
                        post("/webhooks/ses", snsBody(badCert).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);
        ObjectNode httpCert =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification(
                                "f-4",
                                message,
                                ts,
                                "1",
                                "http://sns.us-east-1.amazonaws.com/x.pem");
        assertThat(
                        post("/webhooks/ses", snsBody(httpCert).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);
        assertThat(s.fetchedCertificates).hasSize(fetchedBefore);

        ObjectNode otherTopic =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification("f-5", message, ts, "1", SnsSigner.CERT_URL);
        otherTopic.put("TopicArn", "arn:aws:sns:us-east-1:999999999999:other");
        assertThat(
                        post("/webhooks/ses", snsBody(otherTopic).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);

        ObjectNode stale =
                new SnsSigner(s.snsKeys.getPrivate())
                        .notification(
                                "f-6",
                                message,
                                Instant.now().minusSeconds(7200).toString(),
                                "1",
                                SnsSigner.CERT_URL);
        assertThat(
                        post("/webhooks/ses", snsBody(stale).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);

        assertThat(post("/webhooks/ses", "not json".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(400);
        assertThat(post("/webhooks/ses", new byte[300 * 1024]).statusCode()).isEqualTo(413);
        assertThat(events(job)).isEmpty();
    }

    @Test
    void subscriptionConfirmationIsConfirmedOnlyOnTheSnsHost() {
        EdgeStack s = stack();
        String url =
                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn="
                        + SnsSigner.TOPIC_ARN
                        + "&Token=t1";
        ObjectNode ok =
                new SnsSigner(s.snsKeys.getPrivate())
                        .subscriptionConfirmation("c-1", url, Instant.now().toString());
        assertThat(post("/webhooks/ses", snsBody(ok).getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(200);
        assertThat(s.confirmedSubscriptions).contains(URI.create(url));

        String evil = "https://evil.example/?Action=ConfirmSubscription";
        ObjectNode bad =
                new SnsSigner(s.snsKeys.getPrivate())
                        .subscriptionConfirmation("c-2", evil, Instant.now().toString());
        assertThat(
                        post("/webhooks/ses", snsBody(bad).getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);
        assertThat(s.confirmedSubscriptions).doesNotContain(URI.create(evil));
    }

    private static String sendGridSign(KeyPair keys, String ts, byte[] body) throws Exception {
        Signature sig = Signature.getInstance("SHA256withECDSA");
        sig.initSign(keys.getPrivate());
        sig.update(ts.getBytes(StandardCharsets.UTF_8));
        sig.update(body);
        return Base64.getEncoder().encodeToString(sig.sign());
    }

    @Test
    void sendGridSignedEventsOnceForgedOrStaleNever() throws Exception {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        String suffix = UUID.randomUUID().toString();
        byte[] body =
                Samples.load("sendgrid-events.json", job)
                        .replace("==\"", suffix + "\"")
                        .getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String sig = sendGridSign(s.sendGridKeys, ts, body);
        String[] h = {
            "Content-Type",
            "application/json",
            "X-Twilio-Email-Event-Webhook-Signature",
            sig,
            "X-Twilio-Email-Event-Webhook-Timestamp",
            ts
        };
        HttpResponse<String> r = post("/webhooks/sendgrid", body, h);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(post("/webhooks/sendgrid", body, h).body()).contains("\"published\":0");
        assertThat(events(job)).hasSize(8);

        String job2 = UUID.randomUUID().toString();
        byte[] other = Samples.load("sendgrid-events.json", job2).getBytes(StandardCharsets.UTF_8);
        assertThat(post("/webhooks/sendgrid", other, h).statusCode())
                .as("tampered body")
                .isEqualTo(403);
        String old = String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond());
        assertThat(
                        post(
                                        "/webhooks/sendgrid",
                                        other,
                                        "X-Twilio-Email-Event-Webhook-Signature",
                                        sendGridSign(s.sendGridKeys, old, other),
                                        "X-Twilio-Email-Event-Webhook-Timestamp",
                                        old)
                                .statusCode())
                .as("stale")
                .isEqualTo(403);
        assertThat(
                        post(
                                        "/webhooks/sendgrid",
                                        other,
                                        "X-Twilio-Email-Event-Webhook-Signature",
                                        sendGridSign(
                                                io.sendline.edge.support.TestCertificates.p256(),
                                                ts,
                                                other),
                                        "X-Twilio-Email-Event-Webhook-Timestamp",
                                        ts)
                                .statusCode())
                .as("other key")
                .isEqualTo(403);
        assertThat(post("/webhooks/sendgrid", other).statusCode()).as("unsigned").isEqualTo(401);
        assertThat(events(job2)).isEmpty();
    }

    private static String mailgunBody(
            String sample, String job, String eventId, String ts, String token, byte[] key)
            throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String sig =
                HexFormat.of()
                        .formatHex(mac.doFinal((ts + token).getBytes(StandardCharsets.UTF_8)));
        return Samples.load(sample, job)
                .replace("G9Bn5sl1TC6nu79C8C0bwg", eventId)
                .replace("TIMESTAMP", ts)
                .replace("\"TOKEN\"", "\"" + token + "\"")
                .replace("SIGNATURE", sig);
    }

    @Test
    void mailgunReplayedTokenAndStaleTimestampAreRefused() throws Exception {
        String job = UUID.randomUUID().toString();
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String token = UUID.randomUUID().toString().replace("-", "");
        byte[] body =
                mailgunBody(
                                "mailgun-failed-permanent.json",
                                job,
                                "ev-" + job,
                                ts,
                                token,
                                EdgeStack.MAILGUN_KEY)
                        .getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> r =
                post("/webhooks/mailgun", body, "Content-Type", "application/json");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(post("/webhooks/mailgun", body, "Content-Type", "application/json").statusCode())
                .as("replayed token")
                .isEqualTo(403);
        // The same event delivered again with a fresh token: accepted, but no second event.
        byte[] redelivered =
                mailgunBody(
                                "mailgun-failed-permanent.json",
                                job,
                                "ev-" + job,
                                ts,
                                token + "2",
                                EdgeStack.MAILGUN_KEY)
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(post("/webhooks/mailgun", redelivered).body()).contains("\"published\":0");
        List<RelayEvent> events = events(job);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).enhancedStatus()).isEqualTo("5.1.1");
        assertThat(events.get(0).bounceType()).isEqualTo("PERMANENT");

        String job2 = UUID.randomUUID().toString();
        String stale = String.valueOf(Instant.now().minusSeconds(600).getEpochSecond());
        assertThat(
                        post(
                                        "/webhooks/mailgun",
                                        mailgunBody(
                                                        "mailgun-opened.json",
                                                        job2,
                                                        "e2",
                                                        stale,
                                                        "t-" + job2,
                                                        EdgeStack.MAILGUN_KEY)
                                                .getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);
        assertThat(
                        post(
                                        "/webhooks/mailgun",
                                        mailgunBody(
                                                        "mailgun-opened.json",
                                                        job2,
                                                        "e3",
                                                        ts,
                                                        "u-" + job2,
                                                        "wrong-key-000000000"
                                                                .getBytes(StandardCharsets.UTF_8))
                                                .getBytes(StandardCharsets.UTF_8))
                                .statusCode())
                .isEqualTo(403);
        assertThat(events(job2)).isEmpty();
    }

    private static String sandboxSign(String ts, byte[] body) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(
                new SecretKeySpec(
                        EdgeStack.SANDBOX_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        mac.update(ts.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(mac.doFinal(body));
    }

    @Test
    void sandboxEventsInTheRelayFormat() throws Exception {
        String job = UUID.randomUUID().toString();
        byte[] body =
                ("{\"eventId\":\"sb-"
                                + job
                                + "\",\"type\":\"BOUNCED\",\"jobId\":\""
                                + job
                                + "\",\"providerMessageId\":\"sandbox-1\","
                                + "\"recipient\":\"bounce@simulator.example\",\"bounceType\":\"PERMANENT\",\"bounceSubType\":\"General\","
                                + "\"diagnosticCode\":\"smtp; 550 5.1.1 user unknown\",\"enhancedStatus\":\"5.1.1\",\"timestamp\":\""
                                + Instant.now()
                                + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(Instant.now().getEpochSecond());
        String sig = sandboxSign(ts, body);
        assertThat(
                        post(
                                        "/webhooks/sandbox",
                                        body,
                                        "X-Sendline-Timestamp",
                                        ts,
                                        "X-Sendline-Signature",
                                        sig)
                                .statusCode())
                .isEqualTo(200);
        assertThat(
                        post(
                                        "/webhooks/sandbox",
                                        body,
                                        "X-Sendline-Timestamp",
                                        ts,
                                        "X-Sendline-Signature",
                                        sig)
                                .statusCode())
                .isEqualTo(200);
        List<RelayEvent> events = events(job);
        assertThat(events).hasSize(1);
        assertThat(events.get(0).provider()).isEqualTo(RelayEvent.Provider.SANDBOX);
        assertThat(events.get(0).diagnosticCode()).isEqualTo("smtp; 550 5.1.1 user unknown");

        byte[] tampered =
                new String(body, StandardCharsets.UTF_8)
                        .replace("BOUNCED", "DELIVERED")
                        .getBytes(StandardCharsets.UTF_8);
        assertThat(
                        post(
                                        "/webhooks/sandbox",
                                        tampered,
                                        "X-Sendline-Timestamp",
                                        ts,
                                        "X-Sendline-Signature",
                                        sig)
                                .statusCode())
                .isEqualTo(403);
        assertThat(post("/webhooks/sandbox", tampered).statusCode()).isEqualTo(401);
        assertThat(events(job)).hasSize(1);
    }

    private static HttpResponse<String> sandboxPost(byte[] body, String ts) throws Exception {
        return post(
                "/webhooks/sandbox",
                body,
                "Content-Type",
                "application/json",
                "X-Sendline-Timestamp",
                ts,
                "X-Sendline-Signature",
                sandboxSign(ts, body));
    }

    private static HttpResponse<String> sandboxPost(byte[] body) throws Exception {
        return sandboxPost(body, String.valueOf(Instant.now().getEpochSecond()));
    }

    /** A JSON array of sandbox events {@code <prefix>-<i>} for jobs {@code <prefix>-job-<i>}. */
    private static String sandboxBatch(String prefix, int n) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(sandboxEvent(prefix + "-" + i, prefix + "-job-" + i, "DELIVERED"));
        }
        return b.append(']').toString();
    }

    private static String sandboxEvent(String eventId, String jobId, String type) {
        return "{\"eventId\":\""
                + eventId
                + "\",\"type\":\""
                + type
                + "\",\"jobId\":\""
                + jobId
                + "\",\"providerMessageId\":\"sandbox-"
                + eventId
                + "\",\"timestamp\":\""
                + Instant.now()
                + "\"}";
    }

    private static List<RelayEvent> sandboxEvents(String prefix) {
        return stack().records(Topics.RELAY_EVENTS.topic(), k -> k.startsWith(prefix)).stream()
                .map(r -> Json.fromBytes(r.value(), RelayEvent.class))
                .collect(Collectors.toList());
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void sandboxRelaySinkBatchesArriveAsFewRequestsAndEveryEventLandsOnce() throws Exception {
        String prefix = "sb-batch-" + UUID.randomUUID();
        List<String> eventIds = new ArrayList<>();
        try (HttpWebhookSink sink =
                HttpWebhookSink.builder(
                                URI.create(stack().base() + "/webhooks/sandbox"),
                                EdgeStack.SANDBOX_SECRET)
                        .maxBatch(50)
                        .linger(Duration.ofHours(1))
                        .build()) {
            for (int i = 0; i < 120; i++) {
                SandboxEvent e =
                        new SandboxEvent(
                                prefix + "-ev-" + i,
                                i % 3 == 0
                                        ? SandboxEvent.Type.BOUNCED
                                        : SandboxEvent.Type.DELIVERED,
                                prefix + "-job-" + i,
                                "sandbox-" + i,
                                "success+" + i + "@simulator.sendline.dev",
                                i % 3 == 0 ? "PERMANENT" : null,
                                i % 3 == 0 ? "General" : null,
                                i % 3 == 0 ? "smtp; 550 5.1.1 user unknown" : null,
                                i % 3 == 0 ? "5.1.1" : null,
                                Instant.now());
                eventIds.add(e.eventId());
                sink.publish(e);
            }
            assertThat(sink.flush(Duration.ofSeconds(30))).isTrue();
            assertThat(sink.delivered()).isEqualTo(120);
            assertThat(sink.failed()).isZero();
            // 50 + 50 full batches, the last 20 on flush.
            assertThat(sink.requests()).isEqualTo(3);
        }
        List<RelayEvent> events = sandboxEvents(prefix);
        assertThat(events)
                .extracting(RelayEvent::eventId)
                .containsExactlyInAnyOrderElementsOf(eventIds);
        assertThat(events)
                .allSatisfy(e -> assertThat(e.provider()).isEqualTo(RelayEvent.Provider.SANDBOX));
        RelayEvent bounce =
                events.stream()
                        .filter(e -> e.eventId().equals(prefix + "-ev-3"))
                        .findFirst()
                        .orElseThrow();
        assertThat(bounce.type()).isEqualTo(RelayEvent.Type.BOUNCED);
        assertThat(bounce.jobId()).isEqualTo(prefix + "-job-3");
        assertThat(bounce.enhancedStatus()).isEqualTo("5.1.1");
    }

    @Test
    void sandboxBatchWithAForgedOrMissingSignaturePublishesNothing() throws Exception {
        String prefix = "sb-forged-" + UUID.randomUUID();
        byte[] body = utf8(sandboxBatch(prefix, 5));
        String ts = String.valueOf(Instant.now().getEpochSecond());
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(utf8("not-the-sandbox-secret-000"), "HmacSHA256"));
        mac.update(utf8(ts));
        String forged = HexFormat.of().formatHex(mac.doFinal(body));
        assertThat(
                        post(
                                        "/webhooks/sandbox",
                                        body,
                                        "X-Sendline-Timestamp",
                                        ts,
                                        "X-Sendline-Signature",
                                        forged)
                                .statusCode())
                .isEqualTo(403);
        assertThat(post("/webhooks/sandbox", body).statusCode()).isEqualTo(401);
        // The right signature over another body (one event removed) does not verify either.
        byte[] shorter = utf8(sandboxBatch(prefix, 4));
        assertThat(
                        post(
                                        "/webhooks/sandbox",
                                        shorter,
                                        "X-Sendline-Timestamp",
                                        ts,
                                        "X-Sendline-Signature",
                                        sandboxSign(ts, body))
                                .statusCode())
                .isEqualTo(403);
        assertThat(sandboxEvents(prefix)).isEmpty();
    }

    @Test
    void sandboxBatchWithOneMalformedEventIsRefusedWholeNamingItsIndex() throws Exception {
        String prefix = "sb-malformed-" + UUID.randomUUID();
        String good0 = sandboxEvent(prefix + "-0", prefix + "-job-0", "DELIVERED");
        String good2 = sandboxEvent(prefix + "-2", prefix + "-job-2", "BOUNCED");
        String bad1 = sandboxEvent(prefix + "-1", prefix + "-job-1", "EXPLODED");
        HttpResponse<String> r = sandboxPost(utf8("[" + good0 + "," + bad1 + "," + good2 + "]"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("[1].type").contains("nothing was published");

        HttpResponse<String> notObject = sandboxPost(utf8("[" + good0 + ",42]"));
        assertThat(notObject.statusCode()).isEqualTo(400);
        assertThat(notObject.body()).contains("\"field\":\"[1]\"");
        assertThat(sandboxPost(utf8("[]")).statusCode()).isEqualTo(400);
        assertThat(sandboxEvents(prefix)).isEmpty();

        // Nothing was claimed by the refused batches: the corrected batch publishes all three.
        String fixed1 = sandboxEvent(prefix + "-1", prefix + "-job-1", "COMPLAINED");
        HttpResponse<String> ok = sandboxPost(utf8("[" + good0 + "," + fixed1 + "," + good2 + "]"));
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        assertThat(ok.body()).contains("\"published\":3");
        assertThat(sandboxEvents(prefix)).hasSize(3);
    }

    @Test
    void sandboxBatchOverTheEventLimitIs413() throws Exception {
        // Small events, so that the count and not the body size (256 KiB here) is over the limit.
        String prefix = "sb-large-" + UUID.randomUUID().toString().substring(0, 8);
        StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < 1001; i++) {
            batch.append(i == 0 ? "" : ",")
                    .append("{\"eventId\":\"e")
                    .append(i)
                    .append("\",\"type\":\"DELIVERED\",\"jobId\":\"")
                    .append(prefix)
                    .append("\"}");
        }
        HttpResponse<String> r = sandboxPost(utf8(batch.append(']').toString()));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(r.body()).contains("at most 1000 sandbox events per request");
        assertThat(sandboxEvents(prefix)).isEmpty();
    }

    @Test
    void sandboxReplayedBatchesAreRefusedWhenStaleAndDeduplicatedPerEvent() throws Exception {
        String prefix = "sb-replay-" + UUID.randomUUID();
        byte[] body = utf8(sandboxBatch(prefix, 4));
        String ts = String.valueOf(Instant.now().getEpochSecond());
        assertThat(sandboxPost(body, ts).body()).contains("\"published\":4");
        // The same body and signature again, within the tolerance: every event is a duplicate.
        HttpResponse<String> again = sandboxPost(body, ts);
        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).contains("\"published\":0");
        // Outside the tolerance: refused, whatever the events.
        String stale = String.valueOf(Instant.now().minusSeconds(3600).getEpochSecond());
        assertThat(sandboxPost(utf8(sandboxBatch(prefix + "-new", 2)), stale).statusCode())
                .isEqualTo(403);
        // A batch mixing a seen event, a new one and the new one twice: one published.
        String seen = sandboxEvent(prefix + "-0", prefix + "-job-0", "DELIVERED");
        String fresh = sandboxEvent(prefix + "-9", prefix + "-job-9", "DELIVERED");
        HttpResponse<String> mixed =
                sandboxPost(utf8("[" + seen + "," + fresh + "," + fresh + "]"));
        assertThat(mixed.statusCode()).isEqualTo(200);
        assertThat(mixed.body()).contains("\"published\":1");
        assertThat(sandboxEvents(prefix)).hasSize(5);
        assertThat(sandboxEvents(prefix + "-new")).isEmpty();
    }
}
