package io.sendline.relay.classify;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SesErrorClassifierTest {

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            textBlock =
                    """
            TooManyRequestsException | 429 | Maximum sending rate exceeded.          | THROTTLED
            LimitExceededException   | 400 | Too many requests                       | THROTTLED
            Throttling               | 400 | Rate exceeded                           | THROTTLED
            ThrottlingException      | 400 | null                                    | THROTTLED
            null                     | 429 | null                                    | THROTTLED
            MessageRejected          | 400 | Throttling failure: Maximum sending rate exceeded. | THROTTLED
            SendingQuotaExceeded     | 400 | Daily message quota exceeded.           | THROTTLED
            MessageRejected          | 400 | Email address is not verified.          | PERMANENT_POLICY
            MessageRejected          | 400 | Address blacklisted.                    | PERMANENT_RECIPIENT
            BadRequestException      | 400 | Illegal address                         | PERMANENT_RECIPIENT
            BadRequestException      | 400 | Missing final '@domain'                 | PERMANENT_RECIPIENT
            BadRequestException      | 400 | Configuration set name is invalid       | PERMANENT_POLICY
            MailFromDomainNotVerifiedException | 400 | MAIL FROM domain not verified | PERMANENT_POLICY
            AccountSuspendedException | 400 | Account suspended                      | PERMANENT_POLICY
            SendingPausedException   | 400 | Sending is paused for this account      | PERMANENT_POLICY
            NotFoundException        | 404 | Configuration set does not exist        | PERMANENT_POLICY
            AccessDeniedException    | 403 | not authorized                          | PERMANENT_POLICY
            InvalidClientTokenId     | 403 | The security token is invalid           | PERMANENT_POLICY
            SignatureDoesNotMatch    | 403 | signature mismatch                      | PERMANENT_POLICY
            ExpiredTokenException    | 403 | The security token has expired          | RETRYABLE
            InternalFailure          | 500 | oops                                    | RETRYABLE
            ServiceUnavailable       | 503 | null                                    | RETRYABLE
            null                     | 502 | Bad gateway                             | RETRYABLE
            null                     | 0   | connection refused                      | RETRYABLE
            SomethingNew             | 400 | unknown client error                    | PERMANENT_POLICY
            TooManyRequestsException:http://internal.amazon.com/coral/com.amazon.ses/ | 429 | x | THROTTLED
            """)
    void classifies(String code, int status, String message, Outcome expected) {
        assertThat(SesErrorClassifier.classify(code, status, message, null).outcome())
                .isEqualTo(expected);
    }

    @Test
    void dailyQuotaGetsALongHint() {
        RelayResult.Failed f =
                SesErrorClassifier.classify(
                        "MessageRejected", 400, "Daily message quota exceeded.", null);
        assertThat(f.outcome()).isEqualTo(Outcome.THROTTLED);
        assertThat(f.retryAfter())
                .isEqualTo(Duration.ofMinutes(SesErrorClassifier.DAILY_QUOTA_MINUTES));
    }

    @Test
    void hintsComeFromTheHeaderOrTheMessage() {
        assertThat(
                        SesErrorClassifier.classify(
                                        "TooManyRequestsException",
                                        429,
                                        "slow",
                                        Duration.ofSeconds(3))
                                .retryAfter())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(
                        SesErrorClassifier.classify(
                                        "TooManyRequestsException",
                                        429,
                                        "please retry after 7 seconds",
                                        null)
                                .retryAfter())
                .isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void detailNamesTheCodeAndHidesAddresses() {
        RelayResult.Failed f =
                SesErrorClassifier.classify(
                        "MessageRejected", 400, "Email address is not verified: a@b.example", null);
        assertThat(f.detail()).startsWith("MessageRejected: ").doesNotContain("a@b.example");
        assertThat(f.replyCode()).isEqualTo(400);
        assertThat(f.enhancedStatus()).isNull();
    }
}
