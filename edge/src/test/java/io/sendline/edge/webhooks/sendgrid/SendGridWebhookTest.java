package io.sendline.edge.webhooks.sendgrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.support.Samples;
import io.sendline.edge.support.TestCertificates;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.schemas.Json;
import io.sendline.schemas.RelayEvent;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SendGridWebhookTest {

    static final KeyPair KEYS = TestCertificates.p256();
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    final SendGridSignatureVerifier verifier =
            new SendGridSignatureVerifier(
                    Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded()),
                    Clock.fixed(NOW, ZoneOffset.UTC),
                    Duration.ofMinutes(5));

    static String sign(KeyPair keys, String timestamp, byte[] body) throws Exception {
        Signature s = Signature.getInstance("SHA256withECDSA");
        s.initSign(keys.getPrivate());
        s.update(timestamp.getBytes(StandardCharsets.UTF_8));
        s.update(body);
        return Base64.getEncoder().encodeToString(s.sign());
    }

    @Test
    void verifiesTimestampPlusRawBody() throws Exception {
        byte[] body = Samples.load("sendgrid-events.json", "j").getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(NOW.getEpochSecond());
        assertThatCode(() -> verifier.verify(sign(KEYS, ts, body), ts, body))
                .doesNotThrowAnyException();
    }

    @Test
    void refusesTamperedBodyForgedKeyStaleTimestampAndMissingHeaders() throws Exception {
        byte[] body = Samples.load("sendgrid-events.json", "j").getBytes(StandardCharsets.UTF_8);
        String ts = String.valueOf(NOW.getEpochSecond());
        String sig = sign(KEYS, ts, body);
        byte[] tampered =
                new String(body, StandardCharsets.UTF_8)
                        .replace("bounce", "deliver")
                        .getBytes(StandardCharsets.UTF_8);
        assertStatus(() -> verifier.verify(sig, ts, tampered), 403);
        assertStatus(
                () -> verifier.verify(sig, String.valueOf(NOW.getEpochSecond() + 1), body), 403);
        assertStatus(() -> verifier.verify(sign(TestCertificates.p256(), ts, body), ts, body), 403);
        String old = String.valueOf(NOW.minus(Duration.ofMinutes(10)).getEpochSecond());
        assertStatus(() -> verifier.verify(sign(KEYS, old, body), old, body), 403);
        assertStatus(() -> verifier.verify(null, ts, body), 401);
        assertStatus(() -> verifier.verify("not base64!", ts, body), 403);
    }

    @Test
    void mapsTheDocumentedEventArray() {
        SendGridEventMapper mapper =
                new SendGridEventMapper(new MachineOpenDetector(List.of(), List.of("bot")));
        List<RelayEvent> events =
                mapper.map(
                        Json.fromString(
                                Samples.load("sendgrid-events.json", "job-7"), JsonNode.class),
                        NOW);
        assertThat(events)
                .extracting(RelayEvent::type)
                .containsExactly(
                        RelayEvent.Type.DELAYED,
                        RelayEvent.Type.DELIVERED,
                        RelayEvent.Type.OPENED,
                        RelayEvent.Type.CLICKED,
                        RelayEvent.Type.BOUNCED,
                        RelayEvent.Type.REJECTED,
                        RelayEvent.Type.COMPLAINED,
                        RelayEvent.Type.UNSUBSCRIBED);
        RelayEvent bounce = events.get(4);
        assertThat(bounce.jobId()).isEqualTo("job-7");
        assertThat(bounce.eventId()).isEqualTo("6g4ZI7SA-xmRDv57GoPIPw==");
        assertThat(bounce.bounceType()).isEqualTo("PERMANENT");
        assertThat(bounce.bounceSubType()).isEqualTo("Invalid Address");
        assertThat(bounce.diagnosticCode()).isEqualTo("500 unknown recipient");
        assertThat(bounce.enhancedStatus()).isEqualTo("5.0.0");
        assertThat(bounce.occurredAt()).isEqualTo(Instant.ofEpochSecond(1513299569));
        assertThat(events.get(2).machineOpen()).isFalse();
        assertThat(events.get(3).url()).isEqualTo("http://www.sendgrid.com/");
    }

    private static void assertStatus(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable c, int status) {
        assertThatThrownBy(c)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    }
}
