package io.sendline.edge.webhooks.mailgun;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.support.Samples;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.schemas.Json;
import io.sendline.schemas.RelayEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class MailgunWebhookTest {

    static final byte[] KEY =
            "key-3ax6xnjp29jd6fds4gc373sgvjxteol0".getBytes(StandardCharsets.UTF_8);
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    final MailgunSignatureVerifier verifier =
            new MailgunSignatureVerifier(
                    KEY, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofMinutes(5), 1000);

    static String sign(byte[] key, String timestamp, String token) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of()
                .formatHex(mac.doFinal((timestamp + token).getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void acceptsOnceThenRefusesTheReplayedToken() throws Exception {
        String ts = String.valueOf(NOW.getEpochSecond());
        String sig = sign(KEY, ts, "tok-1");
        assertThatCode(() -> verifier.verify(ts, "tok-1", sig)).doesNotThrowAnyException();
        assertStatus(() -> verifier.verify(ts, "tok-1", sig), 403);
    }

    @Test
    void releasedTokenIsAcceptedAgain() throws Exception {
        String ts = String.valueOf(NOW.getEpochSecond());
        String sig = sign(KEY, ts, "tok-r");
        verifier.verify(ts, "tok-r", sig);
        verifier.release("tok-r");
        assertThatCode(() -> verifier.verify(ts, "tok-r", sig)).doesNotThrowAnyException();
    }

    @Test
    void refusesForgedStaleAndUnsignedCalls() throws Exception {
        String ts = String.valueOf(NOW.getEpochSecond());
        assertStatus(
                () ->
                        verifier.verify(
                                ts,
                                "tok-2",
                                sign(
                                        "other-key-000000000".getBytes(StandardCharsets.UTF_8),
                                        ts,
                                        "tok-2")),
                403);
        assertStatus(() -> verifier.verify(ts, "tok-3", sign(KEY, ts, "tok-other")), 403);
        String stale = String.valueOf(NOW.minus(Duration.ofMinutes(6)).getEpochSecond());
        assertStatus(() -> verifier.verify(stale, "tok-4", sign(KEY, stale, "tok-4")), 403);
        String future = String.valueOf(NOW.plus(Duration.ofMinutes(6)).getEpochSecond());
        assertStatus(() -> verifier.verify(future, "tok-5", sign(KEY, future, "tok-5")), 403);
        assertStatus(() -> verifier.verify(ts, "tok-6", null), 401);
    }

    @Test
    void forgedCallsDoNotBurnTheToken() throws Exception {
        String ts = String.valueOf(NOW.getEpochSecond());
        assertStatus(() -> verifier.verify(ts, "tok-7", "00"), 403);
        assertThatCode(() -> verifier.verify(ts, "tok-7", sign(KEY, ts, "tok-7")))
                .doesNotThrowAnyException();
    }

    @Test
    void mapsDocumentedPermanentFailureAndOpen() {
        MailgunEventMapper mapper =
                new MailgunEventMapper(new MachineOpenDetector(List.of(), List.of("bot")));
        JsonNode failed =
                Json.fromString(
                        Samples.load("mailgun-failed-permanent.json", "job-3"), JsonNode.class);
        RelayEvent e = mapper.map(failed.get("event-data"), NOW);
        assertThat(e.type()).isEqualTo(RelayEvent.Type.BOUNCED);
        assertThat(e.provider()).isEqualTo(RelayEvent.Provider.MAILGUN);
        assertThat(e.eventId()).isEqualTo("G9Bn5sl1TC6nu79C8C0bwg");
        assertThat(e.jobId()).isEqualTo("job-3");
        assertThat(e.bounceType()).isEqualTo("PERMANENT");
        assertThat(e.bounceSubType()).isEqualTo("suppress-bounce");
        assertThat(e.diagnosticCode()).isEqualTo("Not delivering to previously bounced address");
        assertThat(e.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(e.providerMessageId()).isEqualTo("20130503192659.13651.20287@example.com");
        assertThat(e.recipient()).isEqualTo("alice@example.com");

        JsonNode opened =
                Json.fromString(Samples.load("mailgun-opened.json", "job-4"), JsonNode.class);
        RelayEvent o = mapper.map(opened.get("event-data"), NOW);
        assertThat(o.type()).isEqualTo(RelayEvent.Type.OPENED);
        assertThat(o.machineOpen()).isFalse();
        assertThat(o.userAgent()).contains("Chrome/26");
    }

    private static void assertStatus(
            org.assertj.core.api.ThrowableAssert.ThrowingCallable c, int status) {
        assertThatThrownBy(c)
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    }
}
