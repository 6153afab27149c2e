package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.support.EdgeStack;
import io.sendline.relay.sandbox.SandboxEvent;
import io.sendline.relay.sandbox.WebhookSignature;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The entry point the local stack uses: {@link EdgeServer#start(EdgeConfig)} with a port, an API
 * key in clear and the sandbox webhook secret; {@code close()} stops it and frees the port.
 */
@ExtendWith(EdgeStack.Extension.class)
class EmbeddingITCase {

    static final String KEY = "embedded-key-0123456789";
    static final String SANDBOX = "embedded-sandbox-secret-0123";

    EdgeConfig config(int port) {
        EdgeStack s = stack();
        return EdgeConfig.builder()
                .port(port)
                .apiKey("stack", KEY)
                .sandboxSecret(SANDBOX.getBytes(StandardCharsets.UTF_8))
                .kafkaBootstrapServers(s.kafka.bootstrapServers())
                .jdbcUrl(s.postgres.jdbcUrl())
                .jdbcUser(s.postgres.user())
                .jdbcPassword(s.postgres.password())
                .jdbcPoolSize(2)
                .workerThreads(2)
                .trackingBaseUrl("http://localhost:1")
                .trackingSecret(EdgeStack.TRACKING_SECRET)
                .build();
    }

    HttpResponse<String> send(HttpRequest r) {
        return stack().send(r);
    }

    @Test
    void startsWithAKeyAndSandboxSecretAndStopsCleanly() throws Exception {
        int port;
        try (EdgeServer edge = EdgeServer.start(config(0))) {
            port = edge.port();
            assertThat(port).isPositive();
            assertThat(edge.baseUrl()).isEqualTo("http://127.0.0.1:" + port);
            HttpRequest.Builder get =
                    HttpRequest.newBuilder(URI.create(edge.baseUrl() + "/v1/emails/nope"))
                            .timeout(Duration.ofSeconds(10));
            assertThat(
                            send(get.copy().header("Authorization", "Bearer " + KEY).build())
                                    .statusCode())
                    .isEqualTo(404);
            assertThat(
                            send(get.copy()
                                            .header("Authorization", "Bearer " + EdgeStack.API_KEY)
                                            .build())
                                    .statusCode())
                    .as("only the configured key")
                    .isEqualTo(401);

            // The sandbox relay's own event format and signature.
            byte[] body =
                    new SandboxEvent(
                                    "emb-" + System.nanoTime(),
                                    SandboxEvent.Type.BOUNCED,
                                    "job-embedded",
                                    "sandbox-msg-1",
                                    "bounce@simulator.example",
                                    "PERMANENT",
                                    "General",
                                    "smtp; 550 5.1.1 user unknown",
                                    "5.1.1",
                                    Instant.now())
                            .toJson();
            String ts = String.valueOf(Instant.now().getEpochSecond());
            HttpResponse<String> hook =
                    send(
                            HttpRequest.newBuilder(URI.create(edge.baseUrl() + "/webhooks/sandbox"))
                                    .header("Content-Type", "application/json")
                                    .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                                    .header(
                                            WebhookSignature.SIGNATURE_HEADER,
                                            WebhookSignature.sign(SANDBOX, ts, body))
                                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                    .build());
            assertThat(hook.statusCode()).as(hook.body()).isEqualTo(200);
            List<RelayEvent> events =
                    stack().values(Topics.RELAY_EVENTS, "job-embedded", RelayEvent.class);
            assertThat(events).isNotEmpty();
            RelayEvent bounce = events.get(events.size() - 1);
            assertThat(bounce.type()).isEqualTo(RelayEvent.Type.BOUNCED);
            assertThat(bounce.provider()).isEqualTo(RelayEvent.Provider.SANDBOX);
            assertThat(bounce.bounceType()).isEqualTo("PERMANENT");
            assertThat(bounce.bounceSubType()).isEqualTo("General");
            assertThat(bounce.diagnosticCode()).isEqualTo("smtp; 550 5.1.1 user unknown");
            assertThat(bounce.enhancedStatus()).isEqualTo("5.1.1");

            assertThatThrownBy(() -> EdgeServer.start(config(port)))
                    .as("the port is taken")
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cannot listen");
        }
        // Closed: the port is free again, and a second close is harmless.
        try (EdgeServer again = EdgeServer.start(config(port))) {
            assertThat(again.port()).isEqualTo(port);
            again.close();
        }
    }
}
