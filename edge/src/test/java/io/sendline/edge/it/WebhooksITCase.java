package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sendline.edge.support.EdgeStack;
import io.sendline.edge.support.Samples;
import io.sendline.edge.support.SnsSigner;
import io.sendline.schemas.Json;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Relay webhooks over real HTTP with each provider's sample payloads: authentic calls produce one
 * normalised event each (also when delivered twice); forged, tampered, stale and replayed calls get
 * 401/403 and produce nothing.
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
}
