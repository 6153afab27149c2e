package io.sendline.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.relay.OutboundMessage;
import io.sendline.relay.RelayResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A DKIM signature made before the relay still verifies on what the SMTP server received, with the
 * job id headers the relay put in front (checked by Debian's python3-dkim, an independent
 * implementation that also signs the test message; .ci/run installs it).
 */
class DkimThroughSmtpRelayITCase {

    private static final String DOMAIN = "example.com";
    private static final String SELECTOR = "s2026";

    private static final String SCRIPT =
            "import sys, dkim\n"
                    + "mode = sys.argv[1]\n"
                    + "msg = open(sys.argv[2], 'rb').read()\n"
                    + "if mode == 'sign':\n"
                    + "    key = open(sys.argv[3], 'rb').read()\n"
                    + "    sig = dkim.sign(msg, b'"
                    + SELECTOR
                    + "', b'"
                    + DOMAIN
                    + "', key,\n"
                    + "        canonicalize=(b'relaxed', b'relaxed'),\n"
                    + "        include_headers=[b'from', b'to', b'subject', b'message-id'])\n"
                    + "    sys.stdout.buffer.write(sig + msg)\n"
                    + "else:\n"
                    + "    rec = sys.argv[3].encode()\n"
                    + "    def dns(name, timeout=5):\n"
                    + "        return rec if name == b'"
                    + SELECTOR
                    + "._domainkey."
                    + DOMAIN
                    + ".' else None\n"
                    + "    ok = dkim.verify(msg, dnsfunc=dns)\n"
                    + "    print('PASS' if ok else 'FAIL')\n"
                    + "    sys.exit(0 if ok else 1)\n";

    private static KeyPair keys;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        keys = g.generateKeyPair();
    }

    private static byte[] python(String mode, byte[] message, String arg) throws Exception {
        Path msg = Files.createTempFile("dkim", ".eml");
        Path key = Files.createTempFile("dkim", ".pem");
        try {
            Files.write(msg, message);
            Files.writeString(
                    key,
                    "-----BEGIN PRIVATE KEY-----\n"
                            + Base64.getMimeEncoder(64, new byte[] {'\n'})
                                    .encodeToString(keys.getPrivate().getEncoded())
                            + "\n-----END PRIVATE KEY-----\n");
            Process p =
                    new ProcessBuilder(
                                    "/usr/bin/python3",
                                    "-c",
                                    SCRIPT,
                                    mode,
                                    msg.toString(),
                                    mode.equals("sign") ? key.toString() : arg)
                            .start();
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(err)
                    .as(
                            "python3-dkim must be installed (apt-get install python3-dkim; .ci/run does)")
                    .doesNotContain("No module named");
            if (mode.equals("sign")) {
                assertThat(p.exitValue()).as(err).isZero();
                return out;
            }
            return p.exitValue() == 0 ? out : null;
        } finally {
            Files.deleteIfExists(msg);
            Files.deleteIfExists(key);
        }
    }

    private static boolean verifies(byte[] message) throws Exception {
        String record =
                "v=DKIM1; k=rsa; p="
                        + Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
        return python("verify", message, record) != null;
    }

    @Test
    void signatureSurvivesTheRelayAndItsJobIdHeaders() throws Exception {
        byte[] unsigned =
                ("From: Example <hello@example.com>\r\n"
                                + "To: <ada@example.org>\r\n"
                                + "Subject: Your receipt\r\n"
                                + "Message-ID: <r-1@example.com>\r\n"
                                + "MIME-Version: 1.0\r\n"
                                + "Content-Type: text/plain; charset=utf-8\r\n"
                                + "\r\n"
                                + "Thanks for your order.\r\n"
                                + ".A line that SMTP must dot-stuff\r\n"
                                + "..and another\r\n"
                                + ".\r\n"
                                + "Bye\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
        byte[] signed = python("sign", unsigned, null);
        assertThat(verifies(signed)).isTrue();

        try (ScriptedSmtpServer server = new ScriptedSmtpServer(false, null, null);
                SmtpRelay relay =
                        new SmtpRelay(
                                SmtpSettings.builder()
                                        .host("127.0.0.1")
                                        .port(server.port())
                                        .tls(SmtpSettings.Tls.NONE)
                                        .readTimeout(Duration.ofSeconds(5))
                                        .provider(SmtpSettings.Provider.SENDGRID)
                                        .build())) {
            RelayResult r =
                    relay.send(
                                    new OutboundMessage(
                                            "job-dkim",
                                            "tx",
                                            "bounces@example.com",
                                            "ada@example.org",
                                            signed,
                                            Map.of()))
                            .get(30, TimeUnit.SECONDS);
            assertThat(r).isInstanceOf(RelayResult.Accepted.class);
            byte[] received = server.received().get(0).data();
            String text = new String(received, StandardCharsets.US_ASCII);
            assertThat(text).startsWith("X-Sendline-Job-Id: job-dkim\r\nX-SMTPAPI: ");
            assertThat(verifies(received)).isTrue();

            // The verifier is not fooled: one changed body byte breaks the signature.
            byte[] tampered = text.replace("Bye", "Bye!").getBytes(StandardCharsets.US_ASCII);
            assertThat(verifies(tampered)).isFalse();
        }
    }
}
