package io.sendline.relay.ses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayFactory;
import io.sendline.relay.RelayResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The SES relay against an SES-compatible endpoint on a real socket: the SDK signs with SigV4
 * (credentials from the default chain, here its system-property step), the server checks the
 * signature and the SendEmail body, and answers success, throttling, rejection or server errors.
 */
class SesRelayITCase {

    private static final String ACCESS_KEY = "AKIDSENDLINETEST";
    private static final String SECRET_KEY = "sendline/test/secret/key/0123456789abcdef";

    private FakeSesServer ses;
    private Relay relay;

    @BeforeAll
    static void credentialsInTheDefaultChain() {
        System.setProperty("aws.accessKeyId", ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", SECRET_KEY);
    }

    @AfterAll
    static void clearCredentials() {
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @BeforeEach
    void start() throws Exception {
        ses = new FakeSesServer(SECRET_KEY);
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.close();
        }
        ses.close();
    }

    private Relay relay(String httpClient, String apiCallTimeout) {
        Map<String, String> props = new HashMap<>();
        props.put("relay.pool.transactional.type", "ses");
        props.put("relay.pool.transactional.ses.region", "eu-west-1");
        props.put("relay.pool.transactional.ses.endpoint", ses.endpoint());
        props.put("relay.pool.transactional.ses.configurationSet", "tx-events");
        props.put("relay.pool.transactional.ses.httpClient", httpClient);
        props.put("relay.pool.transactional.ses.apiCallTimeout", apiCallTimeout);
        props.put("relay.pool.marketing.type", "ses");
        props.put("relay.pool.marketing.ses.region", "eu-west-1");
        props.put("relay.pool.marketing.ses.endpoint", ses.endpoint());
        props.put("relay.pool.marketing.ses.configurationSet", "mkt-events");
        relay = RelayFactory.create(props);
        return relay;
    }

    private static OutboundMessage message(String pool, String jobId, String to) {
        byte[] mime =
                ("From: hello@example.com\r\nTo: "
                                + to
                                + "\r\nSubject: Hi\r\nDKIM-Signature: v=1; d=example.com; b=x\r\n"
                                + "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nHello "
                                + jobId
                                + "\r\n")
                        .getBytes(StandardCharsets.UTF_8);
        return new OutboundMessage(
                jobId, pool, "bounces@example.com", to, mime, Map.of("campaign", "spring-2026"));
    }

    private static RelayResult send(Relay r, OutboundMessage m) throws Exception {
        return r.send(m).get(30, TimeUnit.SECONDS);
    }

    private static String tag(JsonNode tags, String name) {
        for (JsonNode t : tags) {
            if (name.equals(t.path("Name").asText())) {
                return t.path("Value").asText();
            }
        }
        return null;
    }

    @ParameterizedTest
    @EnumSource(SesSettings.HttpClientKind.class)
    void sendsSignedRawMimeWithThePoolsConfigurationSetAndJobTags(SesSettings.HttpClientKind client)
            throws Exception {
        Relay r = relay(client.name().toLowerCase(), "10s");
        OutboundMessage tx = message("transactional", "job-1", "ada@example.org");
        OutboundMessage mkt = message("marketing", "job-2", "bob@example.org");

        RelayResult a = send(r, tx);
        RelayResult b = send(r, mkt);

        assertThat(ses.malformed()).isEmpty();
        assertThat(a).isEqualTo(new RelayResult.Accepted("0102018c-1-fake"));
        assertThat(b).isInstanceOf(RelayResult.Accepted.class);
        FakeSesServer.Call c1 = ses.calls().get(0);
        assertThat(c1.accessKey()).isEqualTo(ACCESS_KEY);
        assertThat(c1.region()).isEqualTo("eu-west-1");
        assertThat(c1.recipient()).isEqualTo("ada@example.org");
        assertThat(c1.raw()).isEqualTo(tx.mime());
        assertThat(c1.configurationSet()).isEqualTo("tx-events");
        assertThat(tag(c1.tags(), SesRelay.JOB_ID_TAG)).isEqualTo("job-1");
        assertThat(tag(c1.tags(), SesRelay.POOL_TAG)).isEqualTo("transactional");
        assertThat(tag(c1.tags(), "campaign")).isEqualTo("spring-2026");
        FakeSesServer.Call c2 = ses.calls().get(1);
        assertThat(c2.configurationSet()).isEqualTo("mkt-events");
        assertThat(tag(c2.tags(), SesRelay.JOB_ID_TAG)).isEqualTo("job-2");
    }

    @Test
    void maximumSendingRateExceededIsAPoolThrottle() throws Exception {
        Relay r = relay("netty", "10s");
        RelayResult.Failed f =
                (RelayResult.Failed)
                        send(r, message("transactional", "job-t", "throttle@example.org"));
        assertThat(f.outcome()).isEqualTo(Outcome.THROTTLED);
        assertThat(f.outcome().throttlesPool()).isTrue();
        assertThat(f.replyCode()).isEqualTo(429);
        assertThat(f.detail()).contains("Maximum sending rate exceeded");
        // One request: retries are the pipeline's, not the SDK's.
        assertThat(ses.requests()).isEqualTo(1);
    }

    @Test
    void retryAfterHeaderBecomesTheHint() throws Exception {
        Relay r = relay("apache", "10s");
        RelayResult.Failed f =
                (RelayResult.Failed)
                        send(r, message("transactional", "job-h", "throttle-hint@example.org"));
        assertThat(f.outcome()).isEqualTo(Outcome.THROTTLED);
        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void messageRejectedIsAPolicyFailureWithoutTheAddress() throws Exception {
        Relay r = relay("netty", "10s");
        RelayResult.Failed f =
                (RelayResult.Failed)
                        send(r, message("transactional", "job-r", "rejected@example.org"));
        assertThat(f.outcome()).isEqualTo(Outcome.PERMANENT_POLICY);
        assertThat(f.outcome().suppressesRecipient()).isFalse();
        assertThat(f.replyCode()).isEqualTo(400);
        assertThat(f.detail()).startsWith("MessageRejected: ").doesNotContain("hello@example.com");
    }

    @Test
    void serverErrorsAreRetryable() throws Exception {
        Relay r = relay("netty", "10s");
        RelayResult.Failed e500 =
                (RelayResult.Failed)
                        send(r, message("transactional", "job-5", "error500@example.org"));
        assertThat(e500.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(e500.replyCode()).isEqualTo(500);
        RelayResult.Failed e503 =
                (RelayResult.Failed)
                        send(r, message("transactional", "job-6", "unavailable@example.org"));
        assertThat(e503.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(e503.replyCode()).isEqualTo(503);
    }

    @Test
    void aTimeoutIsRetryable() throws Exception {
        Relay r = relay("netty", "1s");
        RelayResult.Failed f =
                (RelayResult.Failed) send(r, message("transactional", "job-s", "slow@example.org"));
        assertThat(f.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(f.replyCode()).isZero();
    }

    @Test
    void aPoolWhoseClientCannotBeBuiltFailsOpenNamingThePool() {
        assumeTrue(
                System.getenv("AWS_REGION") == null && System.getenv("AWS_DEFAULT_REGION") == null);
        assumeTrue(!Files.exists(Path.of(System.getProperty("user.home"), ".aws", "config")));
        System.setProperty("aws.disableEc2Metadata", "true");
        try {
            assertThatThrownBy(
                            () ->
                                    RelayFactory.create(
                                            Map.of(
                                                    "relay.pool.transactional.type",
                                                    "ses",
                                                    "relay.pool.transactional.ses.endpoint",
                                                    ses.endpoint())))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("the ses relay of pool 'transactional' cannot be built")
                    .hasMessageContaining("region");
        } finally {
            System.clearProperty("aws.disableEc2Metadata");
        }
    }

    @Test
    void closeLetsRequestsInFlightFinishThenRefuses() throws Exception {
        Relay r = relay("netty", "10s");
        CompletableFuture<RelayResult> slow =
                r.send(message("transactional", "job-slow", "slow@example.org"));
        r.close();
        assertThat(slow).isCompletedWithValue(new RelayResult.Accepted("slow-id"));
        assertThat(send(r, message("transactional", "job-late", "ada@example.org")).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(ses.calls()).hasSize(1);
    }

    @Test
    void connectionRefusedIsRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        relay =
                SesRelay.create(
                        SesSettings.builder()
                                .region("eu-west-1")
                                .endpoint("http://127.0.0.1:" + port)
                                .build());
        RelayResult.Failed f =
                (RelayResult.Failed)
                        send(relay, message("transactional", "job-c", "ada@example.org"));
        assertThat(f.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(f.replyCode()).isZero();
    }
}
