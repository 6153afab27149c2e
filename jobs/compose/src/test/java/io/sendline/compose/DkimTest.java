package io.sendline.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.compose.samples.SampleTemplates;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * DKIM signatures checked by an independent verifier: Debian's python3-dkim ({@code dkim.verify}
 * with a DNS stub that serves the test key at {@code s2026._domainkey.shop.example.com}).
 */
class DkimTest {

    private static DefaultComposer composer;

    @BeforeAll
    static void setUp() {
        composer =
                DefaultComposer.create(Fixtures.dkimConfig(), AttachmentStore.NONE, Fixtures.CLOCK);
    }

    private static boolean verifies(byte[] mime) throws Exception {
        return Fixtures.dkimVerifies(mime, "s2026", "shop.example.com");
    }

    @Test
    void marketingMessageSignatureVerifiesAndCoversUnsubscribeHeaders() throws Exception {
        byte[] mime =
                composer.compose(
                                composer.compile(SampleTemplates.marketing()),
                                Fixtures.marketing(1))
                        .mime();
        assertThat(verifies(mime)).isTrue();
        String head = new String(mime, 0, 2000, StandardCharsets.US_ASCII).replaceAll("\r\n ", " ");
        assertThat(head)
                .startsWith(
                        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=shop.example.com; s=s2026;");
        String h = head.substring(head.indexOf(" h=") + 3, head.indexOf(';', head.indexOf(" h=")));
        assertThat(h.replace(" ", "").split(":"))
                .contains(
                        "from",
                        "subject",
                        "list-unsubscribe",
                        "list-unsubscribe-post",
                        "to",
                        "date",
                        "message-id",
                        "mime-version",
                        "content-type");
    }

    @Test
    void transactionalAttachmentAndNonAsciiMessagesVerify() throws Exception {
        byte[] t =
                composer.compose(
                                composer.compile(SampleTemplates.transactional()),
                                Fixtures.transactional(1))
                        .mime();
        assertThat(verifies(t)).isTrue();
        MessageSpec base = Fixtures.transactional(2);
        MessageSpec spec =
                new MessageSpec(
                        base.jobId(),
                        false,
                        base.pool(),
                        null,
                        base.from(),
                        "Bücher – Zentrale",
                        "jürgen@münchen.example",
                        "Jürgen Groß",
                        null,
                        base.variables(),
                        Map.of("X-Note", "Grüße  aus\tKöln "),
                        List.of(
                                new AttachmentContent(
                                        "ä.bin", "application/octet-stream", new byte[3000])));
        CompiledTemplate weird =
                composer.compile(
                        new TemplateSource(
                                "w",
                                1,
                                "Grüße {{ name }}   !",
                                "<p>  spaces  \t tabs \n\n\n</p>\n\n\n",
                                "trailing   \n\n\n\n"));
        assertThat(verifies(composer.compose(weird, spec).mime())).isTrue();
    }

    @Test
    void subdomainsUseTheParentDomainKeyAndOtherDomainsAreNotSigned() throws Exception {
        CompiledTemplate t = composer.compile(SampleTemplates.transactional());
        MessageSpec b = Fixtures.transactional(1);
        MessageSpec sub =
                new MessageSpec(
                        b.jobId(),
                        false,
                        b.pool(),
                        null,
                        "x@mail.shop.example.com",
                        null,
                        b.to(),
                        null,
                        null,
                        b.variables(),
                        Map.of(),
                        List.of());
        byte[] signed = composer.compose(t, sub).mime();
        assertThat(new String(signed, StandardCharsets.US_ASCII))
                .startsWith("DKIM-Signature:")
                .contains("d=shop.example.com;");
        assertThat(verifies(signed)).isTrue();
        MessageSpec other =
                new MessageSpec(
                        b.jobId(),
                        false,
                        b.pool(),
                        null,
                        "x@other.example",
                        null,
                        b.to(),
                        null,
                        null,
                        b.variables(),
                        Map.of(),
                        List.of());
        assertThat(new String(composer.compose(t, other).mime(), StandardCharsets.US_ASCII))
                .startsWith("From:");
    }

    @Test
    void tamperingWithASignedHeaderOrTheBodyBreaksTheSignature() throws Exception {
        byte[] mime =
                composer.compose(
                                composer.compile(SampleTemplates.marketing()),
                                Fixtures.marketing(4))
                        .mime();
        String s = new String(mime, StandardCharsets.UTF_8);
        String otherUnsubscribe =
                s.replaceFirst(
                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click",
                        "List-Unsubscribe-Post: List-Unsubscribe=Two-Clicks");
        assertThat(verifies(otherUnsubscribe.getBytes(StandardCharsets.UTF_8))).isFalse();
        String otherBody = s.replace("the winter sale is on", "the winter sale is ON");
        assertThat(verifies(otherBody.getBytes(StandardCharsets.UTF_8))).isFalse();
        String secondFrom = s.replaceFirst("\r\nTo: ", "\r\nFrom: ceo@shop.example.com\r\nTo: ");
        assertThat(verifies(secondFrom.getBytes(StandardCharsets.UTF_8))).isFalse();
        // relaxed canonicalization tolerates refolding of whitespace by relays
        String refolded = s.replaceFirst("\r\nFeedback-ID: ", "\r\nFeedback-ID:   ");
        assertThat(verifies(refolded.getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void badKeysAreRefusedWhenTheConfigIsBuilt() {
        assertThatThrownBy(
                        () ->
                                Fixtures.config()
                                        .dkimKey(
                                                new DkimKey(
                                                        "shop.example.com",
                                                        "s1",
                                                        new byte[] {1, 2, 3}))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("DKIM key of shop.example.com");
        assertThatThrownBy(
                        () ->
                                Fixtures.config()
                                        .dkimKey(
                                                DkimKey.of(
                                                        "shop.example.com",
                                                        "bad selector",
                                                        Fixtures.KEY.getPrivate()))
                                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("DKIM selector must be a DNS label");
        assertThatThrownBy(() -> Fixtures.config().messageIdDomain("x.example\r\nBcc: y").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("messageIdDomain must be an ASCII host name");
    }
}
