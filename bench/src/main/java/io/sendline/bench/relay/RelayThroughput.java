package io.sendline.bench.relay;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import io.sendline.relay.sandbox.SandboxEventSink;
import io.sendline.relay.sandbox.SandboxRelay;
import io.sendline.relay.sandbox.SandboxSettings;
import io.sendline.relay.ses.SesRelay;
import io.sendline.relay.ses.SesSettings;
import io.sendline.relay.smtp.SmtpRelay;
import io.sendline.relay.smtp.SmtpSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * Messages per second through the relays, printed as a Markdown table (docs/relays.md):
 *
 * <ul>
 *   <li>the SMTP relay ({@link SmtpRelay}, Jakarta/Angus Mail, pooled connections) to a local
 *       {@link SmtpSink} with N = 1, 4, 16 connections, the sink answering at once and after a
 *       simulated remote delay;
 *   <li>the SES relay (AWS SDK v2: SigV4, JSON, base64 of the MIME) to a local HTTP endpoint that
 *       answers SendEmail at once: the client's own cost per message;
 *   <li>the sandbox relay, without and with webhook events (to a counting sink).
 * </ul>
 *
 * Sends are closed-loop with a bound on messages in flight ({@code 2 × N + 16} for SMTP, 64 for
 * SES, 256 for the sandbox), so the relay's queue never grows; latency is from {@code send} to the
 * completed future. Each row warms up for {@code --warmup} seconds and at least {@value
 * #WARMUP_MESSAGES} messages (except the SMTP rows with a slow far end, warmed by the rows before).
 * CPU µs/msg is the whole JVM's CPU time (relay, far end, harness) over the measured messages:
 * steadier than messages/s when other work shares the machine.
 *
 * <pre>
 * RelayThroughput [--seconds 5] [--warmup 2] [--size 10240] [--delay-ms 20] [--connections 1,4,16]
 *                 [--relays smtp,ses,sandbox]
 * </pre>
 */
public final class RelayThroughput {

    /** Fewest messages sent before measuring. */
    static final int WARMUP_MESSAGES = 10_000;

    private RelayThroughput() {}

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = args(argv);
        int seconds = Integer.parseInt(a.getOrDefault("seconds", "5"));
        int warmup = Integer.parseInt(a.getOrDefault("warmup", "2"));
        int size = Integer.parseInt(a.getOrDefault("size", "10240"));
        long delayMs = Long.parseLong(a.getOrDefault("delay-ms", "20"));
        List<String> relays = List.of(a.getOrDefault("relays", "smtp,ses,sandbox").split(","));
        List<Integer> conns = new ArrayList<>();
        for (String c : a.getOrDefault("connections", "1,4,16").split(",")) {
            conns.add(Integer.parseInt(c.trim()));
        }
        byte[] mime = mime(size);
        System.out.printf(
                "# relay throughput: %d s per row after %d s warm-up, message %d bytes, %d cores,"
                        + " Java %s%n%n",
                seconds,
                warmup,
                mime.length,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));
        System.out.println(
                "| relay | connections | far end | messages/s | p50 ms | p99 ms | CPU µs/msg"
                        + " | far-end connections |");
        System.out.println("|---|---:|---|---:|---:|---:|---:|---:|");
        for (long delay : relays.contains("smtp") ? new long[] {0, delayMs} : new long[0]) {
            for (int n : conns) {
                try (SmtpSink sink = new SmtpSink(delay);
                        SmtpRelay relay =
                                new SmtpRelay(
                                        SmtpSettings.builder()
                                                .host("127.0.0.1")
                                                .port(sink.port())
                                                .tls(SmtpSettings.Tls.NONE)
                                                .poolSize(n)
                                                .maxMessagesPerConnection(1_000_000)
                                                .build())) {
                    // Rows with a slow far end are latency-bound; the rows before warmed the code.
                    Result r =
                            run(
                                    relay,
                                    mime,
                                    2 * n + 16,
                                    warmup,
                                    seconds,
                                    delay == 0 ? WARMUP_MESSAGES : 0);
                    row(
                            "smtp",
                            Integer.toString(n),
                            "local sink, "
                                    + (delay == 0
                                            ? "replies at once"
                                            : "replies after " + delay + " ms"),
                            r,
                            Integer.toString(sink.connections()));
                }
            }
        }
        for (SesSettings.HttpClientKind kind :
                relays.contains("ses")
                        ? SesSettings.HttpClientKind.values()
                        : new SesSettings.HttpClientKind[0]) {
            try (LocalSesEndpoint endpoint = new LocalSesEndpoint();
                    SesRelay relay =
                            SesRelay.create(
                                    SesSettings.builder()
                                            .region("eu-west-1")
                                            .endpoint(endpoint.url())
                                            .configurationSet("bench")
                                            .maxConcurrency(32)
                                            .httpClient(kind)
                                            .build(),
                                    StaticCredentialsProvider.create(
                                            AwsBasicCredentials.create(
                                                    "AKIDBENCH", "bench-secret-key")))) {
                Result r = run(relay, mime, 64, warmup, seconds);
                row(
                        "ses (" + kind.name().toLowerCase(java.util.Locale.ROOT) + " client)",
                        "32",
                        "local HTTP endpoint, replies at once",
                        r,
                        Integer.toString(endpoint.connections()));
            }
        }
        if (!relays.contains("sandbox")) {
            return;
        }
        SandboxSettings quiet =
                SandboxSettings.builder().ledger("bench-" + System.nanoTime()).build();
        try (SandboxRelay relay = new SandboxRelay(quiet, SandboxEventSink.NONE)) {
            row("sandbox", "-", "no events", run(relay, mime, 256, warmup, seconds), "-");
        }
        AtomicLong events = new AtomicLong();
        SandboxSettings withEvents =
                SandboxSettings.builder()
                        .ledger("bench-events-" + System.nanoTime())
                        .eventDelay(Duration.ZERO)
                        .build();
        try (SandboxRelay relay = new SandboxRelay(withEvents, e -> events.incrementAndGet())) {
            Result r = run(relay, mime, 256, warmup, seconds);
            // Events go out on the sandbox's scheduler thread: report how long they lag behind.
            long drainStart = System.nanoTime();
            long want = relay.ledger().total();
            while (events.get() < want && System.nanoTime() - drainStart < 30_000_000_000L) {
                Thread.sleep(1);
            }
            row(
                    "sandbox",
                    "-",
                    String.format(
                            "DELIVERED event per message (all %,d events out %d ms after the"
                                    + " last send)",
                            events.get(), (System.nanoTime() - drainStart) / 1_000_000),
                    r,
                    "-");
        }
    }

    private static void row(String relay, String conns, String farEnd, Result r, String farConns) {
        System.out.printf(
                "| %s | %s | %s | %,.0f | %.3f | %.3f | %,.1f | %s |%n",
                relay,
                conns,
                farEnd,
                r.perSecond,
                r.p50Ms,
                r.p99Ms,
                r.cpuMicrosPerMessage,
                farConns);
    }

    /**
     * @param cpuMicrosPerMessage CPU time of the whole JVM (relay, far end and harness) per
     *     message: steadier than messages/s on a shared machine
     */
    private record Result(
            double perSecond, double p50Ms, double p99Ms, double cpuMicrosPerMessage) {}

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static Result run(Relay relay, byte[] mime, int inFlight, int warmup, int seconds)
            throws InterruptedException {
        return run(relay, mime, inFlight, warmup, seconds, WARMUP_MESSAGES);
    }

    private static Result run(
            Relay relay, byte[] mime, int inFlight, int warmup, int seconds, int minWarm)
            throws InterruptedException {
        // Warm up for the given time and at least minWarm messages (capped at 30 s): a slow relay
        // on a busy machine would otherwise be measured in the interpreter, before the JIT.
        long warmed = 0;
        long warmStart = System.nanoTime();
        do {
            warmed += drive(relay, mime, inFlight, TimeUnit.SECONDS.toNanos(warmup), null);
        } while (warmed < minWarm && System.nanoTime() - warmStart < TimeUnit.SECONDS.toNanos(30));
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        long cpu0 = processCpuNanos();
        long start = System.nanoTime();
        long n = drive(relay, mime, inFlight, TimeUnit.SECONDS.toNanos(seconds), h);
        double secs = (System.nanoTime() - start) / 1e9;
        double cpuMicros = (processCpuNanos() - cpu0) / 1e3 / Math.max(1, n);
        return new Result(
                n / secs,
                h.getValueAtPercentile(50) / 1e6,
                h.getValueAtPercentile(99) / 1e6,
                cpuMicros);
    }

    /** Sends for {@code nanos}, at most {@code inFlight} at a time; returns messages accepted. */
    private static long drive(Relay relay, byte[] mime, int inFlight, long nanos, Histogram h)
            throws InterruptedException {
        Semaphore window = new Semaphore(inFlight);
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        long end = System.nanoTime() + nanos;
        long i = 0;
        while (System.nanoTime() < end) {
            window.acquire();
            long t0 = System.nanoTime();
            String jobId = "job-" + (i++ % 1_000_000);
            OutboundMessage m =
                    new OutboundMessage(
                            jobId,
                            "bench",
                            "bounces@example.com",
                            "r" + (i % 10_000) + "@example.org",
                            mime,
                            Map.of());
            relay.send(m)
                    .whenComplete(
                            (r, e) -> {
                                if (r instanceof RelayResult.Accepted) {
                                    accepted.incrementAndGet();
                                    if (h != null) {
                                        synchronized (h) {
                                            h.recordValue(
                                                    Math.min(
                                                            System.nanoTime() - t0,
                                                            h.getHighestTrackableValue()));
                                        }
                                    }
                                } else {
                                    failed.incrementAndGet();
                                }
                                window.release();
                            });
        }
        window.acquire(inFlight);
        if (failed.get() > 0) {
            System.err.println("warning: " + failed.get() + " sends failed");
        }
        return accepted.get();
    }

    /** A plain-text message of about {@code size} bytes, lines of 76 characters. */
    static byte[] mime(int size) {
        StringBuilder b =
                new StringBuilder(size + 512)
                        .append("From: Example <hello@example.com>\r\n")
                        .append("To: <someone@example.org>\r\n")
                        .append("Subject: Relay throughput\r\n")
                        .append("Message-ID: <bench@example.com>\r\n")
                        .append("MIME-Version: 1.0\r\n")
                        .append("Content-Type: text/plain; charset=us-ascii\r\n")
                        .append("Content-Transfer-Encoding: 7bit\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog. 0123456789 abcdefghijklmnopqrs";
        while (b.length() < size) {
            b.append(line, 0, 76 - 2).append("\r\n");
        }
        return b.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static Map<String, String> args(String[] argv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException(
                        "usage: RelayThroughput [--seconds 5] [--warmup 2] [--size 10240]"
                                + " [--delay-ms 20] [--connections 1,4,16]"
                                + " [--relays smtp,ses,sandbox]");
            }
            m.put(argv[i].substring(2), argv[++i]);
        }
        return m;
    }
}
