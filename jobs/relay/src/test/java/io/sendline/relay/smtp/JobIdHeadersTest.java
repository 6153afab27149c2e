package io.sendline.relay.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobIdHeadersTest {

    private static final String BODY =
            "From: a@example.com\r\nSubject: x\r\n\r\nX-Sendline-Job-Id: in the body\r\n";

    private static String apply(String mime, String jobId, SmtpSettings.Provider p) {
        return new String(
                JobIdHeaders.apply(mime.getBytes(StandardCharsets.US_ASCII), jobId, p),
                StandardCharsets.US_ASCII);
    }

    @Test
    void prependsTheHeaderAndKeepsTheRestByteForByte() {
        assertThat(apply(BODY, "job-1", SmtpSettings.Provider.GENERIC))
                .isEqualTo("X-Sendline-Job-Id: job-1\r\n" + BODY);
    }

    @Test
    void keepsTheComposersOwnHeader() {
        String mime = "x-sendline-job-id: job-1\r\n" + BODY;
        assertThat(apply(mime, "job-1", SmtpSettings.Provider.GENERIC)).isEqualTo(mime);
        assertThat(apply(mime, "job-1", SmtpSettings.Provider.POSTMARK))
                .isEqualTo("X-PM-Metadata-sendline-job-id: job-1\r\n" + mime);
    }

    @Test
    void aHeaderLikeLineInTheBodyDoesNotCount() {
        assertThat(JobIdHeaders.hasSendlineHeader(BODY.getBytes(StandardCharsets.US_ASCII)))
                .isFalse();
    }

    @Test
    void jobIdsCannotInjectHeadersOrBreakJson() {
        assertThat(apply(BODY, "x\r\nBcc: evil@example.com", SmtpSettings.Provider.MAILGUN))
                .startsWith(
                        "X-Sendline-Job-Id: x__Bcc:_evil_example.com\r\n"
                                + "X-Mailgun-Variables: {\"sendline-job-id\":\"x__Bcc:_evil_example.com\"}\r\n");
        assertThat(apply(BODY, "a\"b", SmtpSettings.Provider.SENDGRID))
                .contains("X-SMTPAPI: {\"unique_args\":{\"sendline-job-id\":\"a_b\"}}\r\n");
    }
}
