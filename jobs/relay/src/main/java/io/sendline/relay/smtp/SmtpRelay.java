package io.sendline.relay.smtp;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayResult;
import jakarta.mail.Session;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends through any SMTP relay (SendGrid, Mailgun, Postmark, an MTA) with Jakarta Mail. Keeps
 * {@link SmtpSettings#poolSize()} connections open and reuses them: a fixed pool of worker threads,
 * each borrowing one {@link SmtpConnection} at a time, so a connection is only ever used by one
 * thread. The composed MIME is sent byte for byte (headers and DKIM signature included), with the
 * job id headers of {@link JobIdHeaders} put in front. STARTTLS and AUTH as configured. {@link
 * #send} queues and returns at once; when more than {@link SmtpSettings#queueCapacity()} messages
 * wait, it answers THROTTLED rather than block.
 */
public final class SmtpRelay implements Relay {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelay.class);
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final SmtpSettings settings;
    private final ThreadPoolExecutor workers;
    private final BlockingQueue<SmtpConnection> connections;
    private final AtomicLong connects = new AtomicLong();
    private volatile boolean closed;
    private volatile boolean terminated;

    public SmtpRelay(SmtpSettings settings) {
        this.settings = Objects.requireNonNull(settings, "smtp settings");
        Session session = Session.getInstance(sessionProperties(settings));
        this.connections = new ArrayBlockingQueue<>(settings.poolSize());
        for (int i = 0; i < settings.poolSize(); i++) {
            connections.add(new SmtpConnection(session, settings, connects));
        }
        int n = INSTANCES.incrementAndGet();
        AtomicInteger threadNo = new AtomicInteger();
        this.workers =
                new ThreadPoolExecutor(
                        settings.poolSize(),
                        settings.poolSize(),
                        0,
                        TimeUnit.MILLISECONDS,
                        new ArrayBlockingQueue<>(settings.queueCapacity()),
                        r -> {
                            Thread t =
                                    new Thread(
                                            r,
                                            "smtp-relay-" + n + "-" + threadNo.incrementAndGet());
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** The Jakarta Mail session properties for {@code s}. */
    static Properties sessionProperties(SmtpSettings s) {
        String p = s.tls() == SmtpSettings.Tls.IMPLICIT ? "mail.smtps." : "mail.smtp.";
        Properties props = new Properties();
        props.setProperty(p + "host", s.host());
        props.setProperty(p + "port", Integer.toString(s.port()));
        props.setProperty(p + "connectiontimeout", Long.toString(s.connectTimeout().toMillis()));
        props.setProperty(p + "timeout", Long.toString(s.readTimeout().toMillis()));
        // A write blocked on a server that stopped reading is not caught by the read timeout.
        props.setProperty(p + "writetimeout", Long.toString(s.readTimeout().toMillis()));
        props.setProperty(p + "auth", Boolean.toString(s.authenticates()));
        props.put(p + "socketFactory", NoDelaySocketFactory.INSTANCE);
        // Close without waiting for the reply to QUIT: nothing depends on it.
        props.setProperty(p + "quitwait", "false");
        // The MIME is sent as composed; never let the transport re-encode it.
        props.setProperty(p + "allow8bitmime", "false");
        switch (s.tls()) {
            case STARTTLS:
                props.setProperty(p + "starttls.enable", "true");
                props.setProperty(p + "starttls.required", "true");
                break;
            case STARTTLS_OPTIONAL:
                props.setProperty(p + "starttls.enable", "true");
                break;
            case IMPLICIT:
                props.setProperty(p + "ssl.enable", "true");
                break;
            default:
                break;
        }
        if (s.tls() != SmtpSettings.Tls.NONE) {
            props.setProperty(p + "ssl.protocols", "TLSv1.3 TLSv1.2");
            if (s.sslTrust() == null) {
                props.setProperty(p + "ssl.checkserveridentity", "true");
            } else {
                // Trusting a certificate without validation makes a host name check moot (and
                // Angus checks the name by default, which test certificates fail).
                props.setProperty(p + "ssl.trust", s.sslTrust());
                props.setProperty(p + "ssl.checkserveridentity", "false");
            }
        }
        if (s.heloName() != null) {
            props.setProperty(p + "localhost", s.heloName());
        }
        return props;
    }

    @Override
    public String name() {
        return SmtpSettings.TYPE;
    }

    /** Connections opened so far (reconnects included); for tests and metrics. */
    public long connectionsOpened() {
        return connects.get();
    }

    @Override
    public CompletableFuture<RelayResult> send(OutboundMessage message) {
        CompletableFuture<RelayResult> result = new CompletableFuture<>();
        if (closed) {
            result.complete(
                    new RelayResult.Failed(
                            Outcome.RETRYABLE, 0, null, "SMTP relay is closed", null));
            return result;
        }
        try {
            workers.execute(new SendTask(message, result));
        } catch (RejectedExecutionException e) {
            result.complete(
                    new RelayResult.Failed(
                            closed ? Outcome.RETRYABLE : Outcome.THROTTLED,
                            0,
                            null,
                            closed
                                    ? "SMTP relay is closed"
                                    : "SMTP relay queue is full ("
                                            + settings.queueCapacity()
                                            + " waiting)",
                            null));
        }
        return result;
    }

    private RelayResult sendNow(OutboundMessage message) {
        SmtpConnection c;
        try {
            c = connections.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new RelayResult.Failed(
                    Outcome.RETRYABLE, 0, null, "interrupted while waiting for a connection", null);
        }
        try {
            return c.send(message);
        } catch (RuntimeException e) {
            // A bug or an unexpected library failure must still complete the future.
            LOG.error("SMTP send failed unexpectedly", e);
            c.close();
            return new RelayResult.Failed(
                    Outcome.RETRYABLE, 0, null, "unexpected: " + e.getClass().getName(), null);
        } finally {
            connections.add(c);
            if (terminated) {
                // close() has already swept the idle connections: do not leave this one open.
                c.close();
            }
        }
    }

    /** One queued send; kept as a type so that sends never run at close can still be answered. */
    private final class SendTask implements Runnable {
        final OutboundMessage message;
        final CompletableFuture<RelayResult> result;

        SendTask(OutboundMessage message, CompletableFuture<RelayResult> result) {
            this.message = message;
            this.result = result;
        }

        @Override
        public void run() {
            result.complete(sendNow(message));
        }
    }

    /** Stops taking messages, lets queued ones finish (up to the read timeout), closes. */
    @Override
    public void close() {
        if (closed && terminated) {
            return;
        }
        closed = true;
        workers.shutdown();
        try {
            if (!workers.awaitTermination(
                    settings.readTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)) {
                abandonQueued();
            }
        } catch (InterruptedException e) {
            abandonQueued();
            Thread.currentThread().interrupt();
        }
        terminated = true;
        for (SmtpConnection c : connections) {
            c.close();
        }
    }

    /** Stops the workers and answers every send that never ran, so no caller waits forever. */
    private void abandonQueued() {
        for (Runnable r : workers.shutdownNow()) {
            if (r instanceof SendTask) {
                ((SendTask) r)
                        .result.complete(
                                new RelayResult.Failed(
                                        Outcome.RETRYABLE,
                                        0,
                                        null,
                                        "SMTP relay closed before the message was sent",
                                        null));
            }
        }
    }
}
