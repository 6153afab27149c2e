package io.sendline.bench.webhook;

import io.sendline.edge.EdgeConfig;
import io.sendline.edge.EdgeServer;
import io.sendline.edge.auth.ApiKeys;
import io.sendline.embedded.EmbeddedKafka;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.relay.sandbox.HttpWebhookSink;
import io.sendline.relay.sandbox.SandboxEvent;
import io.sendline.relay.sandbox.SandboxEventSink;
import io.sendline.schemas.Topics;
import io.sendline.schemas.db.Migrations;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Sandbox webhook events per second through the real path (sink → HTTP → edge {@code
 * /webhooks/sandbox} → HMAC → Kafka {@code email.relay-events}, acknowledged), all in this JVM with
 * an in-process broker and embedded PostgreSQL, printed as a Markdown table (docs/relays.md).
 * Sinks: the per-event {@code sendAsync} sink as it was ({@link PerEventWebhookSink}), today's
 * {@link HttpWebhookSink} with batches of 1 (blocking sends, no batching) and with its defaults
 * (batches of up to 500 events or 50 ms). Loads: closed loop ({@code --window} events outstanding
 * at most) and a fixed offered rate ({@code --rate} events/s, about what the 2-core load test
 * makes). CPU is the whole JVM's (sink, edge, broker, harness) per event, and as cores busy.
 *
 * <pre>
 * WebhookThroughput [--seconds 10] [--warmup 5] [--rate 1500] [--window 5000]
 *                   [--sinks per-event-async,per-event-blocking,batched]
 * </pre>
 */
public final class WebhookThroughput {

    static final String SECRET = "bench-sandbox-secret-0123456789";

    private WebhookThroughput() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
        }
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "10"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "5"));
        int rate = Integer.parseInt(a.getOrDefault("rate", "1500"));
        int window = Integer.parseInt(a.getOrDefault("window", "5000"));
        List<String> sinks =
                List.of(
                        a.getOrDefault("sinks", "per-event-async,per-event-blocking,batched")
                                .split(","));
        try (EmbeddedKafka kafka = EmbeddedKafka.start();
                EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            Migrations.apply(pg.dataSource());
            kafka.createTopics(
                    Arrays.stream(Topics.values())
                            .collect(Collectors.toMap(Topics::topic, Topics::compacted)),
                    4);
            Properties p = new Properties();
            p.setProperty(EdgeConfig.Keys.PORT, "0");
            p.setProperty(
                    EdgeConfig.Keys.API_KEYS,
                    "bench:" + ApiKeys.hash("bench-key-0123456789abcdef"));
            p.setProperty(EdgeConfig.Keys.KAFKA_BOOTSTRAP, kafka.bootstrapServers());
            p.setProperty(EdgeConfig.Keys.JDBC_URL, pg.jdbcUrl());
            p.setProperty(EdgeConfig.Keys.JDBC_USER, pg.user());
            p.setProperty(EdgeConfig.Keys.JDBC_PASSWORD, pg.password());
            p.setProperty(EdgeConfig.Keys.TRACKING_BASE_URL, "http://t.example.com");
            p.setProperty(EdgeConfig.Keys.TRACKING_SECRET, "bench-tracking-secret-0123456789ab");
            p.setProperty(EdgeConfig.Keys.SANDBOX_SECRET, SECRET);
            try (EdgeServer edge = EdgeServer.start(EdgeConfig.fromProperties(p))) {
                URI url = URI.create("http://127.0.0.1:" + edge.port() + "/webhooks/sandbox");
                System.out.println(
                        "| sink | load | events/s | events/request | CPU µs/event | cores busy"
                                + " | threads started / 1k events |");
                System.out.println("|---|---|---:|---:|---:|---:|---:|");
                for (String name : sinks) {
                    for (int offered : new int[] {0, rate}) {
                        Sink sink = sink(name, url);
                        try {
                            run(sink, offered, window, warmup); // warm-up, not printed
                            Result r = run(sink, offered, window, seconds);
                            System.out.printf(
                                    "| %s | %s | %,.0f | %.1f | %.1f | %.2f | %.1f |%n",
                                    name,
                                    offered == 0
                                            ? "closed loop, ≤ " + window + " outstanding"
                                            : String.format("%,d events/s offered", offered),
                                    r.perSecond,
                                    r.eventsPerRequest,
                                    r.cpuMicrosPerEvent,
                                    r.coresBusy,
                                    r.threadsPerThousand);
                            if (sink.failed.getAsLong() > 0) {
                                System.out.println(
                                        "  (!) " + sink.failed.getAsLong() + " events failed");
                            }
                        } finally {
                            sink.close();
                        }
                    }
                }
            }
        }
    }

    private record Sink(
            SandboxEventSink sink,
            LongSupplier delivered,
            LongSupplier failed,
            LongSupplier requests) {
        void close() {
            sink.close();
        }
    }

    private static Sink sink(String name, URI url) {
        switch (name) {
            case "per-event-async":
                PerEventWebhookSink old = new PerEventWebhookSink(url, SECRET);
                return new Sink(old, old::delivered, old::failed, old::requests);
            case "per-event-blocking":
                return of(
                        HttpWebhookSink.builder(url, SECRET)
                                .maxBatch(1)
                                .linger(Duration.ZERO)
                                .build());
            case "batched":
                return of(HttpWebhookSink.builder(url, SECRET).build());
            default:
                throw new IllegalArgumentException("unknown sink " + name);
        }
    }

    private static Sink of(HttpWebhookSink s) {
        return new Sink(s, s::delivered, s::failed, s::requests);
    }

    private record Result(
            double perSecond,
            double eventsPerRequest,
            double cpuMicrosPerEvent,
            double coresBusy,
            double threadsPerThousand) {}

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * Publishes for {@code seconds} (at {@code rate} events/s, or as fast as {@code window}
     * outstanding events allow when 0), then waits until everything is delivered.
     */
    private static Result run(Sink s, int rate, int window, int seconds)
            throws InterruptedException {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long delivered0 = s.delivered.getAsLong() + s.failed.getAsLong();
        long requests0 = s.requests.getAsLong();
        long threads0 = threads.getTotalStartedThreadCount();
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        long published = 0;
        String run = UUID.randomUUID().toString().substring(0, 8);
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            long allowed =
                    rate > 0
                            ? (now - start) * rate / 1_000_000_000L
                            : s.delivered.getAsLong() + s.failed.getAsLong() - delivered0 + window;
            if (published >= allowed) {
                LockSupport.parkNanos(rate > 0 ? 1_000_000 : 100_000);
                continue;
            }
            while (published < allowed) {
                s.sink.publish(event(run, published++));
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (s.delivered.getAsLong() + s.failed.getAsLong() - delivered0 < published
                && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        double secs = (System.nanoTime() - start) / 1e9;
        long cpu = cpuNanos() - cpu0;
        long n = Math.max(1, published);
        long requests = Math.max(1, s.requests.getAsLong() - requests0);
        return new Result(
                published / secs,
                (double) published / requests,
                cpu / 1e3 / n,
                cpu / 1e9 / secs,
                (threads.getTotalStartedThreadCount() - threads0) * 1000.0 / n);
    }

    private static SandboxEvent event(String run, long i) {
        String id = run + "-" + i;
        return new SandboxEvent(
                "ev-" + id,
                SandboxEvent.Type.DELIVERED,
                "job-" + id,
                "sandbox-" + id,
                "success+" + i + "@simulator.sendline.dev",
                null,
                null,
                null,
                null,
                Instant.now());
    }
}
