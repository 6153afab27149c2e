package io.sendline.schemas;

import java.time.Instant;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;

/** Fully populated example of every wire record, shared by the tests. */
public final class Samples {

    public static final Instant T0 = Instant.parse("2026-01-31T09:30:00Z");
    public static final Instant T1 = Instant.parse("2026-01-31T09:31:02.123456789Z");

    private Samples() {}

    public static EmailJob emailJob() {
        return new EmailJob(
                "0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11",
                EmailType.TRANSACTIONAL,
                "transactional",
                "ada@bücher.de",
                "Ada Lovelace",
                "no-reply@example.com",
                "Example",
                "support@example.com",
                "password-reset",
                3,
                null,
                null,
                null,
                "{\"name\":\"Ada\",\"items\":[1,2,{\"sku\":\"x\"}],\"vip\":true,\"note\":null}",
                null,
                T1,
                List.of("reset", "security"),
                Map.of("tenant", "acme", "userId", "42"),
                Map.of("X-Entity-Ref-ID", "ref-1"),
                List.of(
                        new Attachment(
                                "invoice.pdf",
                                "application/pdf",
                                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
                                12345)),
                0,
                null,
                T0);
    }

    public static EmailJob inlineJob() {
        return new EmailJob(
                "job-inline-1",
                EmailType.MARKETING,
                "marketing",
                "bob@example.org",
                null,
                "news@example.com",
                null,
                null,
                null,
                null,
                "Hello {{ name }}",
                "<p>Hi {{ name }}</p>",
                "Hi {{ name }}",
                "{}",
                "spring-sale",
                null,
                null,
                null,
                null,
                null,
                2,
                T1,
                T0);
    }

    public static EmailTemplate emailTemplate() {
        return new EmailTemplate(
                "password-reset",
                3,
                "Password reset",
                "Reset your password, {{ name }}",
                "<p>Click <a href=\"{{ link }}\">here</a></p>",
                null,
                T0);
    }

    public static SuppressionChange suppressionChange() {
        return new SuppressionChange(
                "ada@xn--bcher-kva.de",
                SuppressionChange.Action.ADD,
                SuppressionReason.HARD_BOUNCE,
                "ses-webhook",
                "0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11",
                T0);
    }

    public static RelayEvent relayEvent() {
        return new RelayEvent(
                "5a2f0c9e-sns-message-id",
                RelayEvent.Provider.SES,
                RelayEvent.Type.BOUNCED,
                "0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11",
                "010f017f1234abcd-00000000-0000-0000-0000-000000000000-000000",
                "ada@xn--bcher-kva.de",
                "PERMANENT",
                "General",
                "smtp; 550 5.1.1 user unknown",
                "5.1.1",
                null,
                null,
                false,
                T0,
                T1);
    }

    public static EmailEvent emailEvent() {
        return new EmailEvent(
                "0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11:SENT:0",
                "0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11",
                EmailEventType.SENT,
                EmailType.TRANSACTIONAL,
                "transactional",
                null,
                "xn--bcher-kva.de",
                "ses",
                "010f017f1234abcd",
                null,
                0,
                List.of("reset"),
                Map.of("tenant", "acme"),
                T1);
    }

    public static AnalyticsRecord analyticsRecord() {
        return new AnalyticsRecord(
                AnalyticsRecord.Dimension.DOMAIN,
                "gmail.com",
                T0,
                T0.plusSeconds(60),
                1000,
                990,
                5,
                1,
                3,
                2,
                7,
                400,
                150,
                80,
                4,
                0.005,
                0.00101);
    }

    public static ControlCommand controlCommand() {
        return new ControlCommand(
                "cmd-1",
                ControlCommand.Action.SET_RATE,
                "marketing",
                "gmail.com",
                null,
                12.5,
                "warming up new IP",
                "operator:jane",
                T0);
    }

    public static CampaignLaunch campaignLaunch() {
        return new CampaignLaunch(
                "spring-sale",
                "spring-newsletter",
                null,
                "marketing",
                "news@example.com",
                "Example News",
                null,
                LocalTime.of(10, 0),
                10_000,
                List.of("spring"),
                Map.of("segment", "all"),
                T0);
    }

    public static CancelRequest cancelRequest() {
        return new CancelRequest("0b6f3c1e-8f7a-4c55-9a57-6d3f0b8e2c11", T1);
    }

    public static DeadLetter deadLetter() {
        return new DeadLetter(
                "email.jobs.transactional",
                3,
                4711L,
                "job-1",
                "{not json",
                false,
                "$: malformed JSON: Unexpected character",
                "send-pipeline",
                T0);
    }

    /** One sample per payload type (two for EmailJob: by template and inline). */
    public static List<Object> all() {
        return List.of(
                emailJob(),
                inlineJob(),
                emailTemplate(),
                suppressionChange(),
                relayEvent(),
                emailEvent(),
                analyticsRecord(),
                controlCommand(),
                campaignLaunch(),
                cancelRequest(),
                deadLetter());
    }
}
