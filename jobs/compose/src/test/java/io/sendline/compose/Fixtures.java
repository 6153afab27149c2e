package io.sendline.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.samples.SampleTemplates;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.james.mime4j.dom.Body;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.Multipart;
import org.apache.james.mime4j.dom.SingleBody;
import org.apache.james.mime4j.dom.TextBody;
import org.apache.james.mime4j.message.DefaultMessageBuilder;
import org.apache.james.mime4j.stream.MimeConfig;

/** Shared test setup: keys, config, specs, an independent MIME parser and DKIM verifier. */
final class Fixtures {

    static final byte[] SECRET =
            "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);
    static final String TRACKING = "https://t.sendline.example";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-04T06:30:00Z"), ZoneOffset.UTC);
    static final KeyPair KEY = rsa2048();

    private Fixtures() {}

    static KeyPair rsa2048() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static ComposerConfig.Builder config() {
        return ComposerConfig.builder()
                .trackingBaseUrl(TRACKING)
                .trackingSecret(SECRET)
                .unsubscribeMailbox("unsubscribe@t.sendline.example");
    }

    static ComposerConfig dkimConfig() {
        return config().dkimKey(DkimKey.of("shop.example.com", "s2026", KEY.getPrivate())).build();
    }

    static DefaultComposer composer() {
        return DefaultComposer.create(config().build(), AttachmentStore.NONE, CLOCK);
    }

    static MessageSpec marketing(int n) {
        return new MessageSpec(
                "job-" + n,
                true,
                "marketing",
                "winter-2026",
                "news@shop.example.com",
                "Example Shop",
                "elodie" + n + "@example.org",
                "Élodie Dupont",
                null,
                SampleTemplates.marketingVariables(n),
                Map.of(),
                List.of());
    }

    static MessageSpec transactional(int n) {
        return new MessageSpec(
                "job-t" + n,
                false,
                "transactional",
                null,
                "no-reply@shop.example.com",
                null,
                "sam" + n + "@example.net",
                null,
                "support@shop.example.com",
                SampleTemplates.transactionalVariables(n),
                Map.of(),
                List.of());
    }

    /** A spec with a given template variable map and otherwise transactional defaults. */
    static MessageSpec withVariables(Map<String, Object> variables) {
        MessageSpec t = transactional(1);
        return new MessageSpec(
                t.jobId(), false, t.pool(), null, t.from(), null, t.to(), null, null, variables,
                Map.of(), List.of());
    }

    /** Parses with Apache mime4j in strict mode (line length limits enforced). */
    static Message parse(byte[] mime) throws IOException {
        DefaultMessageBuilder b = new DefaultMessageBuilder();
        b.setMimeEntityConfig(MimeConfig.STRICT);
        return b.parseMessage(new ByteArrayInputStream(mime));
    }

    /** Leaf parts in document order. */
    static List<Entity> leaves(Entity e) {
        List<Entity> out = new ArrayList<>();
        Body body = e.getBody();
        if (body instanceof Multipart mp) {
            for (Entity part : mp.getBodyParts()) {
                out.addAll(leaves(part));
            }
        } else {
            out.add(e);
        }
        return out;
    }

    static String text(Entity e) throws IOException {
        try (Reader r = ((TextBody) e.getBody()).getReader()) {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            int n;
            while ((n = r.read(buf)) > 0) {
                sb.append(buf, 0, n);
            }
            return sb.toString().replace("\r\n", "\n");
        }
    }

    static byte[] bytes(Entity e) throws IOException {
        try (InputStream in = ((SingleBody) e.getBody()).getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** The public key's DKIM TXT record. */
    static String dkimRecord() {
        return "v=DKIM1; k=rsa; p="
                + Base64.getEncoder().encodeToString(KEY.getPublic().getEncoded());
    }

    private static final String VERIFY =
            "import sys, dkim\n"
                    + "msg = open(sys.argv[1], 'rb').read()\n"
                    + "rec = sys.argv[2].encode()\n"
                    + "asked = []\n"
                    + "def dns(name, timeout=5):\n"
                    + "    asked.append(name)\n"
                    + "    return rec if name == sys.argv[3].encode() else None\n"
                    + "ok = dkim.verify(msg, dnsfunc=dns)\n"
                    + "print('PASS' if ok else 'FAIL', asked)\n"
                    + "sys.exit(0 if ok else 1)\n";

    /**
     * Verifies a message's DKIM signature with Debian's python3-dkim (an independent
     * implementation), answering the key query for {@code selector._domainkey.domain} only.
     */
    static boolean dkimVerifies(byte[] mime, String selector, String domain) throws Exception {
        Path file = Files.createTempFile("dkim", ".eml");
        try {
            Files.write(file, mime);
            Process p =
                    new ProcessBuilder(
                                    "/usr/bin/python3",
                                    "-c",
                                    VERIFY,
                                    file.toString(),
                                    dkimRecord(),
                                    selector + "._domainkey." + domain + ".")
                            .redirectErrorStream(true)
                            .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(out)
                    .as(
                            "python3-dkim must be installed (apt-get install python3-dkim; .ci/run does)")
                    .doesNotContain("No module named");
            return p.exitValue() == 0;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
