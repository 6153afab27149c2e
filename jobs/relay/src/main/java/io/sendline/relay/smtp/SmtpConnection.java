package io.sendline.relay.smtp;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import io.sendline.relay.classify.Redaction;
import io.sendline.relay.classify.SmtpReplyClassifier;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.NoSuchProviderException;
import jakarta.mail.Session;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.util.SharedByteArrayInputStream;
import java.io.IOException;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP connection of an {@link SmtpRelay}, used by one thread at a time. Connects lazily,
 * reconnects after a failure, after {@link SmtpSettings#maxMessagesPerConnection()} messages, and
 * when a NOOP after {@link SmtpSettings#idleCheckAfter()} of idleness finds it dead (servers drop
 * idle clients).
 */
final class SmtpConnection {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpConnection.class);

    /** Postfix/SendGrid/Postmark "queued as X", Exim "id=X", others "<X> Queued". */
    private static final Pattern QUEUE_ID =
            Pattern.compile(
                    "(?:queued as|\\bid=|message id is)\\s*<?([A-Za-z0-9._@+=-]{3,200})>?",
                    Pattern.CASE_INSENSITIVE);

    private static final Pattern EMBEDDED_REPLY =
            Pattern.compile("response:\\s*([2-5]\\d\\d)(?:[ -]|$)");

    private final Session session;
    private final SmtpSettings settings;
    private final AtomicLong connects;
    private SMTPTransport transport;
    private boolean connected;
    private int sentOnConnection;
    private long lastUsedNanos;

    SmtpConnection(Session session, SmtpSettings settings, AtomicLong connects) {
        this.session = session;
        this.settings = settings;
        this.connects = connects;
    }

    RelayResult send(OutboundMessage message) {
        SMTPMessage mime;
        InternetAddress[] recipients;
        try {
            // Parsed from the composed bytes and never saved: written back out unchanged.
            byte[] bytes = JobIdHeaders.apply(message.mime(), message.jobId(), settings.provider());
            mime = new SMTPMessage(session, new SharedByteArrayInputStream(bytes));
            if (message.envelopeFrom() != null) {
                mime.setEnvelopeFrom(message.envelopeFrom());
            }
        } catch (MessagingException e) {
            return new RelayResult.Failed(
                    Outcome.PERMANENT_POLICY,
                    0,
                    null,
                    "composed message is not valid MIME: " + e.getMessage(),
                    null);
        }
        try {
            recipients = new InternetAddress[] {new InternetAddress(message.recipient(), true)};
        } catch (AddressException | RuntimeException e) {
            return new RelayResult.Failed(
                    Outcome.PERMANENT_RECIPIENT,
                    0,
                    "5.1.3",
                    "recipient address is not valid",
                    null);
        }
        try {
            ensureConnected();
        } catch (MessagingException e) {
            close();
            return classify(e);
        }
        try {
            transport.sendMessage(mime, recipients);
            sentOnConnection++;
            lastUsedNanos = System.nanoTime();
            return new RelayResult.Accepted(providerMessageId(transport, mime));
        } catch (MessagingException e) {
            RelayResult.Failed failed = classify(e);
            if (!recipientRejected(e) || failed.replyCode() == 421) {
                // The transaction died half-way: start the next one on a fresh connection.
                close();
            } else {
                lastUsedNanos = System.nanoTime();
            }
            return failed;
        }
    }

    private void ensureConnected() throws MessagingException {
        if (connected && sentOnConnection >= settings.maxMessagesPerConnection()) {
            close();
        }
        if (connected
                && System.nanoTime() - lastUsedNanos > settings.idleCheckAfter().toNanos()
                && !transport.isConnected()) {
            // isConnected() sent NOOP (or RSET) and got no good answer.
            close();
        }
        if (!connected) {
            if (transport == null) {
                try {
                    transport =
                            (SMTPTransport)
                                    session.getTransport(
                                            settings.tls() == SmtpSettings.Tls.IMPLICIT
                                                    ? "smtps"
                                                    : "smtp");
                } catch (NoSuchProviderException e) {
                    throw new IllegalStateException("angus-mail SMTP provider is missing", e);
                }
            }
            connects.incrementAndGet();
            transport.connect(
                    settings.host(), settings.port(), settings.username(), settings.password());
            connected = true;
            sentOnConnection = 0;
            lastUsedNanos = System.nanoTime();
        }
    }

    void close() {
        if (transport != null) {
            try {
                transport.close();
            } catch (MessagingException | RuntimeException e) {
                LOG.debug("closing an SMTP connection failed", e);
            }
        }
        transport = null;
        connected = false;
    }

    /** True when only the RCPT was refused: the transport has already reset the transaction. */
    private static boolean recipientRejected(MessagingException e) {
        for (Exception x = e; x != null; x = next(x)) {
            if (x instanceof SMTPAddressFailedException) {
                return true;
            }
        }
        return false;
    }

    /** The SMTP reply behind {@code e}, classified; no reply at all is a retryable failure. */
    static RelayResult.Failed classify(MessagingException e) {
        for (Exception x = e; x != null; x = next(x)) {
            // A return code below 400 (Angus uses -1) means the server never answered.
            if (x instanceof SMTPAddressFailedException
                    && ((SMTPAddressFailedException) x).getReturnCode() >= 400) {
                SMTPAddressFailedException a = (SMTPAddressFailedException) x;
                return failure(a.getReturnCode(), a.getMessage());
            }
            if (x instanceof SMTPSenderFailedException
                    && ((SMTPSenderFailedException) x).getReturnCode() >= 400) {
                SMTPSenderFailedException s = (SMTPSenderFailedException) x;
                return failure(s.getReturnCode(), s.getMessage());
            }
            if (x instanceof SMTPSendFailedException
                    && ((SMTPSendFailedException) x).getReturnCode() >= 400) {
                SMTPSendFailedException s = (SMTPSendFailedException) x;
                return failure(s.getReturnCode(), s.getMessage());
            }
        }
        for (Throwable x = e; x != null; x = x.getCause()) {
            if (x instanceof IOException) {
                return new RelayResult.Failed(
                        Outcome.RETRYABLE,
                        0,
                        null,
                        "connection error: "
                                + x.getClass().getSimpleName()
                                + (x.getMessage() == null
                                        ? ""
                                        : ": " + Redaction.detail(x.getMessage())),
                        null);
            }
        }
        String text = e.getMessage();
        int code = SmtpReplyClassifier.replyCode(text);
        if (code == 0 && text != null) {
            // "Got bad greeting from SMTP host: h, port: p, response: 421 4.7.0 ..."
            Matcher m = EMBEDDED_REPLY.matcher(text);
            if (m.find()) {
                text = text.substring(m.start(1));
                code = SmtpReplyClassifier.replyCode(text);
            }
        }
        if (code == 0 && e instanceof AuthenticationFailedException) {
            code = 535;
        }
        if (code != 0) {
            return SmtpReplyClassifier.failure(code, text);
        }
        return new RelayResult.Failed(Outcome.RETRYABLE, 0, null, Redaction.detail(text), null);
    }

    private static RelayResult.Failed failure(int code, String text) {
        if (code >= 200 && code < 300) {
            // Should not happen for a failure; treat as "no usable reply".
            return new RelayResult.Failed(
                    Outcome.RETRYABLE, code, null, Redaction.detail(text), null);
        }
        return SmtpReplyClassifier.failure(code, text);
    }

    private static Exception next(Exception x) {
        if (x instanceof MessagingException) {
            Exception n = ((MessagingException) x).getNextException();
            if (n != null && n != x) {
                return n;
            }
        }
        return null;
    }

    /** The queue id from "250 2.0.0 Ok: queued as X", else the Message-ID, else a local id. */
    static String providerMessageId(String reply, String messageId) {
        if (reply != null) {
            Matcher m = QUEUE_ID.matcher(reply);
            if (m.find()) {
                return m.group(1);
            }
        }
        if (messageId != null && !messageId.isBlank()) {
            return messageId.strip();
        }
        return "smtp-" + UUID.randomUUID();
    }

    private static String providerMessageId(SMTPTransport t, SMTPMessage m) {
        String messageId;
        try {
            messageId = m.getMessageID();
        } catch (MessagingException e) {
            messageId = null;
        }
        return providerMessageId(t.getLastServerResponse(), messageId);
    }
}
