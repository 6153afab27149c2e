package io.sendline.relay.sandbox;

import io.sendline.relay.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * POSTs the sandbox's events as signed JSON webhooks (see {@link WebhookSignature} and
 * docs/relays.md), the way SES or SendGrid call the HTTP edge. Like SendGrid's Event Webhook it
 * posts batches: a JSON array of up to {@code maxBatch} events, sent once it is full or once its
 * oldest event has waited {@code linger}, with one signature over the whole body. At most {@code
 * maxInFlight} batches are posted at a time; while all are busy, events keep collecting, so batches
 * grow with the load. A batch that fails with a connection error, 429 or 5xx is retried {@value
 * #MAX_ATTEMPTS} times in all with back-off, each try signed afresh; other statuses drop the batch.
 * At most {@code maxOutstanding} events wait (default {@value #MAX_OUTSTANDING}); beyond that
 * (endpoint down during a load test) new events are dropped. {@link #delivered()} and {@link
 * #failed()} count events, not requests.
 *
 * <p>Threads: one timer thread (linger and back-off) and up to {@code maxInFlight} sender threads
 * that call the blocking {@link HttpClient#send}; they are reused, never created per request. That
 * matters on a machine with at most 2 cores: there {@code ForkJoinPool.commonPool()} has
 * parallelism 1, so {@code CompletableFuture}'s default async executor starts a new thread per
 * task, and JDK 17's {@code HttpClientImpl.sendAsync(request, handler)} always completes through
 * {@code whenCompleteAsync(..., ASYNC_POOL)} on that executor: one native thread per request. The
 * blocking {@code send} passes no exchange executor ({@code sendAsync(req, handler, null, null)}),
 * which skips that hop and runs the exchange on the client's own cached, reused worker pool
 * (openjdk/jdk17u {@code
 * src/java.net.http/share/classes/jdk/internal/net/http/HttpClientImpl.java}, methods {@code send}
 * and the private {@code sendAsync}). {@code SandboxWebhookITCase} counts the threads started.
 */
public final class HttpWebhookSink implements SandboxEventSink {

    private static final Logger LOG = LoggerFactory.getLogger(HttpWebhookSink.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    /** Tries per batch, the first included. */
    public static final int MAX_ATTEMPTS = 3;

    /** Events queued, in flight or waiting to be retried at most; more are dropped and counted. */
    public static final int MAX_OUTSTANDING = 100_000;

    /** Most events per request unless configured. */
    public static final int DEFAULT_MAX_BATCH = 500;

    /** Longest an event waits for a fuller batch unless configured. */
    public static final Duration DEFAULT_LINGER = Duration.ofMillis(50);

    /** Batches posted at a time unless configured. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 4;

    private static final Backoff DEFAULT_RETRY =
            Backoff.builder().initial(Duration.ofMillis(200)).max(Duration.ofSeconds(5)).build();

    private final URI url;
    private final String secret;
    private final Duration timeout;
    private final Clock clock;
    private final int maxInFlight;
    private final int maxBatch;
    private final long lingerNanos;
    private final int maxOutstanding;
    private final Backoff retry;
    private final HttpClient client;
    private final ThreadPoolExecutor senders;
    private final ScheduledThreadPoolExecutor timer;

    private final Object lock = new Object();
    // All guarded by lock:
    private final ArrayDeque<Queued> pending = new ArrayDeque<>();
    private final ArrayDeque<Batch> retries = new ArrayDeque<>();
    private final Map<Batch, Boolean> backingOff = new IdentityHashMap<>();
    private int inFlight; // batches being posted
    private int outstanding; // events pending, being posted, backing off or due for a retry
    private int flushing; // threads in flush(): pending events go at once
    private boolean timerArmed;
    private long timerDeadline; // System.nanoTime() the armed linger timer fires at
    private boolean closed;

    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    private record Queued(SandboxEvent event, long at) {}

    /** Events posted together; {@code body} is null until the first try serialized it. */
    private record Batch(List<SandboxEvent> events, byte[] body, int attempt) {}

    /** A sink posting to {@code url} with the defaults (see {@link Builder}). */
    public HttpWebhookSink(URI url, String secret) {
        this(builder(url, secret));
    }

    private HttpWebhookSink(Builder b) {
        this.url = Objects.requireNonNull(b.url, "webhook url");
        this.secret = Objects.requireNonNull(b.secret, "webhook secret");
        this.timeout = Objects.requireNonNull(b.timeout, "timeout");
        this.clock = Objects.requireNonNull(b.clock, "clock");
        this.retry = Objects.requireNonNull(b.retry, "retry");
        Objects.requireNonNull(b.linger, "linger");
        if (b.maxInFlight < 1) {
            throw new IllegalArgumentException("maxInFlight must be >= 1, got " + b.maxInFlight);
        }
        if (b.maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + b.maxBatch);
        }
        if (b.linger.isNegative()) {
            throw new IllegalArgumentException("linger must not be negative, got " + b.linger);
        }
        if (b.maxOutstanding < 1) {
            throw new IllegalArgumentException(
                    "maxOutstanding must be >= 1, got " + b.maxOutstanding);
        }
        this.maxInFlight = b.maxInFlight;
        this.maxBatch = b.maxBatch;
        this.lingerNanos = b.linger.toNanos();
        this.maxOutstanding = b.maxOutstanding;
        this.client =
                HttpClient.newBuilder()
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(timeout)
                        .build();
        int n = INSTANCES.incrementAndGet();
        this.senders =
                new ThreadPoolExecutor(
                        maxInFlight,
                        maxInFlight,
                        60,
                        TimeUnit.SECONDS,
                        new LinkedBlockingQueue<>(),
                        daemon("sandbox-webhook-" + n + "-sender-"));
        senders.allowCoreThreadTimeOut(true);
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("sandbox-webhook-" + n + "-timer-"));
        timer.setRemoveOnCancelPolicy(true);
    }

    private static ThreadFactory daemon(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A builder posting to {@code url}, signing with {@code secret}. */
    public static Builder builder(URI url, String secret) {
        return new Builder(url, secret);
    }

    @Override
    public void publish(SandboxEvent event) {
        synchronized (lock) {
            if (closed) {
                failed.incrementAndGet();
                LOG.debug("sandbox webhook sink is closed; {} event dropped", event.type());
                return;
            }
            if (outstanding >= maxOutstanding) {
                // The endpoint is down or slower than the sandbox: drop rather than fill the heap.
                if (failed.incrementAndGet() % 10_000 == 1) {
                    LOG.warn(
                            "sandbox webhook backlog is full ({} events); dropping events",
                            maxOutstanding);
                }
                return;
            }
            outstanding++;
            pending.add(new Queued(event, System.nanoTime()));
            // The first event arms the linger timer; a full batch goes at once. In between there is
            // nothing to decide: a timer is armed, or every sender is busy and will look again.
            if (pending.size() == 1 || pending.size() >= maxBatch) {
                dispatch();
            }
        }
    }

    /** Events the endpoint answered 2xx to. */
    public long delivered() {
        return delivered.get();
    }

    /** Events given up on (dropped by a full backlog, refused, or out of tries). */
    public long failed() {
        return failed.get();
    }

    /** HTTP requests made so far, retries included. */
    public long requests() {
        return requests.get();
    }

    /** Hands due batches to free senders, or arms the linger timer. Called holding lock. */
    private void dispatch() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        while (inFlight < maxInFlight) {
            Batch b = retries.poll();
            if (b == null) {
                Queued oldest = pending.peek();
                if (oldest == null) {
                    return;
                }
                long due = oldest.at() + lingerNanos;
                if (pending.size() < maxBatch && flushing == 0 && now - due < 0) {
                    arm(due, now);
                    return;
                }
                b = cut();
            }
            Batch batch = b;
            inFlight++;
            try {
                senders.execute(() -> post(batch));
            } catch (RejectedExecutionException e) {
                inFlight--;
                giveUp(batch, "the sink is shut down");
            }
        }
    }

    private Batch cut() {
        int n = Math.min(maxBatch, pending.size());
        List<SandboxEvent> events = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            events.add(pending.poll().event());
        }
        return new Batch(events, null, 1);
    }

    private void arm(long deadline, long now) {
        if (timerArmed && timerDeadline - deadline <= 0) {
            return; // a timer that fires no later is armed; it looks again when it fires
        }
        try {
            timer.schedule(this::lingered, deadline - now, TimeUnit.NANOSECONDS);
            timerArmed = true;
            timerDeadline = deadline;
        } catch (RejectedExecutionException e) {
            // Closed: close() accounts for what is still pending.
        }
    }

    private void lingered() {
        synchronized (lock) {
            timerArmed = false;
            dispatch();
        }
    }

    /** On a sender thread: one blocking POST of the whole batch. */
    private void post(Batch b) {
        int status = 0;
        Exception error = null;
        String answer = null;
        try {
            if (b.body() == null) {
                b = new Batch(b.events(), SandboxEvent.toJsonArray(b.events()), b.attempt());
            }
            String timestamp = Long.toString(clock.instant().getEpochSecond());
            HttpRequest request =
                    HttpRequest.newBuilder(url)
                            .timeout(timeout)
                            .header("Content-Type", "application/json")
                            .header(WebhookSignature.TIMESTAMP_HEADER, timestamp)
                            .header(
                                    WebhookSignature.SIGNATURE_HEADER,
                                    WebhookSignature.sign(secret, timestamp, b.body()))
                            .POST(HttpRequest.BodyPublishers.ofByteArray(b.body()))
                            .build();
            requests.incrementAndGet();
            // Blocking send on our own thread: no per-request thread (see the class comment).
            HttpResponse<byte[]> response =
                    client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            status = response.statusCode();
            if (status < 200 || status >= 300) {
                answer = snippet(response.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = e;
        } catch (IOException | RuntimeException e) {
            error = e;
        }
        finished(b, status, error, answer);
    }

    private static String snippet(byte[] body) {
        if (body == null || body.length == 0) {
            return "";
        }
        String s = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
        return ": " + s.replaceAll("\\s+", " ");
    }

    private void finished(Batch b, int status, Exception error, String answer) {
        boolean ok = error == null && status >= 200 && status < 300;
        boolean retryable = !ok && (error instanceof IOException || status == 429 || status >= 500);
        synchronized (lock) {
            inFlight--;
            if (ok) {
                delivered.addAndGet(b.events().size());
                done(b.events().size());
            } else if (retryable && b.attempt() < MAX_ATTEMPTS && !closed) {
                backOff(new Batch(b.events(), b.body(), b.attempt() + 1));
            } else {
                giveUp(
                        b,
                        (error != null ? error.toString() : "HTTP " + status + answer)
                                + " after "
                                + b.attempt()
                                + " attempt(s)");
            }
            dispatch();
        }
    }

    /** Called holding lock. The batch gives up its sender while it waits. */
    private void backOff(Batch next) {
        backingOff.put(next, Boolean.TRUE);
        long delay = retry.delay(next.attempt() - 1, (Duration) null).toNanos();
        try {
            timer.schedule(
                    () -> {
                        synchronized (lock) {
                            if (backingOff.remove(next) != null) {
                                retries.add(next);
                                dispatch();
                            }
                        }
                    },
                    delay,
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            backingOff.remove(next);
            giveUp(next, "the sink is shut down");
        }
    }

    /** Called holding lock. */
    private void giveUp(Batch b, String why) {
        int n = b.events().size();
        failed.addAndGet(n);
        done(n);
        LOG.warn(
                "sandbox webhook batch of {} event(s) (first {} {}) dropped: {}",
                n,
                b.events().get(0).type(),
                b.events().get(0).eventId(),
                why);
    }

    /** Called holding lock. */
    private void done(int events) {
        outstanding -= events;
        lock.notifyAll();
    }

    /**
     * Sends pending events at once, without waiting for their linger, and waits up to {@code
     * timeout} until every event handed over so far was delivered or given up on (retries
     * included).
     *
     * @return false when events were still outstanding at the timeout
     */
    public boolean flush(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            flushing++;
            try {
                dispatch();
                while (outstanding > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    lock.wait(Math.max(1, left / 1_000_000));
                }
                return true;
            } finally {
                flushing--;
            }
        }
    }

    /**
     * Flushes for up to the request timeout, then stops: events still outstanding are counted as
     * failed, and later events are dropped.
     */
    @Override
    public void close() {
        boolean drained = false;
        try {
            drained = flush(timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            List<Batch> abandoned = new ArrayList<>(retries);
            abandoned.addAll(backingOff.keySet());
            retries.clear();
            backingOff.clear();
            if (!pending.isEmpty()) {
                List<SandboxEvent> rest = new ArrayList<>(pending.size());
                pending.forEach(q -> rest.add(q.event()));
                pending.clear();
                abandoned.add(new Batch(rest, null, 0));
            }
            for (Batch b : abandoned) {
                giveUp(b, "the sink was closed before it went out");
            }
        }
        if (!drained) {
            LOG.warn("sandbox webhook sink closed with events still pending");
        }
        timer.shutdownNow();
        // Interrupts posts still running after the timeout; they count themselves as failed.
        senders.shutdownNow();
    }

    /** Options of an {@link HttpWebhookSink}; {@link #build()} validates. */
    public static final class Builder {
        private final URI url;
        private final String secret;
        private Duration timeout = Duration.ofSeconds(10);
        private int maxInFlight = DEFAULT_MAX_IN_FLIGHT;
        private int maxBatch = DEFAULT_MAX_BATCH;
        private Duration linger = DEFAULT_LINGER;
        private int maxOutstanding = MAX_OUTSTANDING;
        private Backoff retry = DEFAULT_RETRY;
        private Clock clock = Clock.systemUTC();

        private Builder(URI url, String secret) {
            this.url = url;
            this.secret = secret;
        }

        /** Connect and request timeout (default 10 s); also how long {@code close} drains. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** Batches posted at a time (default {@value #DEFAULT_MAX_IN_FLIGHT}). */
        public Builder maxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
            return this;
        }

        /** Most events per request (default {@value HttpWebhookSink#DEFAULT_MAX_BATCH}). */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Longest an event waits for others to fill its batch (default 50 ms). */
        public Builder linger(Duration linger) {
            this.linger = linger;
            return this;
        }

        /** Events kept at most before new ones are dropped (default {@value #MAX_OUTSTANDING}). */
        public Builder maxOutstanding(int maxOutstanding) {
            this.maxOutstanding = maxOutstanding;
            return this;
        }

        /** Delay before each retry (default 200 ms doubling, at most 5 s). */
        public Builder retry(Backoff retry) {
            this.retry = retry;
            return this;
        }

        /** Clock of the signature timestamps. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public HttpWebhookSink build() {
            return new HttpWebhookSink(this);
        }
    }
}
