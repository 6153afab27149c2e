package io.sendline.send;

import io.sendline.schemas.Attachment;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.EmailType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Jobs and templates for tests. */
public final class TestJobs {

    private TestJobs() {}

    /** A builder starting from a valid transactional job with inline content. */
    public static Builder job(String jobId) {
        return new Builder(jobId);
    }

    /** A template version. */
    public static EmailTemplate template(String id, int version, String html) {
        return new EmailTemplate(
                id, version, id, "Subject " + id + " v" + version, html, null, Instant.EPOCH);
    }

    /** Builds an {@link EmailJob}. */
    public static final class Builder {
        private final String jobId;
        private EmailType type = EmailType.TRANSACTIONAL;
        private String pool = "transactional";
        private String to = "ada@example.com";
        private String templateId;
        private Integer templateVersion;
        private String subject = "Hello {{ name }}";
        private String html = "<p>Hello {{ name }}</p>";
        private String variables = "{\"name\":\"Ada\"}";
        private Instant scheduledAt;
        private int attempt;
        private Instant notBefore;
        private List<Attachment> attachments;

        private Builder(String jobId) {
            this.jobId = jobId;
        }

        public Builder marketing() {
            this.type = EmailType.MARKETING;
            this.pool = "marketing";
            return this;
        }

        public Builder to(String to) {
            this.to = to;
            return this;
        }

        public Builder template(String id, Integer version) {
            this.templateId = id;
            this.templateVersion = version;
            this.subject = null;
            this.html = null;
            return this;
        }

        public Builder html(String html) {
            this.html = html;
            return this;
        }

        public Builder variables(String json) {
            this.variables = json;
            return this;
        }

        public Builder scheduledAt(Instant at) {
            this.scheduledAt = at;
            return this;
        }

        public Builder attachments(List<Attachment> attachments) {
            this.attachments = attachments;
            return this;
        }

        public Builder attempt(int attempt, Instant notBefore) {
            this.attempt = attempt;
            this.notBefore = notBefore;
            return this;
        }

        public EmailJob build() {
            return new EmailJob(
                    jobId,
                    type,
                    pool,
                    to,
                    null,
                    "hello@example.com",
                    "Sender",
                    null,
                    templateId,
                    templateVersion,
                    subject,
                    html,
                    null,
                    variables,
                    null,
                    scheduledAt,
                    List.of("t1"),
                    Map.of("k", "v"),
                    null,
                    attachments,
                    attempt,
                    notBefore,
                    Instant.parse("2026-01-01T00:00:00Z"));
        }
    }
}
