package io.sendline.bench.relay;

import io.undertow.Undertow;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP endpoint on loopback (Undertow, the edge's server) that answers every SES v2 SendEmail
 * with a message id and checks nothing: the far end for the SES relay's figures, so that what is
 * measured is the SDK's own work per message (SigV4 signing, JSON with the base64 MIME, HTTP).
 * Counts distinct client connections by remote port. (The JDK's HttpServer was tried first: under
 * concurrent keep-alive load it left some requests unanswered until the client timed out.)
 */
final class LocalSesEndpoint implements AutoCloseable {

    private static final byte[] OK =
            "{\"MessageId\":\"0102018c-bench\"}".getBytes(StandardCharsets.US_ASCII);

    private final Undertow server;
    private final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();
    private final AtomicLong requests = new AtomicLong();

    LocalSesEndpoint() {
        server =
                Undertow.builder()
                        .addHttpListener(0, "127.0.0.1")
                        .setIoThreads(1)
                        .setWorkerThreads(2)
                        .setHandler(this::handle)
                        .build();
        server.start();
    }

    String url() {
        InetSocketAddress a = (InetSocketAddress) server.getListenerInfo().get(0).getAddress();
        return "http://127.0.0.1:" + a.getPort();
    }

    int connections() {
        return clientPorts.size();
    }

    private void handle(HttpServerExchange x) {
        // The body is read and dropped as it arrives: collecting it (receiveFullBytes) made this
        // endpoint the largest CPU user in a profile of the SES rows.
        x.getRequestReceiver()
                .receivePartialBytes(
                        (ex, chunk, last) -> {
                            if (!last) {
                                return;
                            }
                            clientPorts.add(ex.getSourceAddress().getPort());
                            requests.incrementAndGet();
                            ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
                            ex.getResponseSender().send(ByteBuffer.wrap(OK));
                        });
    }

    @Override
    public void close() {
        server.stop();
    }
}
