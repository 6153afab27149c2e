package io.sendline.bench.edge;

import io.sendline.compose.tracking.TrackingLinks;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * A small HTTP/1.1 load generator for the edge: N keep-alive connections driven by one thread
 * (non-blocking sockets, so the generator costs little CPU on a 2-core box), each sending its next
 * request as soon as the previous answer arrived (closed loop). Bounded in time and in count, and
 * refuses any target that is not a loopback address.
 *
 * <pre>
 * EdgeLoad --url http://127.0.0.1:8080 --scenario open|click|send|batch
 *          [--connections 64] [--seconds 20] [--warmup 5] [--max-requests 5000000] [--rate R]
 *          [--api-key KEY] [--tracking-secret SECRET] [--tracking-base http://t.example.com]
 *          [--batch-size 500] [--print-paths N]
 * </pre>
 *
 * {@code --print-paths N} prints N signed request paths of the open or click scenario and sends
 * nothing (input for wrk, see docs/edge.md).
 *
 * <p>Without {@code --rate} each connection sends its next request as soon as the previous answer
 * arrived (closed loop: the most the edge can do). With {@code --rate R} requests start on a fixed
 * schedule of R per second over the idle connections and latency counts from the scheduled start,
 * so time spent queueing behind a slow answer is included (no coordinated omission).
 *
 * <p>Prints requests/s, emails/s (for send and batch), the latency percentiles (HdrHistogram, µs
 * resolution) and the count of each status code.
 */
public final class EdgeLoad {

    private final Map<String, String> args;

    private EdgeLoad(Map<String, String> args) {
        this.args = args;
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < argv.length; i += 2) {
            if (!argv[i].startsWith("--")) {
                throw new IllegalArgumentException("expected --name value, got " + argv[i]);
            }
            a.put(argv[i].substring(2), argv[i + 1]);
        }
        System.exit(new EdgeLoad(a).run() ? 0 : 1);
    }

    private String arg(String name, String dflt) {
        String v = args.get(name);
        if (v == null && dflt == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v == null ? dflt : v;
    }

    boolean run() throws Exception {
        URI url = URI.create(arg("url", "http://127.0.0.1:8080"));
        InetAddress host = loopbackOnly(url.getHost());
        int port = url.getPort() < 0 ? 80 : url.getPort();
        String scenario = arg("scenario", null);
        int connections = Integer.parseInt(arg("connections", "64"));
        int seconds = Integer.parseInt(arg("seconds", "20"));
        int warmup = Integer.parseInt(arg("warmup", "5"));
        long maxRequests = Long.parseLong(arg("max-requests", "5000000"));
        double rate = Double.parseDouble(arg("rate", "0"));
        if (seconds > 600 || warmup > 120) {
            throw new IllegalArgumentException(
                    "runs are bounded: --seconds <= 600, --warmup <= 120");
        }
        Requests requests = requests(scenario, url.getHost() + ":" + port);
        int print = Integer.parseInt(arg("print-paths", "0"));
        if (print > 0) {
            // For wrk: one request path per line (GET scenarios), no load sent.
            for (int i = 0; i < print && i < requests.prepared.size(); i++) {
                String line = new String(requests.prepared.get(i), StandardCharsets.US_ASCII);
                System.out.println(line.substring(line.indexOf(' ') + 1, line.indexOf(" HTTP/")));
            }
            return true;
        }
        System.out.printf(
                "edge load: %s against %s:%d, %d connections, %d s (+%d s warm-up)%n",
                scenario, host.getHostAddress(), port, connections, seconds, warmup);
        if (warmup > 0) {
            drive(host, port, connections, warmup, maxRequests, rate, requests, null);
        }
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Result r = drive(host, port, connections, seconds, maxRequests, rate, requests, h);
        double secs = r.nanos / 1e9;
        System.out.printf(
                "%s: %d requests in %.1f s = %.0f requests/s%s%n",
                scenario,
                r.completed,
                secs,
                r.completed / secs,
                requests.emailsPerRequest > 0
                        ? String.format(
                                ", %.0f emails/s", r.completed * requests.emailsPerRequest / secs)
                        : "");
        System.out.printf(
                "latency µs: p50 %d, p90 %d, p99 %d, p99.9 %d, max %d (%s, %d connections)%n",
                h.getValueAtPercentile(50),
                h.getValueAtPercentile(90),
                h.getValueAtPercentile(99),
                h.getValueAtPercentile(99.9),
                h.getMaxValue(),
                rate > 0 ? "scheduled at " + (long) rate + " requests/s" : "closed loop",
                connections);
        System.out.println(
                "status codes: "
                        + r.statuses
                        + (r.errors > 0 ? ", connection errors: " + r.errors : ""));
        return r.errors == 0
                && r.statuses.keySet().stream().allMatch(s -> s == requests.expectedStatus);
    }

    static InetAddress loopbackOnly(String host) throws UnknownHostException {
        InetAddress a = InetAddress.getByName(host);
        if (!a.isLoopbackAddress()) {
            throw new IllegalArgumentException(
                    "load is only ever sent to a loopback address, not " + host);
        }
        return a;
    }

    /** What to send: a rotating set of prepared requests. */
    static final class Requests {
        final List<byte[]> prepared;
        final int emailsPerRequest;
        final int expectedStatus;
        int next;

        Requests(List<byte[]> prepared, int emailsPerRequest, int expectedStatus) {
            this.prepared = prepared;
            this.emailsPerRequest = emailsPerRequest;
            this.expectedStatus = expectedStatus;
        }

        byte[] next() {
            byte[] r = prepared.get(next);
            next = (next + 1) % prepared.size();
            return r;
        }
    }

    private Requests requests(String scenario, String hostHeader) {
        List<byte[]> out = new ArrayList<>();
        switch (scenario) {
            case "open", "click" -> {
                TrackingLinks links =
                        new TrackingLinks(
                                arg("tracking-base", "http://t.example.com"),
                                arg("tracking-secret", null).getBytes(StandardCharsets.UTF_8));
                String base = links.baseUrl();
                for (int i = 0; i < 10_000; i++) {
                    String job = UUID.randomUUID().toString();
                    String path =
                            (scenario.equals("open")
                                            ? links.openUrl(job)
                                            : links.clickUrl(
                                                    job,
                                                    "https://shop.example.com/item/"
                                                            + i
                                                            + "?utm_source=mail"))
                                    .substring(base.length());
                    out.add(get(path, hostHeader));
                }
                return new Requests(out, 0, scenario.equals("open") ? 200 : 302);
            }
            case "send" -> {
                for (int i = 0; i < 10_000; i++) {
                    out.add(post("/v1/emails", hostHeader, email(i)));
                }
                return new Requests(out, 1, 202);
            }
            case "batch" -> {
                int size = Integer.parseInt(arg("batch-size", "500"));
                for (int b = 0; b < 8; b++) {
                    StringBuilder s = new StringBuilder(size * 300).append("{\"emails\":[");
                    for (int i = 0; i < size; i++) {
                        s.append(i == 0 ? "" : ",").append(email(b * size + i));
                    }
                    out.add(post("/v1/emails/batch", hostHeader, s.append("]}").toString()));
                }
                return new Requests(out, size, 200);
            }
            default ->
                    throw new IllegalArgumentException(
                            "--scenario must be open, click, send or batch");
        }
    }

    private static String email(int i) {
        return "{\"to\":\"user"
                + i
                + "@example.com\",\"from\":\"news@example.com\","
                + "\"subject\":\"Your order {{ order }}\",\"html\":\"<p>Hello {{ name }}, order {{ order }} shipped.</p>\","
                + "\"variables\":{\"name\":\"User "
                + i
                + "\",\"order\":\"A-"
                + i
                + "\"},"
                + "\"tags\":[\"bench\"],\"metadata\":{\"seq\":\""
                + i
                + "\"}}";
    }

    private static byte[] get(String path, String host) {
        return ("GET "
                        + path
                        + " HTTP/1.1\r\nHost: "
                        + host
                        + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux) EdgeLoad\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    private byte[] post(String path, String host, String json) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head =
                ("POST "
                                + path
                                + " HTTP/1.1\r\nHost: "
                                + host
                                + "\r\nAuthorization: Bearer "
                                + arg("api-key", null)
                                + "\r\nContent-Type: application/json\r\nContent-Length: "
                                + body.length
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    static final class Result {
        long completed;
        long errors;
        long nanos;
        final Map<Integer, Long> statuses = new TreeMap<>();
    }

    /** One connection's state. */
    static final class Conn {
        final SocketChannel channel;
        ByteBuffer out;
        final ByteBuffer in = ByteBuffer.allocate(64 * 1024);
        long started;
        int status;
        int headerEnd = -1;
        long contentLength = -1;

        Conn(SocketChannel channel) {
            this.channel = channel;
        }
    }

    private static Result drive(
            InetAddress host,
            int port,
            int connections,
            int seconds,
            long maxRequests,
            double rate,
            Requests requests,
            Histogram h)
            throws IOException {
        Result result = new Result();
        long interval = rate > 0 ? (long) (1e9 / rate) : 0;
        ArrayDeque<SelectionKey> idle = new ArrayDeque<>();
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
        try (Selector selector = Selector.open()) {
            List<Conn> conns = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port));
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                ch.configureBlocking(false);
                Conn c = new Conn(ch);
                conns.add(c);
                if (interval > 0) {
                    idle.add(ch.register(selector, 0, c));
                } else {
                    ch.register(selector, SelectionKey.OP_WRITE, c);
                    c.out = ByteBuffer.wrap(requests.next());
                    c.started = System.nanoTime();
                }
            }
            long sent = interval > 0 ? 0 : connections;
            if (interval > 0) {
                // The schedule starts once every connection is open: connecting is not latency.
                start = System.nanoTime();
                deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            }
            long nextAt = start;
            int open = connections;
            while (open > 0 && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30)) {
                if (interval > 0) {
                    long now = System.nanoTime();
                    while (!idle.isEmpty()
                            && now >= nextAt
                            && nextAt < deadline
                            && sent < maxRequests) {
                        SelectionKey k = idle.poll();
                        Conn c = (Conn) k.attachment();
                        c.out = ByteBuffer.wrap(requests.next());
                        c.started = nextAt; // latency counts from the scheduled start
                        nextAt += interval;
                        sent++;
                        k.interestOps(SelectionKey.OP_WRITE);
                    }
                    if ((now >= deadline || sent >= maxRequests) && idle.size() == open) {
                        break;
                    }
                    long waitMs = Math.max(1, (nextAt - System.nanoTime()) / 1_000_000);
                    selector.select(Math.min(100, waitMs));
                } else {
                    selector.select(100);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Conn c = (Conn) key.attachment();
                    try {
                        if (key.isWritable()) {
                            c.channel.write(c.out);
                            if (!c.out.hasRemaining()) {
                                key.interestOps(SelectionKey.OP_READ);
                            }
                        } else if (key.isReadable()) {
                            if (c.channel.read(c.in) < 0) {
                                throw new IOException("closed by server");
                            }
                            if (responseComplete(c)) {
                                long now = System.nanoTime();
                                result.completed++;
                                result.statuses.merge(c.status, 1L, Long::sum);
                                if (h != null) {
                                    h.recordValue(
                                            Math.min(
                                                    h.getHighestTrackableValue(),
                                                    (now - c.started) / 1000));
                                }
                                c.in.clear();
                                c.headerEnd = -1;
                                c.contentLength = -1;
                                if (interval > 0) {
                                    key.interestOps(0);
                                    idle.add(key);
                                } else if (now < deadline && sent < maxRequests) {
                                    c.out = ByteBuffer.wrap(requests.next());
                                    c.started = System.nanoTime();
                                    sent++;
                                    key.interestOps(SelectionKey.OP_WRITE);
                                } else {
                                    key.cancel();
                                    c.channel.close();
                                    open--;
                                }
                            }
                        }
                    } catch (IOException e) {
                        result.errors++;
                        key.cancel();
                        c.channel.close();
                        idle.remove(key);
                        open--;
                    }
                }
            }
            for (Conn c : conns) {
                c.channel.close();
            }
        }
        result.nanos = System.nanoTime() - start;
        return result;
    }

    /** Parses the status line and Content-Length; true once headers and body are in. */
    private static boolean responseComplete(Conn c) throws IOException {
        ByteBuffer b = c.in;
        int len = b.position();
        byte[] a = b.array();
        if (c.headerEnd < 0) {
            for (int i = 3; i < len; i++) {
                if (a[i] == '\n' && a[i - 1] == '\r' && a[i - 2] == '\n' && a[i - 3] == '\r') {
                    c.headerEnd = i + 1;
                    break;
                }
            }
            if (c.headerEnd < 0) {
                if (!b.hasRemaining()) {
                    throw new IOException("response headers too large");
                }
                return false;
            }
            String head = new String(a, 0, c.headerEnd, StandardCharsets.ISO_8859_1);
            c.status = Integer.parseInt(head.substring(9, 12));
            int i = head.toLowerCase(java.util.Locale.ROOT).indexOf("\r\ncontent-length:");
            if (i < 0) {
                throw new IOException("responses without Content-Length are not supported");
            }
            int end = head.indexOf('\r', i + 2);
            c.contentLength = Long.parseLong(head.substring(i + 17, end).trim());
        }
        long have = len - c.headerEnd;
        if (have >= c.contentLength) {
            return true;
        }
        if (!b.hasRemaining()) {
            // A large body: keep only what is needed to count it.
            long rest = c.contentLength - have;
            b.clear();
            c.headerEnd = 0;
            c.contentLength = rest;
        }
        return false;
    }
}
