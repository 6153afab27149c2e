package io.sendline.relay.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayFactory;
import io.sendline.relay.RelayResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox reports its events over HTTP the way real relays call the edge: a signed JSON POST
 * per event to {@code webhookUrl}, retried when the endpoint fails. The endpoint here is a real
 * HTTP server that verifies the signature as the edge's {@code /webhooks/sandbox} does.
 */
class SandboxWebhookITCase {

    private static final String SECRET = "sandbox-webhook-secret-0123456789";

    private HttpServer server;
    private final List<SandboxEvent> received = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/webhooks/sandbox",
                x -> {
                    try (x) {
                        posts.incrementAndGet();
                        byte[] body = x.getRequestBody().readAllBytes();
                        if (failFirst.getAndDecrement() > 0) {
                            x.sendResponseHeaders(503, -1);
                            return;
                        }
                        String ts =
                                x.getRequestHeaders().getFirst(WebhookSignature.TIMESTAMP_HEADER);
                        String sig =
                                x.getRequestHeaders().getFirst(WebhookSignature.SIGNATURE_HEADER);
                        boolean fresh =
                                ts != null
                                        && Math.abs(
                                                        Instant.now().getEpochSecond()
                                                                - Long.parseLong(ts))
                                                < 300;
                        if (!fresh || !WebhookSignature.verify(SECRET, ts, body, sig)) {
                            refused.add(new String(body, StandardCharsets.UTF_8));
                            x.sendResponseHeaders(403, -1);
                            return;
                        }
                        received.add(SandboxEvent.fromJson(body));
                        x.sendResponseHeaders(204, -1);
                    }
                });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Relay relay(String ledger) {
        return RelayFactory.create(
                Map.of(
                        "relay.pool.default.type",
                        "sandbox",
                        "relay.pool.default.sandbox.ledger",
                        ledger,
                        "relay.pool.default.sandbox.eventDelay",
                        "10ms",
                        "relay.pool.default.sandbox.webhookUrl",
                        "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks/sandbox",
                        "relay.pool.default.sandbox.webhookSecret",
                        SECRET));
    }

    private static OutboundMessage message(String jobId, String to) {
        return new OutboundMessage(
                jobId,
                "any-pool",
                "b@example.com",
                to,
                "x\r\n".getBytes(StandardCharsets.US_ASCII),
                Map.of());
    }

    private void awaitEvents(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (received.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    @Test
    void postsSignedEventsThatJoinBackToTheJob() throws Exception {
        try (Relay relay = relay("webhook-it-1")) {
            RelayResult bounce =
                    relay.send(message("job-b", SandboxScenario.BOUNCE.address()))
                            .get(5, TimeUnit.SECONDS);
            relay.send(message("job-c", SandboxScenario.COMPLAINT.address()))
                    .get(5, TimeUnit.SECONDS);
            relay.send(message("job-d", "someone@example.org")).get(5, TimeUnit.SECONDS);
            awaitEvents(4);
            assertThat(refused).isEmpty();
            assertThat(received)
                    .extracting(e -> e.jobId() + ":" + e.type())
                    .containsExactlyInAnyOrder(
                            "job-b:BOUNCED",
                            "job-c:DELIVERED",
                            "job-c:COMPLAINED",
                            "job-d:DELIVERED");
            SandboxEvent b =
                    received.stream()
                            .filter(e -> e.jobId().equals("job-b"))
                            .findFirst()
                            .orElseThrow();
            assertThat(b.providerMessageId())
                    .isEqualTo(((RelayResult.Accepted) bounce).providerMessageId());
            assertThat(b.bounceType()).isEqualTo("PERMANENT");
            assertThat(b.enhancedStatus()).isEqualTo("5.1.1");
            assertThat(SandboxLedger.named("webhook-it-1").total()).isEqualTo(3);
        }
    }

    @Test
    void retriesAWebhookTheEdgeFailedToTake() throws Exception {
        failFirst.set(2);
        try (Relay relay = relay("webhook-it-2")) {
            relay.send(message("job-r", "someone@example.org")).get(5, TimeUnit.SECONDS);
            awaitEvents(1);
        }
        assertThat(received).extracting(SandboxEvent::jobId).containsExactly("job-r");
        assertThat(posts.get()).isEqualTo(3);
    }
}
