package io.sendline.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.relay.sandbox.SandboxSettings;
import io.sendline.relay.ses.SesSettings;
import io.sendline.relay.smtp.SmtpSettings;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RelayConfigTest {

    private static Map<String, String> props(String... kv) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void readsOneRelayPerPool() {
        RelayConfig c =
                RelayConfig.fromProperties(
                        props(
                                "relay.pool.transactional.type", "ses",
                                "relay.pool.transactional.ses.region", "eu-west-1",
                                "relay.pool.transactional.ses.configurationSet", "tx",
                                "relay.pool.marketing.type", "smtp",
                                "relay.pool.marketing.smtp.host", "smtp.sendgrid.net",
                                "relay.pool.marketing.smtp.username", "apikey",
                                "relay.pool.marketing.smtp.password", "SG.x",
                                "relay.pool.marketing.smtp.poolSize", "8",
                                "relay.pool.marketing.smtp.readTimeout", "45s",
                                "relay.pool.marketing.smtp.provider", "sendgrid",
                                "relay.pool.default.type", "sandbox",
                                "relay.pool.default.sandbox.eventDelay", "PT0.5S",
                                "unrelated.key", "ignored"));
        SesSettings ses = (SesSettings) c.forPool("transactional");
        assertThat(ses.region()).isEqualTo("eu-west-1");
        assertThat(ses.configurationSet()).isEqualTo("tx");
        assertThat(ses.httpClient()).isEqualTo(SesSettings.HttpClientKind.NETTY);
        SmtpSettings smtp = (SmtpSettings) c.forPool("marketing");
        assertThat(smtp.host()).isEqualTo("smtp.sendgrid.net");
        assertThat(smtp.port()).isEqualTo(587);
        assertThat(smtp.tls()).isEqualTo(SmtpSettings.Tls.STARTTLS);
        assertThat(smtp.authenticates()).isTrue();
        assertThat(smtp.poolSize()).isEqualTo(8);
        assertThat(smtp.readTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(smtp.provider()).isEqualTo(SmtpSettings.Provider.SENDGRID);
        assertThat(smtp.toString()).doesNotContain("SG.x");
        assertThat(c.forPool("anything-else")).isInstanceOf(SandboxSettings.class);
        assertThat(((SandboxSettings) c.forPool("default")).eventDelay())
                .isEqualTo(Duration.ofMillis(500));
        assertThat(c.configures("marketing")).isTrue();
        assertThat(c.configures("anything-else")).isFalse();
    }

    @Test
    void readsJavaProperties() {
        Properties p = new Properties();
        p.setProperty("relay.pool.default.type", "sandbox");
        assertThat(RelayConfig.fromProperties(p).forPool("x")).isInstanceOf(SandboxSettings.class);
    }

    @Test
    void badConfigurationSaysWhichKeyAndWhy() {
        assertBad(props(), "no relay configured");
        assertBad(props("unrelated", "x"), "no relay configured");
        assertBad(
                props("relay.pool.bulk.type", "sess"),
                "relay.pool.bulk.type must be ses, smtp or sandbox, got 'sess'");
        assertBad(props("relay.pool.bulk.smtp.host", "h"), "relay.pool.bulk.type is missing");
        assertBad(props("relay.pool.type", "smtp"), "must look like relay.pool.<pool>.<setting>");
        assertBad(
                props("relay.pool.bulk.type", "smtp", "relay.pool.bulk.ses.region", "eu-west-1"),
                "relay key 'relay.pool.bulk.ses.region' does not apply: pool 'bulk' has type smtp");
        assertBad(
                props("relay.pool.bulk.type", "smtp", "relay.pool.bulk.smtp.hots", "h"),
                "unknown relay setting(s) [relay.pool.bulk.smtp.hots]");
        assertBad(props("relay.pool.bulk.type", "smtp"), "relay.pool.bulk.smtp.host is required");
        assertBad(
                props(
                        "relay.pool.bulk.type", "smtp",
                        "relay.pool.bulk.smtp.host", "h",
                        "relay.pool.bulk.smtp.port", "five"),
                "relay.pool.bulk.smtp.port must be an integer, got 'five'");
        assertBad(
                props(
                        "relay.pool.bulk.type", "smtp",
                        "relay.pool.bulk.smtp.host", "h",
                        "relay.pool.bulk.smtp.readTimeout", "soon"),
                "relay.pool.bulk.smtp.readTimeout");
        assertBad(
                props(
                        "relay.pool.bulk.type", "smtp",
                        "relay.pool.bulk.smtp.host", "h",
                        "relay.pool.bulk.smtp.username", "u"),
                "username and password must be set together");
        assertBad(
                props(
                        "relay.pool.bulk.type", "smtp",
                        "relay.pool.bulk.smtp.host", "h",
                        "relay.pool.bulk.smtp.tls", "ssl"),
                "relay.pool.bulk.smtp.tls must be one of none, starttls-optional, starttls, implicit");
        assertBad(
                props(
                        "relay.pool.bulk.type", "smtp",
                        "relay.pool.bulk.smtp.host", "h",
                        "relay.pool.bulk.smtp.provider", "sparkpost"),
                "relay.pool.bulk.smtp.provider must be one of generic, sendgrid, mailgun, postmark");
        assertBad(
                props("relay.pool.tx.type", "ses", "relay.pool.tx.ses.region", "EU West"),
                "ses region must look like eu-west-1");
        assertBad(
                props("relay.pool.tx.type", "ses", "relay.pool.tx.ses.endpoint", "localhost:4566"),
                "ses endpoint must be an absolute URL");
        assertBad(
                props("relay.pool.tx.type", "ses", "relay.pool.tx.ses.httpClient", "okhttp"),
                "relay.pool.tx.ses.httpClient must be netty or apache");
        assertBad(
                props(
                        "relay.pool.default.type", "sandbox",
                        "relay.pool.default.sandbox.webhookUrl",
                                "http://localhost:8080/webhooks/sandbox"),
                "webhookSecret must be set");
        assertBad(props("relay.pool.bad pool.type", "sandbox"), "pool name must be");
    }

    private static void assertBad(Map<String, String> props, String message) {
        assertThatThrownBy(() -> RelayFactory.create(props))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void routesEachPoolToItsRelayAndTheRestToTheDefault() throws Exception {
        String a = "cfg-a-" + System.nanoTime();
        String d = "cfg-d-" + System.nanoTime();
        try (Relay relay =
                RelayFactory.create(
                        props(
                                "relay.pool.a.type",
                                "sandbox",
                                "relay.pool.a.sandbox.ledger",
                                a,
                                "relay.pool.default.type",
                                "sandbox",
                                "relay.pool.default.sandbox.ledger",
                                d))) {
            send(relay, "a", "j1");
            send(relay, "b", "j2");
            send(relay, "c", "j3");
            send(relay, null, "j4");
        }
        assertThat(SandboxLedger.named(a).total()).isEqualTo(1);
        assertThat(SandboxLedger.named(d).total()).isEqualTo(3);
    }

    @Test
    void aPoolWithNoRelayAndNoDefaultIsAPolicyFailure() throws Exception {
        try (Relay relay = RelayFactory.create(props("relay.pool.a.type", "sandbox"))) {
            RelayResult r = send(relay, "b", "j1");
            assertThat(r.outcome()).isEqualTo(Outcome.PERMANENT_POLICY);
            assertThat(((RelayResult.Failed) r).detail())
                    .contains("no relay configured for pool 'b'");
            relay.close();
            assertThat(send(relay, "a", "j2").outcome()).isEqualTo(Outcome.RETRYABLE);
        }
    }

    private static RelayResult send(Relay relay, String pool, String jobId) throws Exception {
        return relay.send(
                        new OutboundMessage(
                                jobId,
                                pool,
                                "b@example.com",
                                "x@example.org",
                                "x\r\n".getBytes(StandardCharsets.US_ASCII),
                                Map.of()))
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void configSurvivesJavaSerializationForFlinkOperators() throws Exception {
        RelayConfig c =
                RelayConfig.fromProperties(
                        props(
                                "relay.pool.tx.type", "ses",
                                "relay.pool.tx.ses.region", "us-east-1",
                                "relay.pool.bulk.type", "smtp",
                                "relay.pool.bulk.smtp.host", "mx.example.com",
                                "relay.pool.default.type", "sandbox"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(c);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(c);
        }
    }
}
