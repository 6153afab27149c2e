package io.sendline.bench.webhook;

import io.sendline.relay.sandbox.SandboxEvent;
import io.sendline.relay.sandbox.SandboxEventSink;
import io.sendline.relay.sandbox.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sandbox webhook sink as it was before batching (commit 6d35354), for comparison only: one
 * signed POST per event with {@code HttpClient.sendAsync}, at most 64 in flight. On a machine with
 * at most 2 cores every {@code sendAsync} completes on a new thread (see {@code HttpWebhookSink}).
 * No retries: the benchmark's endpoint does not fail.
 */
final class PerEventWebhookSink implements SandboxEventSink {

    private final URI url;
    private final String secret;
    private final HttpClient client =
            HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .build();
    private final Clock clock = Clock.systemUTC();
    private final ConcurrentLinkedQueue<byte[]> queue = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private int inFlight; // guarded by lock
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    PerEventWebhookSink(URI url, String secret) {
        this.url = url;
        this.secret = secret;
    }

    @Override
    public void publish(SandboxEvent event) {
        queue.add(event.toJson());
        drain();
    }

    long delivered() {
        return delivered.get();
    }

    long failed() {
        return failed.get();
    }

    long requests() {
        return requests.get();
    }

    private void drain() {
        while (true) {
            byte[] next;
            synchronized (lock) {
                if (inFlight >= 64) {
                    return;
                }
                next = queue.poll();
                if (next == null) {
                    return;
                }
                inFlight++;
            }
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            HttpRequest request =
                    HttpRequest.newBuilder(url)
                            .timeout(Duration.ofSeconds(10))
                            .header("Content-Type", "application/json")
                            .header(WebhookSignature.TIMESTAMP_HEADER, timestamp)
                            .header(
                                    WebhookSignature.SIGNATURE_HEADER,
                                    WebhookSignature.sign(secret, timestamp, next))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(next))
                            .build();
            requests.incrementAndGet();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                    .whenComplete(
                            (response, error) -> {
                                synchronized (lock) {
                                    inFlight--;
                                }
                                if (error == null && response.statusCode() / 100 == 2) {
                                    delivered.incrementAndGet();
                                } else {
                                    failed.incrementAndGet();
                                }
                                drain();
                            });
        }
    }
}
