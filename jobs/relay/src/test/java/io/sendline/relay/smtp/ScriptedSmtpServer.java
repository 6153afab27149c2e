package io.sendline.relay.smtp;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * A small SMTP server on a real socket, for what GreenMail cannot do: scripted replies per
 * recipient (4xx/5xx at RCPT or after DATA), a connection dropped in the middle of DATA, STARTTLS
 * (with GreenMail's test certificate), and a count of the TCP connections it accepted. One thread
 * per connection; everything it received is kept for assertions.
 */
final class ScriptedSmtpServer implements AutoCloseable {

    /** One message as the server received it. */
    record Received(int connection, String mailFrom, List<String> rcpts, byte[] data, boolean tls) {
        String text() {
            return new String(data, StandardCharsets.ISO_8859_1);
        }
    }

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final boolean starttls;
    private final String user;
    private final String password;
    private final SSLContext ssl;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> rcptReplies = new ConcurrentHashMap<>();
    private final Map<String, String> dataReplies = new ConcurrentHashMap<>();
    private final Set<String> dropInData = ConcurrentHashMap.newKeySet();
    private final Set<String> stallAfterData = ConcurrentHashMap.newKeySet();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile String greeting = "220 scripted.test ESMTP ready";

    /**
     * @param starttls advertise STARTTLS (and refuse MAIL before it)
     * @param user with {@code password}: require AUTH (PLAIN or LOGIN); null for none
     */
    ScriptedSmtpServer(boolean starttls, String user, String password) throws Exception {
        this.starttls = starttls;
        this.user = user;
        this.password = password;
        this.ssl = starttls ? sslContext() : null;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** TCP connections accepted so far. */
    int connections() {
        return connections.get();
    }

    List<Received> received() {
        return new ArrayList<>(received);
    }

    /** Answer RCPT TO for {@code rcpt} with {@code reply} (e.g. "550 5.1.1 user unknown"). */
    void replyToRcpt(String rcpt, String reply) {
        rcptReplies.put(rcpt.toLowerCase(Locale.ROOT), reply);
    }

    /** Answer the end of DATA of a message to {@code rcpt} with {@code reply}. */
    void replyToData(String rcpt, String reply) {
        dataReplies.put(rcpt.toLowerCase(Locale.ROOT), reply);
    }

    /** Close the connection after the first few lines of DATA of a message to {@code rcpt}. */
    void dropDuringData(String rcpt) {
        dropInData.add(rcpt.toLowerCase(Locale.ROOT));
    }

    /** Never answer the end of DATA of a message to {@code rcpt} (the client must time out). */
    void stallAfterData(String rcpt) {
        stallAfterData.add(rcpt.toLowerCase(Locale.ROOT));
    }

    /** Closes every client connection from the server's side, as an idle timeout does. */
    void dropConnections() throws IOException {
        for (Socket s : open) {
            s.close();
        }
    }

    /** The greeting line, e.g. "421 4.7.0 too busy" to refuse every connection. */
    void greeting(String line) {
        this.greeting = line;
    }

    private static SSLContext sslContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in =
                ScriptedSmtpServer.class.getClassLoader().getResourceAsStream("greenmail.p12")) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                int n = connections.incrementAndGet();
                open.add(s);
                threads.execute(() -> serve(s, n));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket, int connection) {
        Session s = new Session(socket, connection);
        try {
            s.run();
        } catch (SocketException e) {
            // Client went away.
        } catch (IOException e) {
            // Same.
        } finally {
            try {
                s.socket.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            open.remove(socket);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) {
            s.close();
        }
        threads.shutdownNow();
    }

    private final class Session {
        Socket socket;
        InputStream in;
        OutputStream out;
        final int connection;
        boolean tls;
        boolean authenticated;
        boolean greeted;
        String mailFrom;
        final List<String> rcpts = new ArrayList<>();

        Session(Socket socket, int connection) {
            this.socket = socket;
            this.connection = connection;
        }

        void run() throws IOException {
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            reply(greeting);
            if (!greeting.startsWith("220")) {
                return;
            }
            while (true) {
                String line = readLine();
                if (line == null) {
                    return;
                }
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO") || upper.startsWith("HELO")) {
                    greeted = true;
                    reset();
                    List<String> ext = new ArrayList<>();
                    ext.add("scripted.test");
                    ext.add("PIPELINING");
                    ext.add("8BITMIME");
                    if (starttls && !tls) {
                        ext.add("STARTTLS");
                    }
                    if (user != null && (tls || !starttls)) {
                        ext.add("AUTH PLAIN LOGIN");
                    }
                    for (int i = 0; i < ext.size(); i++) {
                        reply("250" + (i == ext.size() - 1 ? " " : "-") + ext.get(i));
                    }
                } else if (upper.equals("STARTTLS")) {
                    if (!starttls || tls) {
                        reply("502 5.5.1 not available");
                        continue;
                    }
                    reply("220 2.0.0 Ready to start TLS");
                    SSLSocket t =
                            (SSLSocket)
                                    ssl.getSocketFactory()
                                            .createSocket(
                                                    socket,
                                                    socket.getInetAddress().getHostAddress(),
                                                    socket.getPort(),
                                                    true);
                    t.setUseClientMode(false);
                    t.startHandshake();
                    socket = t;
                    in = new BufferedInputStream(t.getInputStream());
                    out = t.getOutputStream();
                    tls = true;
                    greeted = false;
                    reset();
                } else if (upper.startsWith("AUTH ")) {
                    auth(line);
                } else if (upper.startsWith("MAIL FROM:")) {
                    if (starttls && !tls) {
                        reply("530 5.7.0 Must issue a STARTTLS command first");
                    } else if (user != null && !authenticated) {
                        reply("530 5.7.0 Authentication required");
                    } else {
                        reset();
                        mailFrom = address(line);
                        reply("250 2.1.0 Ok");
                    }
                } else if (upper.startsWith("RCPT TO:")) {
                    String rcpt = address(line);
                    String scripted = rcptReplies.get(rcpt.toLowerCase(Locale.ROOT));
                    if (mailFrom == null) {
                        reply("503 5.5.1 need MAIL first");
                    } else if (scripted != null) {
                        reply(scripted);
                    } else {
                        rcpts.add(rcpt);
                        reply("250 2.1.5 Ok");
                    }
                } else if (upper.equals("DATA")) {
                    if (rcpts.isEmpty()) {
                        reply("554 5.5.1 no valid recipients");
                        continue;
                    }
                    reply("354 End data with <CR><LF>.<CR><LF>");
                    boolean drop = rcpts.stream().anyMatch(r -> dropInData.contains(lower(r)));
                    byte[] data = readData(drop);
                    if (data == null) {
                        socket.close();
                        return;
                    }
                    if (rcpts.stream().anyMatch(r -> stallAfterData.contains(lower(r)))) {
                        // Read until the client gives up and closes.
                        while (readLine() != null) {
                            // discard
                        }
                        return;
                    }
                    String scripted = null;
                    for (String r : rcpts) {
                        scripted = dataReplies.get(lower(r));
                        if (scripted != null) {
                            break;
                        }
                    }
                    if (scripted != null) {
                        reply(scripted);
                    } else {
                        received.add(
                                new Received(connection, mailFrom, List.copyOf(rcpts), data, tls));
                        reply("250 2.0.0 Ok: queued as Q" + connection + "x" + received.size());
                    }
                    reset();
                } else if (upper.equals("RSET")) {
                    reset();
                    reply("250 2.0.0 Ok");
                } else if (upper.equals("NOOP")) {
                    reply("250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    reply("221 2.0.0 Bye");
                    return;
                } else {
                    reply("502 5.5.2 Error: command not recognized");
                }
            }
        }

        private void auth(String line) throws IOException {
            String[] parts = line.split(" ");
            String mech = parts.length > 1 ? parts[1].toUpperCase(Locale.ROOT) : "";
            String u;
            String p;
            if (mech.equals("PLAIN")) {
                String b64 = parts.length > 2 ? parts[2] : null;
                if (b64 == null) {
                    reply("334 ");
                    b64 = readLine();
                }
                String[] f = decode(b64).split("\0", -1);
                u = f.length > 1 ? f[1] : "";
                p = f.length > 2 ? f[2] : "";
            } else if (mech.equals("LOGIN")) {
                if (parts.length > 2) {
                    u = decode(parts[2]);
                } else {
                    reply("334 VXNlcm5hbWU6");
                    u = decode(readLine());
                }
                reply("334 UGFzc3dvcmQ6");
                p = decode(readLine());
            } else {
                reply("504 5.5.4 unrecognized authentication type");
                return;
            }
            if (user != null && user.equals(u) && password.equals(p)) {
                authenticated = true;
                reply("235 2.7.0 Authentication successful");
            } else {
                reply("535 5.7.8 Error: authentication failed");
            }
        }

        private String decode(String b64) {
            if (b64 == null) {
                return "";
            }
            return new String(Base64.getDecoder().decode(b64.trim()), StandardCharsets.UTF_8);
        }

        private void reset() {
            mailFrom = null;
            rcpts.clear();
        }

        private String lower(String s) {
            return s.toLowerCase(Locale.ROOT);
        }

        private String address(String line) {
            int lt = line.indexOf('<');
            int gt = line.indexOf('>', lt + 1);
            return lt >= 0 && gt > lt
                    ? line.substring(lt + 1, gt)
                    : line.substring(line.indexOf(':') + 1).trim();
        }

        /** The message up to the lone dot, unstuffed; null when dropping the connection. */
        private byte[] readData(boolean drop) throws IOException {
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            int lines = 0;
            while (true) {
                byte[] line = readRawLine();
                if (line == null) {
                    return null;
                }
                if (drop && ++lines >= 3) {
                    return null;
                }
                if (line.length == 1 && line[0] == '.') {
                    return data.toByteArray();
                }
                int from = line.length > 0 && line[0] == '.' ? 1 : 0;
                data.write(line, from, line.length - from);
                data.write('\r');
                data.write('\n');
            }
        }

        private String readLine() throws IOException {
            byte[] b = readRawLine();
            return b == null ? null : new String(b, StandardCharsets.ISO_8859_1);
        }

        /** One line without its CRLF, or null at the end of the stream. */
        private byte[] readRawLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream(128);
            while (true) {
                int c = in.read();
                if (c < 0) {
                    return null;
                }
                if (c == '\n') {
                    byte[] b = line.toByteArray();
                    int n = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    byte[] r = new byte[n];
                    System.arraycopy(b, 0, r, 0, n);
                    return r;
                }
                line.write(c);
            }
        }

        private void reply(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }
    }
}
