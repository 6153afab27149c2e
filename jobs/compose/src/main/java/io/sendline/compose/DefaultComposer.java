package io.sendline.compose;

import io.pebbletemplates.pebble.template.PebbleTemplate;
import io.sendline.common.address.Addresses;
import io.sendline.compose.dkim.DkimSigner;
import io.sendline.compose.html.CssInliner;
import io.sendline.compose.html.HtmlToText;
import io.sendline.compose.html.LinkRewriter;
import io.sendline.compose.html.TextLinkRewriter;
import io.sendline.compose.mime.ByteSink;
import io.sendline.compose.mime.HeaderBlock;
import io.sendline.compose.mime.HeaderEncoder;
import io.sendline.compose.mime.MailAddress;
import io.sendline.compose.mime.QuotedPrintable;
import io.sendline.compose.mime.ReservedHeaders;
import io.sendline.compose.template.PebbleTagProtector;
import io.sendline.compose.template.SandboxedPebble;
import io.sendline.compose.tracking.TrackingLinks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;

/**
 * The composer the send pipeline uses: sandboxed Pebble, compiled once per template version with
 * the CSS inlined and a text template derived from the HTML when there is none; per message one
 * render of each part, one streaming pass for click tracking and the open pixel, and the MIME
 * message written directly as bytes, DKIM-signed when the sender's domain has a key.
 *
 * <p>Thread-safe: compiled templates are immutable, and the per-message scratch buffers (render
 * output, link rewriting, MIME bytes) are kept per thread, so one instance can serve a Flink
 * subtask or an HTTP server's worker threads. No Flink imports: build it in {@code open()} from a
 * {@link ComposerConfig}.
 *
 * <p>Message layout: {@code multipart/alternative} (text, then HTML, both UTF-8 quoted-printable),
 * inside {@code multipart/mixed} when there are attachments (base64, 76-character lines).
 */
public final class DefaultComposer implements Composer {

    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");
    private static final Pattern MIME_TYPE =
            Pattern.compile("[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*");
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ENGLISH)
                    .withZone(ZoneOffset.UTC);
    private static final byte[] TEXT_PART_HEADERS =
            ("Content-Type: text/plain; charset=UTF-8\r\n"
                            + "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTML_PART_HEADERS =
            ("Content-Type: text/html; charset=UTF-8\r\n"
                            + "Content-Transfer-Encoding: quoted-printable\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
    // Quoted-printable and base64 output never holds "=_", so these can never occur in a part.
    private static final String ALT_BOUNDARY = "=_sl_alt_7Qm2";
    private static final String MIXED_BOUNDARY = "=_sl_mix_7Qm2";

    /** Scratch buffers larger than this are dropped after the message that grew them. */
    private static final int KEEP_SCRATCH_CHARS = 1024 * 1024;

    private final ComposerConfig config;
    private final TrackingLinks links;
    private final SandboxedPebble pebble = new SandboxedPebble();
    private final Map<String, DkimSigner> signers;
    private final AttachmentStore attachments;
    private final Clock clock;
    private final String unsubscribeMailbox;
    private final ThreadLocal<Scratch> scratch;

    private DefaultComposer(ComposerConfig config, AttachmentStore attachments, Clock clock) {
        this.config = config;
        this.links = new TrackingLinks(config.trackingBaseUrl(), config.trackingSecret());
        this.attachments = attachments == null ? AttachmentStore.NONE : attachments;
        this.clock = clock;
        Map<String, DkimSigner> s = new LinkedHashMap<>();
        for (DkimKey k : config.dkimKeys().values()) {
            String domain = Addresses.asciiDomain(k.domain());
            s.put(domain, new DkimSigner(domain, k.selector(), k.privateKey()));
        }
        this.signers = Map.copyOf(s);
        String mailbox = config.unsubscribeMailbox();
        if (mailbox != null) {
            int at = mailbox.lastIndexOf('@');
            mailbox =
                    mailbox.substring(0, at + 1) + Addresses.asciiDomain(mailbox.substring(at + 1));
        }
        this.unsubscribeMailbox = mailbox;
        String base = links.baseUrl();
        this.scratch = ThreadLocal.withInitial(() -> new Scratch(base));
    }

    /** A composer without attachment store (attachment references fail) on the system clock. */
    public static DefaultComposer create(ComposerConfig config) {
        return create(config, AttachmentStore.NONE);
    }

    /** A composer that fetches attachment references from {@code attachments}. */
    public static DefaultComposer create(ComposerConfig config, AttachmentStore attachments) {
        return create(config, attachments, Clock.systemUTC());
    }

    /** As {@link #create(ComposerConfig, AttachmentStore)}, with a clock for Date and DKIM t=. */
    public static DefaultComposer create(
            ComposerConfig config, AttachmentStore attachments, Clock clock) {
        return new DefaultComposer(config, attachments, clock);
    }

    // ------------------------------------------------------------------ compile (per version)

    @Override
    public CompiledTemplate compile(TemplateSource source) throws CompositionException {
        if (source == null) {
            throw new CompositionException("template source is missing");
        }
        String label = "template " + source.templateId() + " v" + source.version();
        if (source.templateId() == null || source.templateId().isBlank()) {
            throw new CompositionException("template id is missing");
        }
        if (source.subject() == null || source.html() == null) {
            throw new CompositionException(label + ": subject and html are required");
        }
        checkTemplateSize(source.subject(), label + " subject");
        checkTemplateSize(source.html(), label + " html");
        if (source.text() != null) {
            checkTemplateSize(source.text(), label + " text");
        }
        PebbleTemplate subject = pebble.compile(source.subject(), false, label + " subject");
        // Compile the HTML as given first: a Pebble error names the author's own line numbers.
        pebble.compile(source.html(), true, label + " html");
        PreparedHtml prepared = prepareHtml(source.html(), source.text() == null, label);
        PebbleTemplate html = pebble.compile(prepared.html, true, label + " html (CSS inlined)");
        String textSource = source.text() != null ? source.text() : prepared.text;
        PebbleTemplate text =
                pebble.compile(
                        textSource,
                        false,
                        label + (source.text() != null ? " text" : " text (derived from html)"));
        return new Compiled(
                source.templateId(),
                source.version(),
                subject,
                html,
                text,
                prepared.html,
                textSource,
                label);
    }

    private void checkTemplateSize(String part, String label) throws CompositionException {
        if (part.length() > config.maxTemplateChars()) {
            throw new CompositionException(
                    label
                            + ": template is larger than "
                            + config.maxTemplateChars()
                            + " characters");
        }
    }

    private record PreparedHtml(String html, String text) {}

    /** CSS inlining and text derivation: one jsoup parse per template version. */
    private static PreparedHtml prepareHtml(String html, boolean deriveText, String label)
            throws CompositionException {
        try {
            PebbleTagProtector tags = PebbleTagProtector.of(html);
            Document doc = Jsoup.parse(tags.protectedSource());
            doc.outputSettings().prettyPrint(false);
            String inlined = html;
            if (!doc.select("style").isEmpty()) {
                CssInliner.inline(doc, tags::containsBlockTag);
                inlined = tags.restore(doc.outerHtml());
            }
            // after inlining, so that elements hidden by a class (preheaders) stay out of the text
            String text = deriveText ? HtmlToText.derive(doc, tags) : null;
            return new PreparedHtml(inlined, text);
        } catch (RuntimeException | StackOverflowError e) {
            throw new CompositionException(label + " html: cannot be prepared (CSS, text)", e);
        }
    }

    /** A compiled template version of this composer. Immutable and thread-safe. */
    public static final class Compiled implements CompiledTemplate {
        private final String templateId;
        private final int version;
        private final PebbleTemplate subject;
        private final PebbleTemplate html;
        private final PebbleTemplate text;
        private final String htmlSource;
        private final String textSource;
        private final String subjectLabel;
        private final String htmlLabel;
        private final String textLabel;

        private Compiled(
                String templateId,
                int version,
                PebbleTemplate subject,
                PebbleTemplate html,
                PebbleTemplate text,
                String htmlSource,
                String textSource,
                String label) {
            this.templateId = templateId;
            this.version = version;
            this.subject = subject;
            this.html = html;
            this.text = text;
            this.htmlSource = htmlSource;
            this.textSource = textSource;
            this.subjectLabel = label + " subject";
            this.htmlLabel = label + " html";
            this.textLabel = label + " text";
        }

        @Override
        public String templateId() {
            return templateId;
        }

        @Override
        public int version() {
            return version;
        }

        /** The HTML template as rendered per message: CSS inlined, media queries kept. */
        public String htmlSource() {
            return htmlSource;
        }

        /** The text template: the given one, or the one derived from the HTML. */
        public String textSource() {
            return textSource;
        }
    }

    // ------------------------------------------------------------------ compose (per message)

    @Override
    public ComposedMessage compose(CompiledTemplate template, MessageSpec spec)
            throws CompositionException {
        if (!(template instanceof Compiled t)) {
            throw new CompositionException("template was not compiled by this composer");
        }
        if (spec == null) {
            throw new CompositionException("message spec is missing");
        }
        String jobId = spec.jobId();
        if (jobId == null || !JOB_ID.matcher(jobId).matches()) {
            throw new CompositionException("job id must be 1-128 letters, digits, '.', '_' or '-'");
        }
        MailAddress from = MailAddress.parse(spec.from(), "sender");
        MailAddress to = MailAddress.parse(spec.to(), "recipient");
        MailAddress replyTo =
                spec.replyTo() == null ? null : MailAddress.parse(spec.replyTo(), "reply-to");
        if (spec.fromName() != null) {
            HeaderEncoder.checkNoControls(spec.fromName(), "sender display name");
        }
        if (spec.toName() != null) {
            HeaderEncoder.checkNoControls(spec.toName(), "recipient display name");
        }
        checkCustomHeaders(spec.headers());
        String pool = feedbackField(spec.pool(), "pool");
        String campaign =
                spec.campaignId() == null ? "none" : feedbackField(spec.campaignId(), "campaign");

        Scratch s = scratch.get();
        try {
            return compose(t, spec, s, jobId, from, to, replyTo, pool, campaign);
        } finally {
            s.trim();
        }
    }

    private ComposedMessage compose(
            Compiled t,
            MessageSpec spec,
            Scratch s,
            String jobId,
            MailAddress from,
            MailAddress to,
            MailAddress replyTo,
            String pool,
            String campaign)
            throws CompositionException {
        Map<String, Object> vars = SandboxedPebble.prepare(spec.variables());

        SandboxedPebble.render(
                t.subject, vars, s.subject, config.maxSubjectChars(), t.subjectLabel);
        String subject = s.subject.toString().strip();
        HeaderEncoder.checkNoControls(subject, "rendered subject");

        SandboxedPebble.render(t.html, vars, s.rendered, config.maxHtmlChars(), t.htmlLabel);
        // the text part mostly repeats the HTML part's links: sign each target once per message
        Map<String, String> clicks = s.clicks;
        clicks.clear();
        LinkRewriter.UrlSigner signer =
                config.clickTracking()
                        ? target -> clicks.computeIfAbsent(target, t2 -> links.clickUrl(jobId, t2))
                        : null;
        String pixel =
                config.openTracking()
                        ? "<img src=\""
                                + links.openUrl(jobId)
                                + "\" width=\"1\" height=\"1\" alt=\"\""
                                + " style=\"display:block;width:1px;height:1px;border:0\">"
                        : null;
        s.rewriter.rewrite(s.rendered, s.html, signer, pixel);

        SandboxedPebble.render(t.text, vars, s.rendered, config.maxTextChars(), t.textLabel);
        if (signer != null) {
            TextLinkRewriter.rewrite(
                    s.rendered, s.text, signer, links.baseUrl(), s.rewriter.noTrackTargets());
        } else {
            s.text.setLength(0);
            s.text.append(s.rendered);
        }

        List<AttachmentContent> files = attachments(spec);
        long now = clock.millis();
        String messageId =
                jobId
                        + "@"
                        + (config.messageIdDomain() != null
                                ? config.messageIdDomain()
                                : from.domain());

        HeaderBlock h = s.headers;
        h.clear();
        ByteSink hs = h.sink();
        h.begin("From");
        HeaderEncoder.address(hs, "From", spec.fromName(), from);
        h.end();
        h.begin("To");
        HeaderEncoder.address(hs, "To", spec.toName(), to);
        h.end();
        if (replyTo != null) {
            h.begin("Reply-To");
            HeaderEncoder.address(hs, "Reply-To", null, replyTo);
            h.end();
        }
        h.begin("Subject");
        HeaderEncoder.unstructured(hs, "Subject", subject);
        h.end();
        h.ascii("Date", DATE.format(java.time.Instant.ofEpochMilli(now)));
        h.ascii("Message-ID", "<" + messageId + ">");
        h.ascii("MIME-Version", "1.0");
        if (spec.marketing()) {
            String recipient = normalised(to);
            String https = links.unsubscribeUrl(jobId, recipient);
            String value = "<" + https + ">";
            if (unsubscribeMailbox != null) {
                value +=
                        ",\r\n <mailto:"
                                + unsubscribeMailbox
                                + "?subject=unsubscribe-"
                                + links.unsubscribeToken(jobId, recipient)
                                + ">";
            }
            h.ascii("List-Unsubscribe", value);
            h.ascii("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        h.ascii(
                "Feedback-ID",
                campaign
                        + ":"
                        + pool
                        + ":"
                        + (spec.marketing() ? "marketing" : "transactional")
                        + ":"
                        + from.domain());
        h.ascii("X-Sendline-Job-Id", jobId);
        if (spec.headers() != null) {
            for (Map.Entry<String, String> e : spec.headers().entrySet()) {
                h.begin(e.getKey());
                HeaderEncoder.unstructured(hs, e.getKey(), e.getValue());
                h.end();
            }
        }
        boolean mixed = !files.isEmpty();
        h.ascii(
                "Content-Type",
                (mixed ? "multipart/mixed" : "multipart/alternative")
                        + ";\r\n boundary=\""
                        + (mixed ? MIXED_BOUNDARY : ALT_BOUNDARY)
                        + "\"");

        ByteSink body = s.body;
        body.clear();
        if (mixed) {
            delimiter(body, MIXED_BOUNDARY);
            body.ascii("Content-Type: multipart/alternative;\r\n boundary=\"");
            body.ascii(ALT_BOUNDARY);
            body.ascii("\"\r\n\r\n");
        }
        delimiter(body, ALT_BOUNDARY);
        body.write(TEXT_PART_HEADERS);
        s.qp.encode(s.text, body);
        body.crlf();
        delimiter(body, ALT_BOUNDARY);
        body.write(HTML_PART_HEADERS);
        s.qp.encode(s.html, body);
        body.crlf();
        closeDelimiter(body, ALT_BOUNDARY);
        if (mixed) {
            for (AttachmentContent f : files) {
                delimiter(body, MIXED_BOUNDARY);
                attachment(body, f);
                if (body.length() + hs.length() > config.maxMessageBytes()) {
                    break; // reported below
                }
            }
            closeDelimiter(body, MIXED_BOUNDARY);
        }

        byte[] dkim = null;
        DkimSigner dkimSigner = signerFor(from.domain());
        if (dkimSigner != null) {
            dkim = dkimSigner.sign(h, body.array(), 0, body.length(), now / 1000);
        }
        long size = (dkim == null ? 0 : dkim.length) + hs.length() + 2L + body.length();
        if (size > config.maxMessageBytes()) {
            throw new CompositionException(
                    "message is larger than " + config.maxMessageBytes() + " bytes");
        }
        byte[] mime = new byte[(int) size];
        int p = 0;
        if (dkim != null) {
            System.arraycopy(dkim, 0, mime, 0, dkim.length);
            p = dkim.length;
        }
        System.arraycopy(hs.array(), 0, mime, p, hs.length());
        p += hs.length();
        mime[p++] = '\r';
        mime[p++] = '\n';
        System.arraycopy(body.array(), 0, mime, p, body.length());
        return new ComposedMessage(messageId, from.headerForm(), to.headerForm(), mime);
    }

    /** The form suppressions are keyed by (see {@link Addresses#normalise}), already validated. */
    private static String normalised(MailAddress to) {
        return to.localPart().toLowerCase(Locale.ROOT) + "@" + to.domain();
    }

    private DkimSigner signerFor(String domain) {
        if (signers.isEmpty()) {
            return null;
        }
        String d = domain;
        while (true) {
            DkimSigner signer = signers.get(d);
            if (signer != null) {
                return signer;
            }
            int dot = d.indexOf('.');
            if (dot < 0 || d.indexOf('.', dot + 1) < 0) {
                return null;
            }
            d = d.substring(dot + 1);
        }
    }

    private static void delimiter(ByteSink body, String boundary) {
        body.ascii("--");
        body.ascii(boundary);
        body.crlf();
    }

    private static void closeDelimiter(ByteSink body, String boundary) {
        body.ascii("--");
        body.ascii(boundary);
        body.ascii("--");
        body.crlf();
    }

    private static void attachment(ByteSink body, AttachmentContent f) {
        String type = f.contentType().toLowerCase(Locale.ROOT);
        String param = filenameParameter(f.filename());
        body.ascii("Content-Type: ");
        body.ascii(type);
        body.crlf();
        body.ascii("Content-Transfer-Encoding: base64\r\n");
        body.ascii("Content-Disposition: attachment;\r\n ");
        body.ascii(param);
        body.crlf();
        body.crlf();
        byte[] b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'}).encode(f.content());
        body.write(b64);
        if (b64.length > 0) {
            body.crlf();
        }
    }

    /** {@code filename="..."} for plain ASCII names, RFC 2231 {@code filename*=UTF-8''...} else. */
    static String filenameParameter(String name) {
        boolean plain = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '%') {
                plain = false;
                break;
            }
        }
        if (plain && !name.contains("=?") && !name.contains("  ")) {
            return "filename=\"" + name + "\"";
        }
        StringBuilder sb = new StringBuilder("filename*=UTF-8''");
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || c == '.'
                    || c == '-'
                    || c == '_') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
                sb.append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    private List<AttachmentContent> attachments(MessageSpec spec) throws CompositionException {
        boolean noContent = spec.attachments() == null || spec.attachments().isEmpty();
        boolean noRefs = spec.attachmentRefs() == null || spec.attachmentRefs().isEmpty();
        if (noContent && noRefs) {
            return List.of();
        }
        List<AttachmentContent> out = new ArrayList<>();
        long total = 0;
        if (!noContent) {
            for (AttachmentContent a : spec.attachments()) {
                checkAttachment(a.filename(), a.contentType());
                if (a.content() == null) {
                    throw new CompositionException("attachment has no content");
                }
                total += a.content().length;
                out.add(a);
            }
        }
        if (!noRefs) {
            for (AttachmentRef r : spec.attachmentRefs()) {
                checkAttachment(r.filename(), r.contentType());
                String hash = r.sha256() == null ? "" : r.sha256().toLowerCase(Locale.ROOT);
                if (!hash.matches("[0-9a-f]{64}")) {
                    throw new CompositionException("attachment sha256 must be 64 hex digits");
                }
                if (total + r.size() > config.maxMessageBytes()) {
                    throw new CompositionException(
                            "attachments are larger than " + config.maxMessageBytes() + " bytes");
                }
                byte[] content;
                try {
                    content = attachments.fetch(hash);
                } catch (IOException e) {
                    throw new CompositionException(
                            "attachment " + hash + " cannot be fetched: " + e.getMessage(), e);
                }
                if (content == null) {
                    throw new CompositionException("attachment " + hash + " is not stored");
                }
                if (content.length != r.size() || !hash.equals(sha256Hex(content))) {
                    throw new CompositionException(
                            "attachment " + hash + " does not match its hash or size");
                }
                total += content.length;
                out.add(new AttachmentContent(r.filename(), r.contentType(), content));
            }
        }
        if (total > config.maxMessageBytes()) {
            throw new CompositionException(
                    "attachments are larger than " + config.maxMessageBytes() + " bytes");
        }
        return out;
    }

    private static void checkAttachment(String filename, String contentType)
            throws CompositionException {
        if (filename == null || filename.isBlank() || filename.length() > 255) {
            throw new CompositionException("attachment file name must be 1-255 characters");
        }
        HeaderEncoder.checkNoControls(filename, "attachment file name");
        if (contentType == null || !MIME_TYPE.matcher(contentType).matches()) {
            throw new CompositionException(
                    "attachment content type must be type/subtype without parameters");
        }
    }

    private static String sha256Hex(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkCustomHeaders(Map<String, String> headers)
            throws CompositionException {
        if (headers == null) {
            return;
        }
        for (Map.Entry<String, String> e : headers.entrySet()) {
            String name = e.getKey();
            if (!ReservedHeaders.isValidName(name)) {
                throw new CompositionException("custom header name is not a valid field name");
            }
            if (ReservedHeaders.isReserved(name)) {
                throw new CompositionException(
                        "custom header " + name + " may not be set: Sendline writes or signs it");
            }
            if (e.getValue() == null) {
                throw new CompositionException("custom header " + name + " has no value");
            }
            if (e.getValue().length() > ReservedHeaders.MAX_VALUE) {
                throw new CompositionException(
                        "custom header " + name + " is longer than 998 characters");
            }
            HeaderEncoder.checkNoControls(e.getValue(), "custom header " + name);
        }
    }

    /** A Feedback-ID field: no colon (the separator), printable ASCII only. */
    private static String feedbackField(String value, String what) throws CompositionException {
        if (value == null || value.isEmpty()) {
            throw new CompositionException(what + " is missing");
        }
        HeaderEncoder.checkNoControls(value, what);
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length() && i < 64; i++) {
            char c = value.charAt(i);
            sb.append(c > ' ' && c < 0x7f && c != ':' ? c : '_');
        }
        return sb.toString();
    }

    /** Per-thread buffers reused from message to message. */
    private static final class Scratch {
        StringBuilder subject = new StringBuilder(256);
        StringBuilder rendered = new StringBuilder(64 * 1024);
        StringBuilder html = new StringBuilder(64 * 1024);
        StringBuilder text = new StringBuilder(16 * 1024);
        final LinkRewriter rewriter;
        final QuotedPrintable qp = new QuotedPrintable();
        final HeaderBlock headers = new HeaderBlock();
        final Map<String, String> clicks = new java.util.HashMap<>();
        final ByteSink body = new ByteSink(128 * 1024);

        Scratch(String trackingBase) {
            this.rewriter = new LinkRewriter(trackingBase);
        }

        void trim() {
            if (rendered.capacity() > KEEP_SCRATCH_CHARS) {
                rendered = new StringBuilder(64 * 1024);
            }
            if (html.capacity() > KEEP_SCRATCH_CHARS) {
                html = new StringBuilder(64 * 1024);
            }
            if (text.capacity() > KEEP_SCRATCH_CHARS) {
                text = new StringBuilder(16 * 1024);
            }
            if (subject.capacity() > KEEP_SCRATCH_CHARS) {
                subject = new StringBuilder(256);
            }
            body.clear();
        }
    }
}
