package io.sendline.edge.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.edge.EdgeConfig;
import io.sendline.edge.db.AcceptWriter.AttachmentRow;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.FieldError;
import io.sendline.schemas.Attachment;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Turns one email of the API (JSON) into one {@link EmailJob} per recipient, or into the list of
 * everything that is wrong with it. The wire format is documented in {@code openapi.yaml}; the
 * messages name the field and never echo addresses or content.
 */
public final class EmailRequestParser {

    /** Looks a template up; may block. */
    @FunctionalInterface
    public interface TemplateLookup {
        boolean exists(String templateId, Integer version) throws SQLException;
    }

    /**
     * One parsed email.
     *
     * @param jobs one job per recipient
     * @param attachments attachment contents to store (once each)
     */
    public record ParsedEmail(List<EmailJob> jobs, List<AttachmentRow> attachments) {}

    static final int MAX_SUBJECT = 998;
    static final int MAX_HTML = 2 << 20;
    static final int MAX_TEXT = 1 << 20;
    static final int MAX_VARIABLES_JSON = 64 << 10;
    static final int MAX_TAGS = 10;
    static final int MAX_TAG = 64;
    static final int MAX_METADATA = 20;
    static final int MAX_METADATA_VALUE = 512;
    static final int MAX_NAME = 256;
    static final int MAX_ATTACHMENTS = 10;

    private static final Set<String> FIELDS =
            Set.of(
                    "to",
                    "from",
                    "replyTo",
                    "templateId",
                    "templateVersion",
                    "variables",
                    "subject",
                    "html",
                    "text",
                    "type",
                    "pool",
                    "scheduledAt",
                    "tags",
                    "metadata",
                    "headers",
                    "attachments");
    private static final Pattern TEMPLATE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern METADATA_KEY = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final EdgeConfig config;
    private final HeaderPolicy headers;
    private final TemplateLookup templates;
    private final Clock clock;

    public EmailRequestParser(
            EdgeConfig config, HeaderPolicy headers, TemplateLookup templates, Clock clock) {
        this.config = config;
        this.headers = headers;
        this.templates = templates;
        this.clock = clock;
    }

    /**
     * Parses one email.
     *
     * @param prefix field-name prefix for errors, e.g. {@code emails[3].} in a batch
     * @throws ApiException 400 listing every problem, or 503 when the template look-up failed
     */
    public ParsedEmail parse(JsonNode node, String prefix) {
        List<FieldError> errors = new ArrayList<>();
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(field(prefix, "body"), "an email must be a JSON object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new FieldError(prefix + f, "unknown field"));
            }
        }
        Instant now = clock.instant();

        List<Recipient> to = recipients(node.get("to"), prefix + "to", errors);
        Recipient from = recipient(node.get("from"), prefix + "from", errors, true);
        String replyTo = null;
        JsonNode rt = node.get("replyTo");
        if (present(rt)) {
            Recipient r = recipient(rt, prefix + "replyTo", errors, false);
            replyTo = r == null ? null : r.email;
        }

        EmailType type = EmailType.TRANSACTIONAL;
        String typeText = text(node, "type", prefix, errors, 32);
        if (typeText != null) {
            try {
                type = EmailType.valueOf(typeText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(prefix + "type", "must be transactional or marketing"));
            }
        }
        String pool = text(node, "pool", prefix, errors, 64);
        if (pool == null) {
            pool =
                    type == EmailType.MARKETING
                            ? config.defaultMarketingPool()
                            : config.defaultTransactionalPool();
        } else if (!EdgeConfig.POOL.matcher(pool).matches()) {
            errors.add(new FieldError(prefix + "pool", "must match [a-z0-9][a-z0-9_-]{0,63}"));
        } else if (!config.pools().isEmpty() && !config.pools().contains(pool)) {
            errors.add(new FieldError(prefix + "pool", "unknown pool"));
        }

        String templateId = text(node, "templateId", prefix, errors, 64);
        Integer templateVersion = null;
        JsonNode tv = node.get("templateVersion");
        if (present(tv)) {
            if (!tv.canConvertToInt() || !tv.isIntegralNumber() || tv.asInt() < 1) {
                errors.add(new FieldError(prefix + "templateVersion", "must be an integer >= 1"));
            } else {
                templateVersion = tv.asInt();
            }
        }
        String subject = text(node, "subject", prefix, errors, MAX_SUBJECT);
        String html = text(node, "html", prefix, errors, MAX_HTML);
        String text = text(node, "text", prefix, errors, MAX_TEXT);
        if (subject != null && (subject.indexOf('\r') >= 0 || subject.indexOf('\n') >= 0)) {
            errors.add(new FieldError(prefix + "subject", "must not contain CR or LF"));
        }
        boolean inline = subject != null || html != null || text != null;
        if (templateId != null) {
            if (inline) {
                errors.add(
                        new FieldError(
                                prefix + "templateId",
                                "give either templateId or inline subject/html/text, not both"));
            }
            if (!TEMPLATE_ID.matcher(templateId).matches()) {
                errors.add(
                        new FieldError(
                                prefix + "templateId", "must match [a-z0-9][a-z0-9._-]{0,63}"));
                templateId = null;
            }
        } else {
            if (templateVersion != null) {
                errors.add(new FieldError(prefix + "templateVersion", "needs a templateId"));
            }
            if (subject == null) {
                errors.add(new FieldError(prefix + "subject", "required without templateId"));
            }
            if (html == null && text == null) {
                errors.add(
                        new FieldError(
                                prefix + "html", "html or text is required without templateId"));
            }
        }

        String variables = null;
        JsonNode vars = node.get("variables");
        if (present(vars)) {
            if (!vars.isObject()) {
                errors.add(new FieldError(prefix + "variables", "must be a JSON object"));
            } else {
                variables = vars.toString();
                if (variables.length() > MAX_VARIABLES_JSON) {
                    errors.add(new FieldError(prefix + "variables", "larger than 64 KiB"));
                }
            }
        }

        Instant scheduledAt = null;
        String sched = text(node, "scheduledAt", prefix, errors, 64);
        if (sched != null) {
            try {
                scheduledAt = OffsetDateTime.parse(sched).toInstant();
                if (scheduledAt.isAfter(now.plus(config.limits().maxScheduleAhead()))) {
                    errors.add(
                            new FieldError(
                                    prefix + "scheduledAt",
                                    "more than "
                                            + config.limits().maxScheduleAhead().toDays()
                                            + " days ahead"));
                } else if (!scheduledAt.isAfter(now)) {
                    scheduledAt = null; // a time in the past means "now"
                }
            } catch (DateTimeParseException e) {
                errors.add(
                        new FieldError(
                                prefix + "scheduledAt",
                                "must be an ISO-8601 time with offset, e.g. 2030-01-31T10:00:00Z"));
            }
        }

        List<String> tags = tags(node.get("tags"), prefix + "tags", errors);
        Map<String, String> metadata = metadata(node.get("metadata"), prefix + "metadata", errors);
        Map<String, String> hdrs = headers(node.get("headers"), prefix + "headers", errors);
        List<AttachmentRow> rows = new ArrayList<>();
        List<Attachment> refs =
                attachments(node.get("attachments"), prefix + "attachments", errors, rows);

        if (errors.isEmpty() && templateId != null) {
            boolean exists;
            try {
                exists = templates.exists(templateId, templateVersion);
            } catch (SQLException e) {
                throw ApiException.unavailable("cannot check the template: database unavailable");
            }
            if (!exists) {
                errors.add(
                        new FieldError(
                                prefix
                                        + (templateVersion == null
                                                ? "templateId"
                                                : "templateVersion"),
                                templateVersion == null
                                        ? "no such template"
                                        : "no such template version"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }

        List<EmailJob> jobs = new ArrayList<>(to.size());
        for (Recipient r : to) {
            jobs.add(
                    new EmailJob(
                            UUID.randomUUID().toString(),
                            type,
                            pool,
                            r.email,
                            r.name,
                            from.email,
                            from.name,
                            replyTo,
                            templateId,
                            templateVersion,
                            subject,
                            html,
                            text,
                            variables,
                            null,
                            scheduledAt,
                            tags,
                            metadata,
                            hdrs,
                            refs,
                            0,
                            null,
                            now));
        }
        return new ParsedEmail(jobs, rows);
    }

    private record Recipient(String email, String name) {}

    private List<Recipient> recipients(JsonNode node, String field, List<FieldError> errors) {
        List<Recipient> out = new ArrayList<>();
        if (!present(node)) {
            errors.add(new FieldError(field, "at least one recipient is required"));
            return out;
        }
        if (!node.isArray()) {
            Recipient r = recipient(node, field, errors, true);
            if (r != null) {
                out.add(r);
            }
            return out;
        }
        if (node.isEmpty()) {
            errors.add(new FieldError(field, "at least one recipient is required"));
        }
        if (node.size() > config.limits().maxRecipients()) {
            errors.add(
                    new FieldError(
                            field,
                            "at most "
                                    + config.limits().maxRecipients()
                                    + " recipients per email"));
            return out;
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            Recipient r = recipient(node.get(i), field + "[" + i + "]", errors, true);
            if (r != null) {
                if (!seen.add(Addresses.normalise(r.email))) {
                    errors.add(new FieldError(field + "[" + i + "]", "duplicate recipient"));
                } else {
                    out.add(r);
                }
            }
        }
        return out;
    }

    /** A string address or {@code {"email": ..., "name": ...}}. */
    private Recipient recipient(
            JsonNode node, String field, List<FieldError> errors, boolean required) {
        if (!present(node)) {
            if (required) {
                errors.add(new FieldError(field, "required"));
            }
            return null;
        }
        String email;
        String name = null;
        if (node.isTextual()) {
            email = node.textValue();
        } else if (node.isObject()) {
            JsonNode e = node.get("email");
            if (e == null || !e.isTextual()) {
                errors.add(new FieldError(field + ".email", "required, a string"));
                return null;
            }
            email = e.textValue();
            JsonNode n = node.get("name");
            if (present(n)) {
                if (!n.isTextual()) {
                    errors.add(new FieldError(field + ".name", "must be a string"));
                    return null;
                }
                name = n.textValue();
                String problem = checkDisplayName(name);
                if (problem != null) {
                    errors.add(new FieldError(field + ".name", problem));
                    return null;
                }
            }
            for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!f.equals("email") && !f.equals("name")) {
                    errors.add(new FieldError(field + "." + f, "unknown field"));
                }
            }
        } else {
            errors.add(new FieldError(field, "must be an address or {\"email\", \"name\"}"));
            return null;
        }
        try {
            Addresses.normalise(email);
        } catch (InvalidAddressException e) {
            errors.add(new FieldError(node.isObject() ? field + ".email" : field, e.getMessage()));
            return null;
        }
        return new Recipient(email.strip(), name);
    }

    private static String checkDisplayName(String name) {
        if (name.length() > MAX_NAME) {
            return "longer than " + MAX_NAME + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\r' || c == '\n') {
                return "must not contain CR or LF";
            }
            if (c < 0x20 || c == 0x7f) {
                return "must not contain control characters";
            }
        }
        return null;
    }

    private static List<String> tags(JsonNode node, String field, List<FieldError> errors) {
        if (!present(node)) {
            return null;
        }
        if (!node.isArray()) {
            errors.add(new FieldError(field, "must be an array of strings"));
            return null;
        }
        if (node.size() > MAX_TAGS) {
            errors.add(new FieldError(field, "at most " + MAX_TAGS + " tags"));
            return null;
        }
        List<String> out = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode t = node.get(i);
            if (!t.isTextual() || t.textValue().isEmpty() || t.textValue().length() > MAX_TAG) {
                errors.add(
                        new FieldError(
                                field + "[" + i + "]", "must be a string of 1-64 characters"));
            } else if (hasControl(t.textValue())) {
                errors.add(
                        new FieldError(
                                field + "[" + i + "]", "must not contain control characters"));
            } else {
                out.add(t.textValue());
            }
        }
        return out;
    }

    private static Map<String, String> metadata(
            JsonNode node, String field, List<FieldError> errors) {
        if (!present(node)) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(field, "must be an object of strings"));
            return null;
        }
        if (node.size() > MAX_METADATA) {
            errors.add(new FieldError(field, "at most " + MAX_METADATA + " entries"));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String f = field + "." + e.getKey();
            if (!METADATA_KEY.matcher(e.getKey()).matches()) {
                errors.add(new FieldError(field, "keys are 1-64 of [A-Za-z0-9_.-]"));
            } else if (!e.getValue().isTextual()
                    || e.getValue().textValue().length() > MAX_METADATA_VALUE) {
                errors.add(new FieldError(f, "must be a string of at most 512 characters"));
            } else if (hasControl(e.getValue().textValue())) {
                errors.add(new FieldError(f, "must not contain control characters"));
            } else {
                out.put(e.getKey(), e.getValue().textValue());
            }
        }
        return out;
    }

    private Map<String, String> headers(JsonNode node, String field, List<FieldError> errors) {
        if (!present(node)) {
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError(field, "must be an object of header name to value"));
            return null;
        }
        if (node.size() > HeaderPolicy.MAX_HEADERS) {
            errors.add(new FieldError(field, "at most " + HeaderPolicy.MAX_HEADERS + " headers"));
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String f = field + "." + name;
            int before = errors.size();
            headers.check(
                    f, name, e.getValue().isTextual() ? e.getValue().textValue() : null, errors);
            if (errors.size() == before) {
                if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                    errors.add(new FieldError(f, "duplicate header"));
                } else {
                    out.put(name, e.getValue().textValue());
                }
            }
        }
        return out;
    }

    private List<Attachment> attachments(
            JsonNode node, String field, List<FieldError> errors, List<AttachmentRow> rows) {
        if (!present(node)) {
            return null;
        }
        if (!node.isArray()) {
            errors.add(new FieldError(field, "must be an array"));
            return null;
        }
        if (node.size() > MAX_ATTACHMENTS) {
            errors.add(new FieldError(field, "at most " + MAX_ATTACHMENTS + " attachments"));
            return null;
        }
        List<Attachment> refs = new ArrayList<>(node.size());
        long total = 0;
        EdgeConfig.Limits limits = config.limits();
        for (int i = 0; i < node.size(); i++) {
            String f = field + "[" + i + "]";
            JsonNode a = node.get(i);
            if (!a.isObject()) {
                errors.add(new FieldError(f, "must be {filename, contentType, content}"));
                continue;
            }
            for (Iterator<String> it = a.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (!k.equals("filename") && !k.equals("contentType") && !k.equals("content")) {
                    errors.add(new FieldError(f + "." + k, "unknown field"));
                }
            }
            String filename = a.path("filename").isTextual() ? a.get("filename").textValue() : null;
            String problem = AttachmentPolicy.checkFilename(filename);
            if (problem != null) {
                errors.add(new FieldError(f + ".filename", problem));
                continue;
            }
            String contentType =
                    a.path("contentType").isTextual()
                            ? a.get("contentType").textValue().strip().toLowerCase(Locale.ROOT)
                            : null;
            problem = AttachmentPolicy.checkContentType(contentType);
            if (problem != null) {
                errors.add(new FieldError(f + ".contentType", problem));
                continue;
            }
            if (!a.path("content").isTextual()) {
                errors.add(new FieldError(f + ".content", "required: the file, base64-encoded"));
                continue;
            }
            String b64 = a.get("content").textValue();
            // Cheap bound before decoding: base64 is 4 characters per 3 bytes.
            if ((long) b64.length() / 4 * 3 > limits.maxAttachmentBytes() + 3) {
                errors.add(
                        new FieldError(
                                f + ".content",
                                "larger than " + limits.maxAttachmentBytes() + " bytes"));
                continue;
            }
            byte[] content;
            try {
                content = Base64.getMimeDecoder().decode(stripWhitespaceChecked(b64));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError(f + ".content", "is not valid base64"));
                continue;
            }
            if (content.length == 0) {
                errors.add(new FieldError(f + ".content", "is empty"));
                continue;
            }
            if (content.length > limits.maxAttachmentBytes()) {
                errors.add(
                        new FieldError(
                                f + ".content",
                                "larger than " + limits.maxAttachmentBytes() + " bytes"));
                continue;
            }
            problem = AttachmentPolicy.checkContent(content);
            if (problem != null) {
                errors.add(new FieldError(f + ".content", problem + " and is refused"));
                continue;
            }
            total += content.length;
            String sha = sha256(content);
            rows.add(new AttachmentRow(sha, filename, contentType, content));
            refs.add(new Attachment(filename, contentType, sha, content.length));
        }
        if (total > limits.maxAttachmentsTotalBytes()) {
            errors.add(
                    new FieldError(
                            field,
                            "attachments add up to more than "
                                    + limits.maxAttachmentsTotalBytes()
                                    + " bytes"));
        }
        return refs;
    }

    /** Base64 may be wrapped in lines; anything else outside the alphabet is an error. */
    private static String stripWhitespaceChecked(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
                continue;
            }
            boolean ok =
                    (c >= 'A' && c <= 'Z')
                            || (c >= 'a' && c <= 'z')
                            || (c >= '0' && c <= '9')
                            || c == '+'
                            || c == '/'
                            || c == '=';
            if (!ok) {
                throw new IllegalArgumentException("not base64");
            }
            b.append(c);
        }
        if (b.length() % 4 != 0) {
            throw new IllegalArgumentException("not base64");
        }
        return b.toString();
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(
            JsonNode node, String name, String prefix, List<FieldError> errors, int maxLength) {
        JsonNode v = node.get(name);
        if (!present(v)) {
            return null;
        }
        if (!v.isTextual()) {
            errors.add(new FieldError(prefix + name, "must be a string"));
            return null;
        }
        if (v.textValue().length() > maxLength) {
            errors.add(new FieldError(prefix + name, "longer than " + maxLength + " characters"));
            return null;
        }
        return v.textValue();
    }

    private static boolean hasControl(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return true;
            }
        }
        return false;
    }

    private static boolean present(JsonNode n) {
        return n != null && !n.isNull() && !n.isMissingNode();
    }

    private static String field(String prefix, String name) {
        return prefix.isEmpty() ? name : prefix.substring(0, prefix.length() - 1);
    }
}
