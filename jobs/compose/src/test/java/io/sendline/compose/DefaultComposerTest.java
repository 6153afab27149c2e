package io.sendline.compose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.compose.dkim.DkimSigner;
import io.sendline.compose.samples.SampleTemplates;
import io.sendline.compose.tracking.TrackingLinks;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.dom.Entity;
import org.apache.james.mime4j.dom.Message;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.stream.Field;
import org.junit.jupiter.api.Test;

class DefaultComposerTest {

    private static final Pattern HREF = Pattern.compile("href=\"([^\"]*)\"");
    private static final Pattern CLICK =
            Pattern.compile(
                    Pattern.quote(Fixtures.TRACKING)
                            + "/c/([^/\\s\"]+)/([A-Za-z0-9_-]+)/([A-Za-z0-9_-]+)");
    private final TrackingLinks links = new TrackingLinks(Fixtures.TRACKING, Fixtures.SECRET);

    private static String header(Message m, String name) {
        Field f = m.getHeader().getField(name);
        return f == null ? null : f.getBody();
    }

    @Test
    void marketingMessageParsesAsAlternativeTextThenHtml() throws Exception {
        DefaultComposer c = Fixtures.composer();
        ComposedMessage out =
                c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(7));

        Message m = Fixtures.parse(out.mime());
        assertThat(m.getMimeType()).isEqualTo("multipart/alternative");
        assertThat(m.getSubject()).isEqualTo("Élodie 7, the winter sale is on: up to 50% off");
        Mailbox from = m.getFrom().get(0);
        assertThat(from.getAddress()).isEqualTo("news@shop.example.com");
        assertThat(from.getName()).isEqualTo("Example Shop");
        assertThat(((Mailbox) m.getTo().get(0)).getName()).isEqualTo("Élodie Dupont");
        assertThat(m.getMessageId()).isEqualTo("<job-7@shop.example.com>");
        assertThat(out.messageId()).isEqualTo("job-7@shop.example.com");
        assertThat(out.recipient()).isEqualTo("elodie7@example.org");
        assertThat(out.envelopeFrom()).isEqualTo("news@shop.example.com");
        assertThat(header(m, "Date")).isEqualTo("Fri, 4 Dec 2026 06:30:00 +0000");
        assertThat(header(m, "MIME-Version")).isEqualTo("1.0");

        List<Entity> parts = Fixtures.leaves(m);
        assertThat(parts)
                .extracting(Entity::getMimeType)
                .containsExactly("text/plain", "text/html");
        assertThat(parts).extracting(Entity::getCharset).containsOnly("UTF-8");
        assertThat(parts)
                .extracting(Entity::getContentTransferEncoding)
                .containsOnly("quoted-printable");
        String text = Fixtures.text(parts.get(0));
        String html = Fixtures.text(parts.get(1));
        assertThat(text).contains("Hello Élodie 7, the winter sale is on").contains("€39,95");
        assertThat(text).doesNotContain("{{").doesNotContain("{%").doesNotContain("<");
        assertThat(html).contains("Hello Élodie 7, the winter sale is on");
        assertThat(html).contains("over a jumper &amp; under a coat"); // escaped in HTML only
        assertThat(text).contains("over a jumper & under a coat");
    }

    @Test
    void marketingGetsOneClickUnsubscribeWithSignedToken() throws Exception {
        DefaultComposer c = Fixtures.composer();
        Message m =
                Fixtures.parse(
                        c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(3))
                                .mime());
        String lu = header(m, "List-Unsubscribe").replaceAll("\\s+", " ");
        Matcher https = Pattern.compile("<(https://[^>]+)>").matcher(lu);
        Matcher mailto =
                Pattern.compile(
                                "<mailto:unsubscribe@t.sendline.example\\?subject=unsubscribe-([^>]+)>")
                        .matcher(lu);
        assertThat(https.find()).as(lu).isTrue();
        assertThat(mailto.find()).as(lu).isTrue();
        String token = https.group(1).substring((Fixtures.TRACKING + "/u/").length());
        assertThat(links.verifyUnsubscribe(token))
                .contains(new TrackingLinks.UnsubscribeToken("job-3", "elodie3@example.org"));
        assertThat(links.verifyUnsubscribe(mailto.group(1))).isPresent();
        assertThat(header(m, "List-Unsubscribe-Post")).isEqualTo("List-Unsubscribe=One-Click");
        assertThat(header(m, "Feedback-ID"))
                .isEqualTo("winter-2026:marketing:marketing:shop.example.com");
        assertThat(header(m, "X-Sendline-Job-Id")).isEqualTo("job-3");
    }

    @Test
    void transactionalHasNoUnsubscribeButFeedbackIdJobIdAndReplyTo() throws Exception {
        DefaultComposer c = Fixtures.composer();
        ComposedMessage out =
                c.compose(c.compile(SampleTemplates.transactional()), Fixtures.transactional(5));
        Message m = Fixtures.parse(out.mime());
        assertThat(header(m, "List-Unsubscribe")).isNull();
        assertThat(header(m, "List-Unsubscribe-Post")).isNull();
        assertThat(header(m, "Feedback-ID"))
                .isEqualTo("none:transactional:transactional:shop.example.com");
        assertThat(header(m, "X-Sendline-Job-Id")).isEqualTo("job-t5");
        assertThat(((Mailbox) m.getReplyTo().get(0)).getAddress())
                .isEqualTo("support@shop.example.com");
        List<Entity> parts = Fixtures.leaves(m);
        assertThat(Fixtures.text(parts.get(0)))
                .startsWith("Hi Sam 5,")
                .contains("Use this code within 15 minutes");
    }

    @Test
    void everyHttpLinkIsASignedClickUrlExceptMailtoTelAnchorsAndNoTrack() throws Exception {
        DefaultComposer c = Fixtures.composer();
        Message m =
                Fixtures.parse(
                        c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(1))
                                .mime());
        String html = Fixtures.text(Fixtures.leaves(m).get(1));
        List<String> targets = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        Matcher h = HREF.matcher(html);
        while (h.find()) {
            String href = h.group(1).replace("&amp;", "&");
            Matcher click = CLICK.matcher(href);
            if (click.matches()) {
                assertThat(click.group(1)).isEqualTo("job-1");
                targets.add(
                        links.verifyClick(click.group(1), click.group(2), click.group(3))
                                .orElseThrow(() -> new AssertionError("bad signature: " + href)));
            } else {
                untouched.add(href);
            }
        }
        assertThat(targets.size()).isGreaterThanOrEqualTo(8);
        assertThat(targets)
                .contains(
                        "https://shop.example.com/?utm_source=newsletter&utm_medium=email&utm_campaign=winter-2026",
                        "https://shop.example.com/p/4711?utm_source=newsletter&utm_content=product",
                        "https://blog.example.com/2026/winter-1#comments");
        assertThat(untouched)
                .containsExactlyInAnyOrder(
                        "tel:+00 123 456 789",
                        "mailto:city@shop.example.com",
                        "#top",
                        "https://shop.example.com/privacy",
                        "https://shop.example.com/terms");
        // a tampered target does not verify: no open redirect
        assertThat(
                        links.verifyClick(
                                "job-1", "aHR0cHM6Ly9ldmlsLmV4YW1wbGU", "AAAAAAAAAAAAAAAAAAAAAA"))
                .isEmpty();

        Matcher pixel =
                Pattern.compile(
                                "<img src=\""
                                        + Pattern.quote(Fixtures.TRACKING)
                                        + "/o/job-1/([A-Za-z0-9_-]+)\\.gif\"")
                        .matcher(html);
        assertThat(pixel.find()).isTrue();
        assertThat(links.verifyOpen("job-1", pixel.group(1))).isTrue();
        assertThat(html.indexOf(pixel.group())).isLessThan(html.lastIndexOf("</body>"));
    }

    @Test
    void textPartLinksAreTrackedTooButNoTrackUrlsStayAsTheyAre() throws Exception {
        DefaultComposer c = Fixtures.composer();
        Message m =
                Fixtures.parse(
                        c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(1))
                                .mime());
        String text = Fixtures.text(Fixtures.leaves(m).get(0));
        assertThat(text).contains("(" + Fixtures.TRACKING + "/c/job-1/");
        assertThat(text).contains("(https://shop.example.com/privacy)");
        assertThat(text).contains("(https://shop.example.com/terms)");
        assertThat(text).doesNotContain("https://shop.example.com/p/4711");
        assertThat(text).contains("(mailto:city@shop.example.com)");
    }

    @Test
    void trackingCanBeTurnedOff() throws Exception {
        DefaultComposer c =
                DefaultComposer.create(
                        Fixtures.config().clickTracking(false).openTracking(false).build(),
                        AttachmentStore.NONE,
                        Fixtures.CLOCK);
        Message m =
                Fixtures.parse(
                        c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(1))
                                .mime());
        String html = Fixtures.text(Fixtures.leaves(m).get(1));
        assertThat(html)
                .doesNotContain(Fixtures.TRACKING)
                .contains("href=\"https://shop.example.com/p/4711?");
    }

    @Test
    void cssIsInlinedOncePerVersionAndMediaQueriesStayInStyle() throws Exception {
        DefaultComposer c = Fixtures.composer();
        DefaultComposer.Compiled t =
                (DefaultComposer.Compiled) c.compile(SampleTemplates.marketing());
        String html = t.htmlSource();
        assertThat(html)
                .contains(
                        "<td class=\"header\" style=\"padding: 24px 32px; background-color: #0b2545;\">");
        assertThat(html).contains("@media only screen and (max-width: 620px)");
        assertThat(html).contains("a:hover");
        assertThat(html).doesNotContain(".product-name {");
        // Pebble tags survive the HTML parser, in text, attributes and between rows
        assertThat(html)
                .contains("{% for row in product_rows %}")
                .contains("href=\"{{ p.url }}?utm_source");
        assertThat(t.textSource()).contains("{% for p in row %}").contains("{{ p.name }}");
        assertThat(t.textSource()).doesNotContain("{{ preheader }}"); // hidden by a class
    }

    @Test
    void textTemplateIsDerivedFromHtmlWhenThereIsNone() throws Exception {
        DefaultComposer c = Fixtures.composer();
        CompiledTemplate t =
                c.compile(
                        new TemplateSource(
                                "t",
                                1,
                                "Hi",
                                "<html><body><h1>Hello {{ name }}</h1><ul>{% for i in items %}<li>{{ i }}</li>{% endfor %}</ul>"
                                        + "<p>Go <a href=\"https://x.example.com/a?b=1&amp;c=2\">here</a>.<br>Bye &amp; thanks {{ '{{' }}</p></body></html>",
                                null));
        String text = ((DefaultComposer.Compiled) t).textSource();
        ComposedMessage out =
                c.compose(
                        t,
                        Fixtures.withVariables(
                                Map.of("name", "<Ann>", "items", List.of("one", "two"))));
        String rendered = Fixtures.text(Fixtures.leaves(Fixtures.parse(out.mime())).get(0));
        assertThat(rendered)
                .as(text)
                .startsWith("Hello <Ann>\n\n- one\n- two\n\nGo here (" + Fixtures.TRACKING + "/c/");
        assertThat(rendered).contains("\nBye & thanks {{");
        String html = Fixtures.text(Fixtures.leaves(Fixtures.parse(out.mime())).get(1));
        assertThat(html).contains("Hello &lt;Ann&gt;");
    }

    @Test
    void nonAsciiSubjectAndNamesUseEncodedWordsAndIdnDomainsPunycode() throws Exception {
        DefaultComposer c = Fixtures.composer();
        CompiledTemplate t = c.compile(new TemplateSource("t", 1, "{{ s }}", "<p>x</p>", "x"));
        String subject = "Grüße aus Köln – 日本語のテキストもあります, " + "very long ".repeat(12) + "🎉";
        MessageSpec spec =
                new MessageSpec(
                        "job-idn",
                        false,
                        "transactional",
                        null,
                        "info@bücher.example",
                        "Bücher & Co \"Zentrale\"",
                        "kunde@münchen.example",
                        "Jürgen Groß",
                        null,
                        Map.of("s", subject),
                        Map.of("X-Campaign-Note", "Grüße"),
                        List.of());
        ComposedMessage out = c.compose(t, spec);
        String raw = new String(out.mime(), StandardCharsets.UTF_8);
        assertThat(raw)
                .contains("<info@xn--bcher-kva.example>")
                .contains("<kunde@xn--mnchen-3ya.example>");
        assertThat(out.recipient()).isEqualTo("kunde@xn--mnchen-3ya.example");
        assertThat(out.requiresSmtpUtf8()).isFalse();
        for (int i = 0; i < out.mime().length; i++) {
            assertThat(out.mime()[i] & 0xff).as("byte %d is ASCII", i).isLessThan(128);
        }
        Message m = Fixtures.parse(out.mime());
        assertThat(m.getSubject()).isEqualTo(subject);
        assertThat(m.getFrom().get(0).getName()).isEqualTo("Bücher & Co \"Zentrale\"");
        assertThat(((Mailbox) m.getTo().get(0)).getName()).isEqualTo("Jürgen Groß");
        assertThat(
                        org.apache.james.mime4j.codec.DecoderUtil.decodeEncodedWords(
                                header(m, "X-Campaign-Note"),
                                org.apache.james.mime4j.codec.DecodeMonitor.STRICT))
                .isEqualTo("Grüße");
        assertLineLimits(out.mime());
    }

    @Test
    void linesStayWithinLimitsAndTheBodyIsInDkimRelaxedForm() throws Exception {
        DefaultComposer c = Fixtures.composer();
        String longWord = "x".repeat(3000);
        CompiledTemplate t =
                c.compile(
                        new TemplateSource(
                                "t",
                                1,
                                "{{ s }}",
                                "<p>{{ body }}</p>\n.starts with a dot\nFrom here\ttab  two spaces \n",
                                null));
        MessageSpec spec =
                Fixtures.withVariables(
                        Map.of(
                                "s",
                                "subject " + "y".repeat(900),
                                "body",
                                "trailing space \nand " + longWord));
        for (ComposedMessage out :
                List.of(
                        c.compose(t, spec),
                        c.compose(c.compile(SampleTemplates.marketing()), Fixtures.marketing(2)),
                        c.compose(
                                c.compile(SampleTemplates.transactional()),
                                Fixtures.transactional(2)))) {
            assertLineLimits(out.mime());
            int bodyStart = indexOf(out.mime(), "\r\n\r\n".getBytes(StandardCharsets.US_ASCII)) + 4;
            assertThat(
                            DkimSigner.isRelaxedCanonicalBody(
                                    out.mime(), bodyStart, out.mime().length - bodyStart))
                    .isTrue();
        }
        Message m = Fixtures.parse(c.compose(t, spec).mime());
        assertThat(m.getSubject()).isEqualTo("subject " + "y".repeat(900));
        assertThat(Fixtures.text(Fixtures.leaves(m).get(1)))
                .contains(
                        "<p>trailing space \nand "
                                + longWord
                                + "</p>\n.starts with a dot\nFrom here\ttab  two spaces \n");
    }

    @Test
    void attachmentsAreFetchedByHashIntoMultipartMixed() throws Exception {
        byte[] pdf = new byte[5000];
        for (int i = 0; i < pdf.length; i++) {
            pdf[i] = (byte) (i * 31);
        }
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(pdf));
        DefaultComposer c =
                DefaultComposer.create(
                        Fixtures.config().build(),
                        h -> h.equals(hash) ? pdf : null,
                        Fixtures.CLOCK);
        MessageSpec t = Fixtures.transactional(1);
        MessageSpec spec =
                new MessageSpec(
                        t.jobId(),
                        false,
                        t.pool(),
                        null,
                        t.from(),
                        null,
                        t.to(),
                        null,
                        null,
                        t.variables(),
                        Map.of(),
                        List.of(
                                new AttachmentContent(
                                        "notes.txt",
                                        "text/plain",
                                        "hello\n".getBytes(StandardCharsets.US_ASCII))),
                        List.of(
                                new AttachmentRef(
                                        "Rechnung März.pdf", "application/pdf", hash, pdf.length)));
        ComposedMessage out = c.compose(c.compile(SampleTemplates.transactional()), spec);
        Message m = Fixtures.parse(out.mime());
        assertThat(m.getMimeType()).isEqualTo("multipart/mixed");
        List<Entity> parts = Fixtures.leaves(m);
        assertThat(parts)
                .extracting(Entity::getMimeType)
                .containsExactly("text/plain", "text/html", "text/plain", "application/pdf");
        assertThat(parts.get(3).getFilename()).isEqualTo("Rechnung März.pdf");
        assertThat(parts.get(3).getDispositionType()).isEqualTo("attachment");
        assertThat(Fixtures.bytes(parts.get(3))).isEqualTo(pdf);
        assertThat(parts.get(2).getFilename()).isEqualTo("notes.txt");
        assertLineLimits(out.mime());

        MessageSpec wrongSize =
                new MessageSpec(
                        t.jobId(),
                        false,
                        t.pool(),
                        null,
                        t.from(),
                        null,
                        t.to(),
                        null,
                        null,
                        t.variables(),
                        Map.of(),
                        null,
                        List.of(new AttachmentRef("a.pdf", "application/pdf", hash, 1)));
        assertThatThrownBy(() -> c.compose(c.compile(SampleTemplates.transactional()), wrongSize))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("does not match");
        MessageSpec missing =
                new MessageSpec(
                        t.jobId(),
                        false,
                        t.pool(),
                        null,
                        t.from(),
                        null,
                        t.to(),
                        null,
                        null,
                        t.variables(),
                        Map.of(),
                        null,
                        List.of(new AttachmentRef("a.pdf", "application/pdf", "ab".repeat(32), 1)));
        assertThatThrownBy(() -> c.compose(c.compile(SampleTemplates.transactional()), missing))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("is not stored");
    }

    @Test
    void messagesOverTheSizeLimitFail() throws Exception {
        DefaultComposer c =
                DefaultComposer.create(
                        Fixtures.config().maxMessageBytes(10_000).build(),
                        AttachmentStore.NONE,
                        Fixtures.CLOCK);
        MessageSpec t = Fixtures.transactional(1);
        MessageSpec spec =
                new MessageSpec(
                        t.jobId(),
                        false,
                        t.pool(),
                        null,
                        t.from(),
                        null,
                        t.to(),
                        null,
                        null,
                        t.variables(),
                        Map.of(),
                        List.of(
                                new AttachmentContent(
                                        "big.bin", "application/octet-stream", new byte[20_000])));
        assertThatThrownBy(() -> c.compose(c.compile(SampleTemplates.transactional()), spec))
                .isInstanceOf(CompositionException.class)
                .hasMessageContaining("larger than 10000 bytes");
    }

    @Test
    void composerIsSafeToShareBetweenThreads() throws Exception {
        DefaultComposer c = Fixtures.composer();
        CompiledTemplate t = c.compile(SampleTemplates.marketing());
        byte[] expected = c.compose(t, Fixtures.marketing(9)).mime();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int k = 0; k < 4; k++) {
            Thread th =
                    new Thread(
                            () -> {
                                try {
                                    for (int i = 0; i < 50; i++) {
                                        assertThat(c.compose(t, Fixtures.marketing(9)).mime())
                                                .isEqualTo(expected);
                                    }
                                } catch (Throwable e) {
                                    errors.add(e);
                                }
                            });
            threads.add(th);
            th.start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertThat(errors).isEmpty();
    }

    static void assertLineLimits(byte[] mime) {
        int lineStart = 0;
        boolean inHeader = true;
        for (int i = 0; i < mime.length; i++) {
            if (mime[i] == '\n') {
                assertThat(i > 0 && mime[i - 1] == '\r').as("bare LF at %d", i).isTrue();
                int len = i - 1 - lineStart;
                assertThat(len).as("line at %d", lineStart).isLessThanOrEqualTo(998);
                if (inHeader && len == 0) {
                    inHeader = false;
                }
                if (!inHeader) {
                    assertThat(len).as("body line at %d", lineStart).isLessThanOrEqualTo(78);
                }
                lineStart = i + 1;
            } else if (mime[i] == '\r') {
                assertThat(i + 1 < mime.length && mime[i + 1] == '\n')
                        .as("bare CR at %d", i)
                        .isTrue();
            } else {
                assertThat(mime[i]).as("NUL at %d", i).isNotEqualTo((byte) 0);
            }
        }
    }

    static int indexOf(byte[] a, byte[] b) {
        outer:
        for (int i = 0; i + b.length <= a.length; i++) {
            for (int k = 0; k < b.length; k++) {
                if (a[i + k] != b[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
