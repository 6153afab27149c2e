package io.sendline.edge.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.EdgeConfig;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EmailRequestParserTest {

    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final EdgeConfig CONFIG =
            EdgeConfig.builder()
                    .kafkaBootstrapServers("localhost:9092")
                    .jdbcUrl("jdbc:postgresql://localhost/x")
                    .trackingBaseUrl("https://t.example.com")
                    .trackingSecret(new byte[32])
                    .build();
    final EmailRequestParser parser =
            new EmailRequestParser(
                    CONFIG,
                    new HeaderPolicy(Set.of()),
                    (id, v) -> id.equals("welcome") && (v == null || v <= 2),
                    Clock.fixed(NOW, ZoneOffset.UTC));

    private EmailRequestParser.ParsedEmail parse(String json) {
        return parser.parse(JsonBodies.parse(json.getBytes(StandardCharsets.UTF_8)), "");
    }

    private java.util.List<FieldError> errors(String json) {
        try {
            parse(json);
        } catch (ApiException e) {
            assertThat(e.status()).isEqualTo(400);
            return e.errors();
        }
        throw new AssertionError("expected a 400");
    }

    @Test
    void oneJobPerRecipientWithDefaultsPerType() {
        var p =
                parse(
                        "{\"to\":[\"a@example.com\",{\"email\":\"b@example.com\",\"name\":\"B\"}],"
                                + "\"from\":\"s@example.com\",\"subject\":\"Hi\",\"html\":\"<p>x</p>\",\"type\":\"marketing\"}");
        assertThat(p.jobs()).hasSize(2);
        EmailJob a = p.jobs().get(0);
        assertThat(a.type()).isEqualTo(EmailType.MARKETING);
        assertThat(a.pool()).isEqualTo("marketing");
        assertThat(a.jobId()).isNotEqualTo(p.jobs().get(1).jobId());
        assertThat(p.jobs().get(1).toName()).isEqualTo("B");
        assertThat(a.createdAt()).isEqualTo(NOW);
    }

    @Test
    void acceptsInternationalisedAddresses() {
        var p =
                parse(
                        "{\"to\":[\"josé@bücher.example\",\"用户@例子.广告\"],\"from\":\"s@example.com\",\"templateId\":\"welcome\"}");
        assertThat(p.jobs())
                .extracting(EmailJob::to)
                .containsExactly("josé@bücher.example", "用户@例子.广告");
        assertThat(p.jobs().get(0).pool()).isEqualTo("transactional");
    }

    @Test
    void namesEveryBadFieldWithoutEchoingAddresses() {
        var errs =
                errors(
                        "{\"to\":[\"not-an-address\",\"a@b\"],\"from\":\"x@example.com\",\"subject\":\"a\\r\\nBcc: v@example.com\",\"html\":\"x\",\"bogus\":1}");
        assertThat(errs)
                .extracting(FieldError::field)
                .contains("to[0]", "to[1]", "subject", "bogus");
        assertThat(errs).allSatisfy(e -> assertThat(e.message()).doesNotContain("not-an-address"));
    }

    @Test
    void refusesHeaderInjectionAndReservedHeaders() {
        var errs =
                errors(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\","
                                + "\"headers\":{\"X-Ok\":\"v\\r\\nBcc: x@example.com\",\"From\":\"x@example.com\",\"DKIM-Signature\":\"x\","
                                + "\"X-Sendline-Job-Id\":\"x\",\"List-Unsubscribe\":\"<x>\",\"Content-Type\":\"text/plain\",\"X-SES-CONFIGURATION-SET\":\"x\",\"Bad Name\":\"x\",\"Keywords\":\"x\"}}");
        assertThat(errs)
                .extracting(FieldError::field)
                .containsExactlyInAnyOrder(
                        "headers.X-Ok",
                        "headers.From",
                        "headers.DKIM-Signature",
                        "headers.X-Sendline-Job-Id",
                        "headers.List-Unsubscribe",
                        "headers.Content-Type",
                        "headers.X-SES-CONFIGURATION-SET",
                        "headers.Bad Name",
                        "headers.Keywords");
        var ok =
                parse(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\","
                                + "\"headers\":{\"X-Campaign-Ref\":\"abc\",\"In-Reply-To\":\"<1@example.com>\"}}");
        assertThat(ok.jobs().get(0).headers()).containsKeys("X-Campaign-Ref", "In-Reply-To");
    }

    @Test
    void templateOrInlineButNotBothAndTheTemplateMustExist() {
        assertThat(errors("{\"to\":\"a@example.com\",\"from\":\"s@example.com\"}"))
                .extracting(FieldError::field)
                .contains("subject", "html");
        assertThat(
                        errors(
                                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"subject\":\"x\"}"))
                .extracting(FieldError::field)
                .contains("templateId");
        assertThat(
                        errors(
                                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"nope\"}"))
                .extracting(FieldError::message)
                .containsExactly("no such template");
        assertThat(
                        errors(
                                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"templateVersion\":3}"))
                .extracting(FieldError::field)
                .containsExactly("templateVersion");
    }

    @Test
    void attachmentsAreHashedAndDangerousOnesRefused() {
        String pdf =
                Base64.getEncoder()
                        .encodeToString("%PDF-1.4 hello".getBytes(StandardCharsets.US_ASCII));
        var p =
                parse(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\","
                                + "\"attachments\":[{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"content\":\""
                                + pdf
                                + "\"}]}");
        assertThat(p.attachments()).hasSize(1);
        assertThat(p.jobs().get(0).attachments().get(0).sha256())
                .hasSize(64)
                .isEqualTo(p.attachments().get(0).sha256());
        String exe = Base64.getEncoder().encodeToString(new byte[] {'M', 'Z', 0, 0});
        var errs =
                errors(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"attachments\":["
                                + "{\"filename\":\"invoice.pdf.exe\",\"contentType\":\"application/pdf\",\"content\":\""
                                + pdf
                                + "\"},"
                                + "{\"filename\":\"a.pdf\",\"contentType\":\"application/x-msdownload\",\"content\":\""
                                + pdf
                                + "\"},"
                                + "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"content\":\""
                                + exe
                                + "\"},"
                                + "{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"content\":\"***\"},"
                                + "{\"filename\":\"../a.pdf\",\"contentType\":\"application/pdf\",\"content\":\""
                                + pdf
                                + "\"}]}");
        assertThat(errs)
                .extracting(FieldError::field)
                .containsExactly(
                        "attachments[0].filename",
                        "attachments[1].contentType",
                        "attachments[2].content",
                        "attachments[3].content",
                        "attachments[4].filename");
    }

    @Test
    void schedulingLimits() {
        var p =
                parse(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"scheduledAt\":\"2026-03-02T10:00:00+02:00\"}");
        assertThat(p.jobs().get(0).scheduledAt()).isEqualTo(Instant.parse("2026-03-02T08:00:00Z"));
        var past =
                parse(
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"scheduledAt\":\"2020-01-01T00:00:00Z\"}");
        assertThat(past.jobs().get(0).scheduledAt()).isNull();
        assertThat(
                        errors(
                                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"scheduledAt\":\"2027-01-01T00:00:00Z\"}"))
                .extracting(FieldError::field)
                .containsExactly("scheduledAt");
        assertThat(
                        errors(
                                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\"welcome\",\"scheduledAt\":\"tomorrow\"}"))
                .extracting(FieldError::field)
                .containsExactly("scheduledAt");
    }

    @Test
    void malformedJsonIsA400SayingWhere() {
        assertThatThrownBy(() -> JsonBodies.parse("{\"to\": [".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.getMessage()).contains("malformed JSON");
                        });
        assertThatThrownBy(
                        () ->
                                JsonBodies.parse(
                                        "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> JsonBodies.parse("{} {}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ApiException.class);
        JsonNode n = JsonBodies.parse("{}".getBytes(StandardCharsets.UTF_8));
        assertThat(n.isObject()).isTrue();
    }
}
