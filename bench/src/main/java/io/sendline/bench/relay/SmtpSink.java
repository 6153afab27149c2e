package io.sendline.bench.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A minimal SMTP server on loopback that accepts every message and keeps nothing but counts: the
 * far end for relay throughput figures, cheap enough that the relay, not the server, is measured.
 * An optional delay before the reply to DATA stands in for the round trip and queueing of a remote
 * relay (SendGrid, an MTA across the network).
 */
final class SmtpSink implements AutoCloseable {

    private static final byte[] OK = "250 2.0.0 Ok\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool(SmtpSink::daemon);
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final long dataDelayMillis;

    SmtpSink(long dataDelayMillis) throws IOException {
        this.dataDelayMillis = dataDelayMillis;
        this.server = new ServerSocket(0, 256, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    private static Thread daemon(Runnable r) {
        Thread t = new Thread(r, "smtp-sink");
        t.setDaemon(true);
        return t;
    }

    int port() {
        return server.getLocalPort();
    }

    int connections() {
        return connections.get();
    }

    long messages() {
        return messages.get();
    }

    long bytes() {
        return bytes.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                connections.incrementAndGet();
                open.add(s);
                threads.execute(() -> serve(s));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 64 * 1024);
            OutputStream out = new BufferedOutputStream(s.getOutputStream(), 4096);
            write(out, "220 sink ESMTP\r\n");
            byte[] line = new byte[8192];
            while (true) {
                int n = readLine(in, line);
                if (n < 0) {
                    return;
                }
                String cmd =
                        new String(line, 0, Math.min(n, 10), StandardCharsets.US_ASCII)
                                .toUpperCase(Locale.ROOT);
                if (cmd.startsWith("EHLO")) {
                    write(out, "250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n");
                } else if (cmd.startsWith("HELO")) {
                    write(out, "250 sink\r\n");
                } else if (cmd.startsWith("DATA")) {
                    write(out, "354 go ahead\r\n");
                    long size = 0;
                    while (true) {
                        int m = readLine(in, line);
                        if (m < 0) {
                            return;
                        }
                        if (m == 1 && line[0] == '.') {
                            break;
                        }
                        size += m + 2;
                    }
                    if (dataDelayMillis > 0) {
                        Thread.sleep(dataDelayMillis);
                    }
                    messages.incrementAndGet();
                    bytes.addAndGet(size);
                    out.write(OK);
                    out.flush();
                } else if (cmd.startsWith("QUIT")) {
                    write(out, "221 bye\r\n");
                    return;
                } else {
                    // MAIL, RCPT, RSET, NOOP
                    out.write(OK);
                    out.flush();
                }
            }
        } catch (IOException e) {
            // client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    /** Reads one line (without CRLF, truncated to the buffer) into {@code buf}; -1 at the end. */
    private static int readLine(InputStream in, byte[] buf) throws IOException {
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return -1;
            }
            if (c == '\n') {
                return n > 0 && buf[n - 1] == '\r' ? n - 1 : n;
            }
            if (n < buf.length) {
                buf[n++] = (byte) c;
            }
        }
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }
}
