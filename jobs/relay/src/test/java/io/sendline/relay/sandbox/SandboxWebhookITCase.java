package io.sendline.relay.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.sendline.relay.Backoff;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayFactory;
import io.sendline.relay.RelayResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sandbox reports its events over HTTP the way real relays call the edge: signed JSON POSTs of
 * event batches to {@code webhookUrl}, retried when the endpoint fails. The endpoint here is a real
 * HTTP server that verifies the signature as the edge's {@code /webhooks/sandbox} does (the edge's
 * own tests post through {@link HttpWebhookSink} to the real edge and Kafka).
 */
class SandboxWebhookITCase {

    private static final String SECRET = "sandbox-webhook-secret-0123456789";

    private HttpServer server;
    private final List<SandboxEvent> received = new CopyOnWriteArrayList<>();
    private final List<String> refused = new CopyOnWriteArrayList<>();
    private final AtomicInteger failFirst = new AtomicInteger();
    private final AtomicInteger posts = new AtomicInteger();
    private final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    private final AtomicInteger answer = new AtomicInteger(); // status to answer instead, if > 0
    private final AtomicInteger stallMillis = new AtomicInteger(); // wait before answering

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(
                "/webhooks/sandbox",
                x -> {
                    try (x) {
                        posts.incrementAndGet();
                        byte[] body = x.getRequestBody().readAllBytes();
                        if (stallMillis.get() > 0) {
                            try {
                                Thread.sleep(stallMillis.get());
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        if (failFirst.getAndDecrement() > 0) {
                            x.sendResponseHeaders(503, -1);
                            return;
                        }
                        if (answer.get() > 0) {
                            x.sendResponseHeaders(answer.get(), -1);
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
                        List<SandboxEvent> events = SandboxEvent.fromJsonBody(body);
                        batchSizes.add(events.size());
                        received.addAll(events);
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

    private HttpWebhookSink.Builder sink() {
        return HttpWebhookSink.builder(
                        URI.create(
                                "http://127.0.0.1:"
                                        + server.getAddress().getPort()
                                        + "/webhooks/sandbox"),
                        SECRET)
                .retry(
                        Backoff.builder()
                                .initial(Duration.ofMillis(20))
                                .max(Duration.ofMillis(50))
                                .build());
    }

    private static SandboxEvent event(int i) {
        return new SandboxEvent(
                "ev-" + i + "-" + UUID.randomUUID(),
                SandboxEvent.Type.DELIVERED,
                "job-" + i,
                "sandbox-" + i,
                "success+" + i + "@" + SandboxScenario.DOMAIN,
                null,
                null,
                null,
                null,
                Instant.now());
    }

    @Test
    void manyEventsGoOutAsFullBatchesEachEventOnce() throws Exception {
        List<SandboxEvent> sent = new ArrayList<>();
        try (HttpWebhookSink sink = sink().maxBatch(50).linger(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 500; i++) {
                SandboxEvent e = event(i);
                sent.add(e);
                sink.publish(e);
            }
            // A full batch does not wait for the linger.
            awaitEvents(500);
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.delivered()).isEqualTo(500);
            assertThat(sink.failed()).isZero();
            assertThat(sink.requests()).isEqualTo(10);
        }
        assertThat(refused).isEmpty();
        assertThat(batchSizes).hasSize(10).allSatisfy(n -> assertThat(n).isEqualTo(50));
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void eventsArrivingTogetherShareOneRequestAfterTheLinger() throws Exception {
        try (HttpWebhookSink sink = sink().linger(Duration.ofMillis(300)).build()) {
            sink.publish(event(1));
            sink.publish(event(2));
            sink.publish(event(3));
            awaitEvents(3); // without flush: the linger sent them
            assertThat(batchSizes).containsExactly(3);
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue(); // the answer reached the sink
            assertThat(sink.delivered()).isEqualTo(3);
        }
        assertThat(batchSizes).containsExactly(3);
    }

    @Test
    void flushSendsLingeringEventsAndWaitsForThem() throws Exception {
        try (HttpWebhookSink sink = sink().linger(Duration.ofHours(1)).build()) {
            sink.publish(event(1));
            sink.publish(event(2));
            assertThat(received).isEmpty();
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            // flush returned: the events are at the endpoint, not still lingering.
            assertThat(received).hasSize(2);
            assertThat(sink.delivered()).isEqualTo(2);
        }
        assertThat(batchSizes).containsExactly(2);
    }

    @Test
    void aFailedBatchIsRetriedWholeAndSignedAfresh() throws Exception {
        failFirst.set(1);
        try (HttpWebhookSink sink = sink().linger(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 20; i++) {
                sink.publish(event(i));
            }
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.delivered()).isEqualTo(20);
            assertThat(sink.failed()).isZero();
        }
        assertThat(posts.get()).isEqualTo(2);
        assertThat(batchSizes).containsExactly(20);
    }

    @Test
    void anEndpointThatKeepsFailingGetsEveryTryThenTheEventsCountAsFailed() throws Exception {
        answer.set(503);
        try (HttpWebhookSink sink = sink().linger(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 7; i++) {
                sink.publish(event(i));
            }
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.delivered()).isZero();
            assertThat(sink.failed()).isEqualTo(7);
            assertThat(sink.requests()).isEqualTo(HttpWebhookSink.MAX_ATTEMPTS);
        }
        assertThat(posts.get()).isEqualTo(HttpWebhookSink.MAX_ATTEMPTS);
    }

    @Test
    void anEndpointSlowerThanTheTimeoutIsRetriedThenCountedFailed() throws Exception {
        stallMillis.set(400);
        try (HttpWebhookSink sink =
                sink().timeout(Duration.ofMillis(100)).linger(Duration.ofHours(1)).build()) {
            sink.publish(event(1));
            sink.publish(event(2));
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.delivered()).isZero();
            assertThat(sink.failed()).isEqualTo(2);
            assertThat(sink.requests()).isEqualTo(HttpWebhookSink.MAX_ATTEMPTS);
        }
    }

    @Test
    void aBatchTheEndpointRefusesIsNotRetried() throws Exception {
        answer.set(400);
        try (HttpWebhookSink sink = sink().linger(Duration.ofHours(1)).build()) {
            sink.publish(event(1));
            sink.publish(event(2));
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.failed()).isEqualTo(2);
        }
        assertThat(posts.get()).isEqualTo(1);
    }

    @Test
    void aFullBacklogDropsAndCountsNewEvents() throws Exception {
        try (HttpWebhookSink sink = sink().maxOutstanding(10).linger(Duration.ofHours(1)).build()) {
            for (int i = 0; i < 15; i++) {
                sink.publish(event(i));
            }
            assertThat(sink.failed()).isEqualTo(5);
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.delivered()).isEqualTo(10);
        }
        assertThat(received).hasSize(10);
    }

    @Test
    void anEndpointThatIsDownIsRetriedThenCountedFailed() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        try (HttpWebhookSink sink =
                HttpWebhookSink.builder(
                                URI.create("http://127.0.0.1:" + port + "/webhooks/sandbox"),
                                SECRET)
                        .retry(Backoff.builder().initial(Duration.ofMillis(10)).build())
                        .linger(Duration.ZERO)
                        .build()) {
            sink.publish(event(1));
            assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            assertThat(sink.failed()).isEqualTo(1);
            assertThat(sink.requests()).isEqualTo(HttpWebhookSink.MAX_ATTEMPTS);
        }
    }

    /**
     * With at most 2 cores, {@code HttpClient.sendAsync} started a thread per request (see
     * HttpWebhookSink's class comment). Posting 40 requests one after the other must start almost
     * none once the sink's own threads exist.
     */
    @Test
    void requestsDoNotStartAThreadEach() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (HttpWebhookSink sink = sink().linger(Duration.ZERO).build()) {
            for (int i = 0; i < 8; i++) { // warm up: senders, the client's workers
                sink.publish(event(i));
                assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            }
            long before = threads.getTotalStartedThreadCount();
            for (int i = 0; i < 40; i++) {
                sink.publish(event(i));
                assertThat(sink.flush(Duration.ofSeconds(10))).isTrue();
            }
            long started = threads.getTotalStartedThreadCount() - before;
            assertThat(sink.requests()).isEqualTo(48);
            assertThat(started).as("threads started for 40 requests").isLessThan(10);
        }
    }
}
