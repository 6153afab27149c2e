package io.sendline.relay.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.relay.Outcome;
import io.sendline.relay.RelayResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpReplyClassifierTest {

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            250 | 250 2.0.0 Ok: queued as 4BxyZ                                         | ACCEPTED
            251 | 251 User not local; will forward                                     | ACCEPTED
            0   |                                                                      | RETRYABLE
            354 | 354 End data with <CR><LF>.<CR><LF>                                  | RETRYABLE
            421 | 421 4.7.0 Try again later, closing connection                        | THROTTLED
            421 | 421 Service not available, closing transmission channel              | THROTTLED
            421 | 421-4.7.28 Our system has detected an unusual rate of unsolicited mail | THROTTLED
            450 | 450 4.7.1 Client host rejected: too many messages, slow down         | THROTTLED
            451 | 451 4.7.500 Server busy. Please try again later                      | THROTTLED
            454 | 454 4.7.0 Temporary authentication failure                           | THROTTLED
            451 | 451 4.7.1 Greylisted, please retry in 300 seconds                    | RETRYABLE
            450 | 450 Greylisting in action, please come back later                    | RETRYABLE
            450 | 450-4.2.1 The user you are trying to contact is receiving mail at a rate | RETRYABLE
            452 | 452 4.2.2 Mailbox full                                               | RETRYABLE
            451 | 451 4.3.0 Temporary lookup failure                                   | RETRYABLE
            450 | 450 4.1.8 Sender address rejected: Domain not found                  | RETRYABLE
            452 | 452 4.3.1 Insufficient system storage                                | RETRYABLE
            447 | 447 4.4.7 Message delayed                                            | RETRYABLE
            450 | 450 Requested action not taken: mailbox busy                         | RETRYABLE
            450 | 450 Too many connections from your IP                                | THROTTLED
            451 | 451 Rate limit exceeded for this sender                              | THROTTLED
            550 | 550 5.1.1 The email account that you tried to reach does not exist   | PERMANENT_RECIPIENT
            550 | 550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup | PERMANENT_RECIPIENT
            553 | 553 5.1.2 Bad destination system address                             | PERMANENT_RECIPIENT
            553 | 553 5.1.3 Bad destination mailbox address syntax                     | PERMANENT_RECIPIENT
            550 | 550 5.1.6 Mailbox has moved                                          | PERMANENT_RECIPIENT
            550 | 550 5.2.1 The email account that you tried to reach is disabled      | PERMANENT_RECIPIENT
            550 | 550 5.4.1 Recipient address rejected: Access denied                  | PERMANENT_RECIPIENT
            550 | 550 5.4.4 Unable to route                                            | PERMANENT_RECIPIENT
            550 | 550 5.1.7 Bad sender's mailbox address syntax                        | PERMANENT_POLICY
            550 | 550 5.1.8 Sender address rejected: Domain not found                  | PERMANENT_POLICY
            552 | 552 5.2.2 The email account that you tried to reach is over quota    | RETRYABLE
            552 | 552 5.2.3 Message size exceeds fixed maximum message size            | PERMANENT_POLICY
            554 | 554 5.3.4 Message too big for system                                 | PERMANENT_POLICY
            554 | 554 5.4.6 Routing loop detected                                      | PERMANENT_POLICY
            501 | 501 5.5.2 Syntax error in parameters                                 | PERMANENT_POLICY
            550 | 550 5.6.0 Content rejected                                           | PERMANENT_POLICY
            550 | 550 5.7.1 Message rejected as spam                                   | PERMANENT_POLICY
            554 | 554 5.7.1 Service unavailable; Client host blocked using Spamhaus     | PERMANENT_POLICY
            550 | 550-5.7.26 Unauthenticated email is not accepted (DMARC)             | PERMANENT_POLICY
            535 | 535 5.7.8 Authentication credentials invalid                         | PERMANENT_POLICY
            550 | 550 User unknown                                                     | PERMANENT_RECIPIENT
            550 | 550 No such user here                                                | PERMANENT_RECIPIENT
            550 | 550 Requested action not taken: mailbox unavailable                  | PERMANENT_RECIPIENT
            551 | 551 User not local                                                   | PERMANENT_RECIPIENT
            553 | 553 Requested action not taken: mailbox name not allowed             | PERMANENT_RECIPIENT
            550 | 550                                                                  | PERMANENT_RECIPIENT
            550 | 550 5.0.0 User unknown                                               | PERMANENT_RECIPIENT
            550 | 550 5.0.0 Blocked by policy                                          | PERMANENT_POLICY
            550 | 550 Message blocked because of poor reputation                       | PERMANENT_POLICY
            554 | 554 delivery error: This mailbox is disabled                         | PERMANENT_RECIPIENT
            554 | 554 Transaction failed                                               | PERMANENT_POLICY
            552 | 552 Requested mail action aborted: exceeded storage allocation       | RETRYABLE
            500 | 500 Syntax error, command unrecognized                               | PERMANENT_POLICY
            530 | 530 Authentication required                                          | PERMANENT_POLICY
            550 | 550 4.2.2 contradicting enhanced code is ignored                     | PERMANENT_RECIPIENT
            450 | 450 5.1.1 contradicting enhanced code is ignored                     | RETRYABLE
            """)
    void classifies(int code, String text, Outcome expected) {
        assertThat(SmtpReplyClassifier.classify(code, text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            550 5.1.1 user unknown              | 5.1.1
            550-5.1.10 not found                | 5.1.10
            421 4.7.0 [TSS04] deferred - 4.16.55.1 | 4.7.0
            550 user unknown at 10.4.2.1        |
            451 see 4.16.55.1 for details       |
            250 2.0.0 Ok                        | 2.0.0
            550 mailbox full, 5.2.2.            | 5.2.2
            """)
    void readsEnhancedStatus(String text, String expected) {
        assertThat(SmtpReplyClassifier.enhancedStatus(text)).isEqualTo(expected);
    }

    @Test
    void readsReplyCodes() {
        assertThat(SmtpReplyClassifier.replyCode("550 5.1.1 x")).isEqualTo(550);
        assertThat(SmtpReplyClassifier.replyCode("421-4.7.0 x")).isEqualTo(421);
        assertThat(SmtpReplyClassifier.replyCode("  250")).isEqualTo(250);
        assertThat(SmtpReplyClassifier.replyCode("5500 x")).isZero();
        assertThat(SmtpReplyClassifier.replyCode("Got bad greeting")).isZero();
        assertThat(SmtpReplyClassifier.replyCode("999 x")).isZero();
        assertThat(SmtpReplyClassifier.replyCode(null)).isZero();
    }

    @Test
    void failureCarriesCodeStatusHintAndRedactedDetail() {
        RelayResult.Failed f =
                SmtpReplyClassifier.failure(
                        450,
                        "450 4.7.1 <jane.doe+x@example.com>: rate limited, retry in 90 seconds");
        assertThat(f.outcome()).isEqualTo(Outcome.THROTTLED);
        assertThat(f.replyCode()).isEqualTo(450);
        assertThat(f.enhancedStatus()).isEqualTo("4.7.1");
        assertThat(f.retryAfter()).isEqualTo(Duration.ofSeconds(90));
        assertThat(f.detail()).doesNotContain("jane").doesNotContain("example.com");
        assertThat(f.detail()).contains("<address>");
    }

    @Test
    void contradictingEnhancedCodeIsDroppedFromTheFailure() {
        assertThat(SmtpReplyClassifier.failure(550, "550 4.2.2 x").enhancedStatus()).isNull();
    }

    @Test
    void successIsNotAFailure() {
        assertThatThrownBy(() -> SmtpReplyClassifier.failure(250, "250 Ok"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("success");
    }
}
