package io.sendline.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.sendline.relay.OutboundMessage;
import io.sendline.relay.Outcome;
import io.sendline.relay.Relay;
import io.sendline.relay.RelayFactory;
import io.sendline.relay.RelayResult;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SMTP relay over real sockets: GreenMail, and a scripted server for errors and TLS. */
class SmtpRelayITCase {

    private static final String FROM = "bounces@mail.example.com";

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    static byte[] mime(String to, String subject) {
        String m =
                "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=s1; c=relaxed/relaxed;\r\n"
                        + "\th=from:to:subject:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
                        + "\tb=dGVzdA==\r\n"
                        + "From: Example <hello@example.com>\r\n"
                        + "To: <"
                        + to
                        + ">\r\n"
                        + "Subject: "
                        + subject
                        + "\r\n"
                        + "Message-ID: <"
                        + subject
                        + "@example.com>\r\n"
                        + "MIME-Version: 1.0\r\n"
                        + "Content-Type: text/plain; charset=utf-8\r\n"
                        + "Content-Transfer-Encoding: 7bit\r\n"
                        + "\r\n"
                        + "Hello,\r\n"
                        + ".a line starting with a dot\r\n"
                        + "bye\r\n";
        return m.getBytes(StandardCharsets.US_ASCII);
    }

    static OutboundMessage message(String jobId, String to) {
        return new OutboundMessage(jobId, "bulk", FROM, to, mime(to, "s-" + jobId), Map.of());
    }

    private <T extends AutoCloseable> T closing(T c) {
        toClose.add(c);
        return c;
    }

    private static RelayResult await(CompletableFuture<RelayResult> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private ScriptedSmtpServer scripted(boolean starttls, String user, String password)
            throws Exception {
        return closing(new ScriptedSmtpServer(starttls, user, password));
    }

    private SmtpRelay relay(SmtpSettings.Builder b) {
        return closing(new SmtpRelay(b.build()));
    }

    private static SmtpSettings.Builder plain(int port) {
        return SmtpSettings.builder()
                .host("127.0.0.1")
                .port(port)
                .tls(SmtpSettings.Tls.NONE)
                .readTimeout(Duration.ofSeconds(5))
                .connectTimeout(Duration.ofSeconds(2));
    }

    private GreenMail greenMail() {
        GreenMail g =
                new GreenMail(
                                ServerSetup.dynamicPort(
                                        new ServerSetup[] {
                                            ServerSetupTest.SMTP, ServerSetupTest.SMTPS
                                        }))
                        .withConfiguration(
                                GreenMailConfiguration.aConfig()
                                        .withUser("relay@example.com", "relayuser", "s3cret"));
        g.start();
        closing(g::stop);
        return g;
    }

    @Test
    void deliversToGreenMailWithAuthAndTheJobIdHeader() throws Exception {
        GreenMail g = greenMail();
        Relay relay =
                closing(
                        RelayFactory.create(
                                Map.of(
                                        "relay.pool.bulk.type", "smtp",
                                        "relay.pool.bulk.smtp.host", "127.0.0.1",
                                        "relay.pool.bulk.smtp.port",
                                                Integer.toString(g.getSmtp().getPort()),
                                        "relay.pool.bulk.smtp.tls", "none",
                                        "relay.pool.bulk.smtp.username", "relayuser",
                                        "relay.pool.bulk.smtp.password", "s3cret",
                                        "relay.pool.bulk.smtp.poolSize", "2")));
        List<CompletableFuture<RelayResult>> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(relay.send(message("job-" + i, "rcpt" + i + "@example.org")));
        }
        for (CompletableFuture<RelayResult> f : sent) {
            assertThat(await(f)).isInstanceOf(RelayResult.Accepted.class);
        }
        assertThat(g.waitForIncomingEmail(10_000, 5)).isTrue();
        MimeMessage[] got = g.getReceivedMessages();
        assertThat(got).hasSize(5);
        List<String> jobIds = new ArrayList<>();
        for (MimeMessage m : got) {
            jobIds.add(m.getHeader(JobIdHeaders.SENDLINE_HEADER, null));
            assertThat(m.getHeader("DKIM-Signature", null)).contains("d=example.com");
        }
        assertThat(jobIds).containsExactlyInAnyOrder("job-0", "job-1", "job-2", "job-3", "job-4");
    }

    @Test
    void wrongPasswordIsAPolicyFailureThatNeverSuppresses() throws Exception {
        GreenMail g = greenMail();
        SmtpRelay relay = relay(plain(g.getSmtp().getPort()).auth("relayuser", "not-the-password"));
        RelayResult r = await(relay.send(message("job-auth", "someone@example.org")));
        assertThat(r).isInstanceOf(RelayResult.Failed.class);
        RelayResult.Failed f = (RelayResult.Failed) r;
        assertThat(f.replyCode()).isEqualTo(535);
        assertThat(f.outcome()).isEqualTo(Outcome.PERMANENT_POLICY);
        assertThat(f.outcome().suppressesRecipient()).isFalse();
        assertThat(g.getReceivedMessages()).isEmpty();
    }

    @Test
    void sendsOverImplicitTlsToGreenMail() throws Exception {
        GreenMail g = greenMail();
        SmtpRelay relay =
                relay(
                        plain(g.getSmtps().getPort())
                                .tls(SmtpSettings.Tls.IMPLICIT)
                                .sslTrust("*")
                                .auth("relayuser", "s3cret"));
        assertThat(await(relay.send(message("job-tls", "tls@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        assertThat(g.waitForIncomingEmail(10_000, 1)).isTrue();
    }

    @Test
    void upgradesWithStarttlsThenAuthenticatesAndSendsTheBytesUnchanged() throws Exception {
        ScriptedSmtpServer server = scripted(true, "relayuser", "s3cret");
        SmtpRelay relay =
                relay(
                        plain(server.port())
                                .tls(SmtpSettings.Tls.STARTTLS)
                                .sslTrust("*")
                                .auth("relayuser", "s3cret"));
        OutboundMessage m = message("job-starttls", "tls@example.org");
        RelayResult r = await(relay.send(m));
        assertThat(r).isEqualTo(new RelayResult.Accepted("Q1x1"));
        ScriptedSmtpServer.Received got = server.received().get(0);
        assertThat(got.tls()).isTrue();
        assertThat(got.mailFrom()).isEqualTo(FROM);
        assertThat(got.rcpts()).containsExactly("tls@example.org");
        // The job id header in front, then the composed bytes exactly as given (DKIM intact).
        String expected =
                "X-Sendline-Job-Id: job-starttls\r\n"
                        + new String(m.mime(), StandardCharsets.US_ASCII);
        assertThat(got.text()).isEqualTo(expected);
    }

    @Test
    void requiredStarttlsIsNotSkippedWhenTheServerDoesNotOfferIt() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay = relay(plain(server.port()).tls(SmtpSettings.Tls.STARTTLS).sslTrust("*"));
        RelayResult r = await(relay.send(message("job-nostarttls", "a@example.org")));
        assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(((RelayResult.Failed) r).detail()).containsIgnoringCase("STARTTLS");
        assertThat(server.received()).isEmpty();
    }

    @Test
    void unknownMailboxAtRcptIsAHardBounceAndTheConnectionIsKept() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.replyToRcpt(
                "gone@example.org",
                "550 5.1.1 <gone@example.org>: Recipient address rejected: User unknown");
        SmtpRelay relay = relay(plain(server.port()).poolSize(1));
        RelayResult r = await(relay.send(message("job-gone", "gone@example.org")));
        assertThat(r).isInstanceOf(RelayResult.Failed.class);
        RelayResult.Failed f = (RelayResult.Failed) r;
        assertThat(f.outcome()).isEqualTo(Outcome.PERMANENT_RECIPIENT);
        assertThat(f.outcome().suppressesRecipient()).isTrue();
        assertThat(f.replyCode()).isEqualTo(550);
        assertThat(f.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(f.detail()).doesNotContain("gone@example.org");
        assertThat(await(relay.send(message("job-next", "ok@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void policyRejectionAfterDataDoesNotSuppress() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.replyToData(
                "fine@example.org",
                "554 5.7.1 Message rejected: Email address is not verified by the provider");
        SmtpRelay relay = relay(plain(server.port()));
        RelayResult.Failed f =
                (RelayResult.Failed) await(relay.send(message("job-policy", "fine@example.org")));
        assertThat(f.outcome()).isEqualTo(Outcome.PERMANENT_POLICY);
        assertThat(f.replyCode()).isEqualTo(554);
        assertThat(f.enhancedStatus()).isEqualTo("5.7.1");
        assertThat(f.outcome().suppressesRecipient()).isFalse();
    }

    @Test
    void temporaryRepliesAreRetryableWithTheServersHint() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.replyToRcpt("grey@example.org", "451 4.7.1 Greylisted, please retry in 300 seconds");
        server.replyToRcpt("full@example.org", "452 4.2.2 Mailbox full");
        server.replyToData(
                "busy@example.org", "421 4.7.0 Too many messages, try again in 2 minutes");
        server.replyToData("later@example.org", "451 4.3.0 Temporary local problem");
        SmtpRelay relay = relay(plain(server.port()).poolSize(1));

        RelayResult.Failed grey =
                (RelayResult.Failed) await(relay.send(message("j1", "grey@example.org")));
        assertThat(grey.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(grey.retryAfter()).isEqualTo(Duration.ofSeconds(300));

        RelayResult.Failed full =
                (RelayResult.Failed) await(relay.send(message("j2", "full@example.org")));
        assertThat(full.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(full.enhancedStatus()).isEqualTo("4.2.2");

        RelayResult.Failed busy =
                (RelayResult.Failed) await(relay.send(message("j3", "busy@example.org")));
        assertThat(busy.outcome()).isEqualTo(Outcome.THROTTLED);
        assertThat(busy.outcome().throttlesPool()).isTrue();
        assertThat(busy.retryAfter()).isEqualTo(Duration.ofMinutes(2));

        RelayResult.Failed later =
                (RelayResult.Failed) await(relay.send(message("j4", "later@example.org")));
        assertThat(later.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(later.replyCode()).isEqualTo(451);

        assertThat(await(relay.send(message("j5", "ok@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        assertThat(server.received()).hasSize(1);
    }

    @Test
    void greetingRefusalIsAThrottle() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.greeting(
                "421 4.7.0 mx.example.org Too many concurrent connections, try again later");
        SmtpRelay relay = relay(plain(server.port()));
        RelayResult.Failed f =
                (RelayResult.Failed) await(relay.send(message("job-busy", "a@example.org")));
        assertThat(f.replyCode()).isEqualTo(421);
        assertThat(f.outcome()).isEqualTo(Outcome.THROTTLED);
    }

    @Test
    void droppedConnectionDuringDataIsRetryableAndTheNextSendReconnects() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.dropDuringData("drop@example.org");
        SmtpRelay relay = relay(plain(server.port()).poolSize(1));
        assertThat(await(relay.send(message("j0", "ok@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        RelayResult r = await(relay.send(message("j-drop", "drop@example.org")));
        assertThat(r.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(((RelayResult.Failed) r).replyCode()).isZero();
        assertThat(await(relay.send(message("j2", "ok2@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        assertThat(server.connections()).isEqualTo(2);
        assertThat(server.received())
                .extracting(ScriptedSmtpServer.Received::rcpts)
                .containsExactly(List.of("ok@example.org"), List.of("ok2@example.org"));
    }

    @Test
    void aServerThatNeverAnswersTimesOutRetryably() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        server.stallAfterData("stuck@example.org");
        SmtpRelay relay =
                relay(plain(server.port()).poolSize(1).readTimeout(Duration.ofSeconds(1)));
        RelayResult.Failed f =
                (RelayResult.Failed) await(relay.send(message("job-stuck", "stuck@example.org")));
        assertThat(f.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(f.replyCode()).isZero();
        assertThat(f.detail()).contains("SocketTimeoutException");
        assertThat(await(relay.send(message("job-after", "ok@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
    }

    @Test
    void anIdleConnectionTheServerDroppedIsCheckedAndReplacedBeforeUse() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay =
                relay(plain(server.port()).poolSize(1).idleCheckAfter(Duration.ofMillis(100)));
        assertThat(await(relay.send(message("j1", "a@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        server.dropConnections();
        Thread.sleep(300);
        assertThat(await(relay.send(message("j2", "b@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        assertThat(server.connections()).isEqualTo(2);
    }

    @Test
    void withoutTheIdleCheckADroppedConnectionCostsARetry() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay =
                relay(plain(server.port()).poolSize(1).idleCheckAfter(Duration.ofHours(1)));
        assertThat(await(relay.send(message("j1", "a@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
        server.dropConnections();
        Thread.sleep(300);
        assertThat(await(relay.send(message("j2", "b@example.org"))).outcome())
                .isEqualTo(Outcome.RETRYABLE);
        assertThat(await(relay.send(message("j3", "c@example.org"))))
                .isInstanceOf(RelayResult.Accepted.class);
    }

    @Test
    void connectionRefusedIsRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        SmtpRelay relay = relay(plain(port));
        RelayResult.Failed f =
                (RelayResult.Failed) await(relay.send(message("job-refused", "a@example.org")));
        assertThat(f.outcome()).isEqualTo(Outcome.RETRYABLE);
        assertThat(f.detail()).contains("connection error");
    }

    @Test
    void reusesPooledConnectionsAcrossManyMessages() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay = relay(plain(server.port()).poolSize(3));
        List<CompletableFuture<RelayResult>> sent = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sent.add(relay.send(message("job-" + i, "r" + i + "@example.org")));
        }
        for (CompletableFuture<RelayResult> f : sent) {
            assertThat(await(f)).isInstanceOf(RelayResult.Accepted.class);
        }
        assertThat(server.received()).hasSize(60);
        // At most one connection per pooled slot, each used for many messages.
        assertThat(server.connections()).isBetween(1, 3);
        assertThat(relay.connectionsOpened()).isEqualTo(server.connections());
    }

    @Test
    void reconnectsAfterMaxMessagesPerConnection() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay = relay(plain(server.port()).poolSize(1).maxMessagesPerConnection(10));
        for (int i = 0; i < 25; i++) {
            assertThat(await(relay.send(message("job-" + i, "r" + i + "@example.org"))))
                    .isInstanceOf(RelayResult.Accepted.class);
        }
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void providerHeadersCarryTheJobIdForTheirWebhooks() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay sendgrid = relay(plain(server.port()).provider(SmtpSettings.Provider.SENDGRID));
        SmtpRelay mailgun = relay(plain(server.port()).provider(SmtpSettings.Provider.MAILGUN));
        await(sendgrid.send(message("job-sg", "a@example.org")));
        await(mailgun.send(message("job-mg", "b@example.org")));
        List<String> texts =
                server.received().stream().map(ScriptedSmtpServer.Received::text).toList();
        assertThat(texts)
                .anySatisfy(
                        t ->
                                assertThat(t)
                                        .startsWith(
                                                "X-Sendline-Job-Id: job-sg\r\n"
                                                        + "X-SMTPAPI: {\"unique_args\":"
                                                        + "{\"sendline-job-id\":\"job-sg\"}}\r\n"))
                .anySatisfy(
                        t ->
                                assertThat(t)
                                        .contains(
                                                "X-Mailgun-Variables: "
                                                        + "{\"sendline-job-id\":\"job-mg\"}\r\n"));
    }

    @Test
    void closeAnswersEverySend() throws Exception {
        ScriptedSmtpServer server = scripted(false, null, null);
        SmtpRelay relay = new SmtpRelay(plain(server.port()).poolSize(2).build());
        List<CompletableFuture<RelayResult>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(relay.send(message("job-" + i, "r" + i + "@example.org")));
        }
        relay.close();
        for (CompletableFuture<RelayResult> f : sent) {
            assertThat(f).isDone();
        }
        assertThat(await(relay.send(message("late", "x@example.org"))).outcome())
                .isEqualTo(Outcome.RETRYABLE);
    }
}
