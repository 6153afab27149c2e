package io.sendline.relay.sandbox;

import io.sendline.relay.Backoff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs each sandbox event as a signed JSON webhook (see {@link WebhookSignature} and
 * docs/relays.md), the way SES or SendGrid call the HTTP edge. Asynchronous: at most {@code
 * maxInFlight} requests at a time, the rest wait in a queue; a request that fails with a connection
 * error, 429 or 5xx is retried {@value #MAX_ATTEMPTS} times in all with back-off, each try signed
 * afresh; other statuses are dropped and counted. At most {@value #MAX_OUTSTANDING} events wait;
 * beyond that (endpoint down during a load test) new events are dropped and counted.
 */
public final class HttpWebhookSink implements SandboxEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookSink.class);

    /** Tries per event, the first included. */
    public static final int MAX_ATTEMPTS = 3;

    /** Events queued or in flight at most; more are dropped and counted as failed. */
    public static final int MAX_OUTSTANDING = 100_000;

    private static final Backoff RETRY =
            Backoff.builder().initial(Duration.ofMillis(200)).max(Duration.ofSeconds(5)).build();

    private final URI url;
    private final String secret;
    private final HttpClient client;
    private final Duration timeout;
    private final Clock clock;
    private final int maxInFlight;

    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final Object lock = new Object();
    private int inFlight; // guarded by lock
    private int outstanding; // queued or in flight, guarded by lock

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();

    private record Pending(SandboxEvent event, byte[] body, int attempt) {}

    /** A sink posting to {@code url} with a 10 s timeout and up to 64 requests in flight. */
    public HttpWebhookSink(URI url, String secret) {
        this(url, secret, Duration.ofSeconds(10), 64, Clock.systemUTC());
    }

    public HttpWebhookSink(URI url, String secret, Duration timeout, int maxInFlight, Clock clock) {
        this.url = Objects.requireNonNull(url, "webhook url");
        this.secret = Objects.requireNonNull(secret, "webhook secret");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.clock = Objects.requireNonNull(clock, "clock");
        if (maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        }
        this.maxInFlight = maxInFlight;
        this.client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout)
                        .build();
    }

    @Override
    public void publish(SandboxEvent event) {
        synchronized (lock) {
            if (outstanding >= MAX_OUTSTANDING) {
                // The endpoint is down or slower than the sandbox: drop rather than fill the heap.
                if (failed.incrementAndGet() % 10_000 == 1) {
                    LOG.warn(
                            "sandbox webhook backlog is full ({} events); dropping events",
                            MAX_OUTSTANDING);
                }
                return;
            }
            outstanding++;
        }
        queue.add(new Pending(event, event.toJson(), 1));
        drain();
    }

    /** Events the endpoint answered 2xx to. */
    public long delivered() {
        return delivered.get();
    }

    /** Events given up on. */
    public long failed() {
        return failed.get();
    }

    private void drain() {
        while (true) {
            Pending next;
            synchronized (lock) {
                if (inFlight >= maxInFlight) {
                    return;
                }
                next = queue.poll();
                if (next == null) {
                    return;
                }
                inFlight++;
            }
            post(next);
        }
    }

    private void post(Pending p) {
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        HttpRequest request =
                HttpRequest.newBuilder(url)
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.TIMESTAMP_HEADER, timestamp)
                        .header(
                                WebhookSignature.SIGNATURE_HEADER,
                                WebhookSignature.sign(secret, timestamp, p.body()))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(p.body()))
                        .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, error) -> finished(p, response, error));
    }

    private void finished(Pending p, HttpResponse<Void> response, Throwable error) {
        synchronized (lock) {
            inFlight--;
        }
        int status = response == null ? 0 : response.statusCode();
        boolean ok = error == null && status >= 200 && status < 300;
        boolean retry = !ok && (error != null || status == 429 || status >= 500);
        if (ok) {
            delivered.incrementAndGet();
            done();
        } else if (retry && p.attempt() < MAX_ATTEMPTS) {
            long delay = RETRY.delay(p.attempt(), (Duration) null).toMillis();
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                    .execute(
                            () -> {
                                queue.add(new Pending(p.event(), p.body(), p.attempt() + 1));
                                drain();
                            });
        } else {
            failed.incrementAndGet();
            LOG.warn(
                    "sandbox webhook {} event {} dropped after {} attempt(s): {}",
                    p.event().type(),
                    p.event().eventId(),
                    p.attempt(),
                    error != null ? error.toString() : "HTTP " + status);
            done();
        }
        drain();
    }

    private void done() {
        synchronized (lock) {
            outstanding--;
            lock.notifyAll();
        }
    }

    /** Waits up to {@code timeout} for queued and in-flight events to finish. */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (outstanding > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Gives queued events up to the request timeout to go out. */
    @Override
    public void close() {
        try {
            if (!flush(timeout)) {
                LOG.warn("sandbox webhook sink closed with events still pending");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
