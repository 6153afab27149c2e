package io.sendline.relay.classify;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryHintsTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            451 4.7.1 Please retry in 30 seconds                | PT30S
            421 4.7.0 Try again in 5 minutes                    | PT5M
            450 try again after 2 hours                         | PT2H
            450 rate limited; retry after 1500ms                | PT1.5S
            451 Greylisted, wait in 120 s                       | PT2M
            450 retry in 45                                     | PT45S
            452 Retry-After: 60                                 | PT1M
            421 4.7.0 Try again in 1 min                        | PT1M
            451 please RETRY IN 10 SECS                         | PT10S
            """)
    void parsesHints(String text, String expected) {
        assertThat(RetryHints.parse(text)).isEqualTo(Duration.parse(expected));
    }

    @Test
    void noHintIsNull() {
        assertThat(RetryHints.parse("421 4.7.0 Try again later")).isNull();
        assertThat(RetryHints.parse("550 5.1.1 user unknown")).isNull();
        assertThat(RetryHints.parse(null)).isNull();
        assertThat(RetryHints.parse("")).isNull();
    }

    @Test
    void parsesRetryAfterHeaderSeconds() {
        assertThat(RetryHints.parseRetryAfterHeader(" 12 ")).isEqualTo(Duration.ofSeconds(12));
        assertThat(RetryHints.parseRetryAfterHeader("Wed, 21 Oct 2015 07:28:00 GMT")).isNull();
        assertThat(RetryHints.parseRetryAfterHeader(null)).isNull();
    }
}
