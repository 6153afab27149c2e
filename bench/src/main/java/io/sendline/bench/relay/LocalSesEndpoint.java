package io.sendline.bench.relay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP endpoint on loopback that answers every SES v2 SendEmail with a message id and checks
 * nothing: the far end for the SES relay's figures, so that what is measured is the SDK's own work
 * per message (SigV4 signing, JSON with the base64 MIME, HTTP). Counts distinct client connections
 * by remote port.
 */
final class LocalSesEndpoint implements AutoCloseable {

    private static final byte[] OK =
            "{\"MessageId\":\"0102018c-bench\"}".getBytes(StandardCharsets.US_ASCII);

    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(4);
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();

    LocalSesEndpoint() throws IOException {
        // Without it the JDK server writes headers and body as two segments and the second waits
        // for a delayed ACK (~40 ms): the figures would measure that. Read once, at first use.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    int connections() {
        return clientPorts.size();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            x.getRequestBody().readAllBytes();
            clientPorts.add(x.getRemoteAddress().getPort());
            requests.incrementAndGet();
            x.getResponseHeaders().set("Content-Type", "application/json");
            x.sendResponseHeaders(200, OK.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(OK);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
