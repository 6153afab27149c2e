package io.sendline.common.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.common.retry.RetryPolicy.Decision;
import io.sendline.common.retry.RetryPolicy.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    private static final Instant T0 = Instant.parse("2026-12-04T10:00:00Z");
    private final RetryPolicy policy = RetryPolicy.defaults();

    @Test
    void firstFailuresAreRetriedShortlyInTheOperator() {
        assertThat(policy.next(0, null, T0))
                .isEqualTo(Decision.retryNowAfter(Duration.ofSeconds(1)));
        assertThat(policy.next(1, null, T0))
                .isEqualTo(Decision.retryNowAfter(Duration.ofSeconds(5)));
        assertThat(policy.next(2, null, T0))
                .isEqualTo(Decision.retryNowAfter(Duration.ofSeconds(15)));
    }

    @Test
    void afterTheShortRetriesTheJobGoesToTheRetryTopicWithANotBeforeTime() {
        Decision d = policy.next(3, null, T0);
        assertThat(d.kind()).isEqualTo(Kind.RETRY_TOPIC);
        assertThat(d.notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(5)));
        assertThat(policy.next(4, null, T0).notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(30)));
        assertThat(policy.next(7, null, T0).notBefore()).isEqualTo(T0.plus(Duration.ofHours(15)));
    }

    @Test
    void givesUpWhenTheLongRetriesAreUsedUp() {
        Decision d = policy.next(8, null, T0);
        assertThat(d.kind()).isEqualTo(Kind.GIVE_UP);
        assertThat(d.suppress()).isFalse();
    }

    @Test
    void relayRetryAfterHintIsHonouredWhenLonger() {
        assertThat(policy.next(0, Duration.ofSeconds(30), T0).delay())
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(policy.next(3, Duration.ofMinutes(20), T0).notBefore())
                .isEqualTo(T0.plus(Duration.ofMinutes(20)));
    }

    @Test
    void hintLongerThanTheOperatorMayWaitGoesStraightToTheRetryTopic() {
        Decision d = policy.next(0, Duration.ofMinutes(10), T0);
        assertThat(d.kind()).isEqualTo(Kind.RETRY_TOPIC);
        assertThat(d.notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
    }

    @Test
    void noRetryIsScheduledPastTwentyFourHoursAfterTheFirstTry() {
        Instant first = T0;
        Instant now = T0.plus(Duration.ofHours(20));
        // 15 h later would be 35 h after the first try
        assertThat(policy.next(7, null, first, now).kind()).isEqualTo(Kind.GIVE_UP);
        assertThat(policy.next(3, null, first, now).kind()).isEqualTo(Kind.RETRY_TOPIC);
        Instant almost = T0.plus(Duration.ofHours(24)).minusMillis(500);
        assertThat(policy.next(0, null, first, almost).kind()).isEqualTo(Kind.GIVE_UP);
    }

    @Test
    void softBounceIsRetriedThreeTimesWithinTwentyFourHoursThenSuppressed() {
        // bounces are reported a little after each try; all three retries still happen
        Decision first = policy.afterSoftBounce(1, null, T0);
        assertThat(first.kind()).isEqualTo(Kind.RETRY_TOPIC);
        Instant second = first.notBefore().plus(Duration.ofMinutes(20));
        Decision d2 = policy.afterSoftBounce(2, T0, second);
        assertThat(d2.kind()).isEqualTo(Kind.RETRY_TOPIC);
        Instant third = d2.notBefore().plus(Duration.ofMinutes(20));
        Decision d3 = policy.afterSoftBounce(3, T0, third);
        assertThat(d3.kind()).isEqualTo(Kind.RETRY_TOPIC);
        assertThat(d3.notBefore()).isBefore(T0.plus(Duration.ofHours(24)));
        Instant fourth = d3.notBefore().plus(Duration.ofMinutes(20));
        Decision d4 = policy.afterSoftBounce(4, T0, fourth);
        assertThat(d4.kind()).isEqualTo(Kind.GIVE_UP);
        assertThat(d4.suppress()).isTrue();
        assertThat(RetryPolicy.SOFT_BOUNCE_RETRIES).isEqualTo(3);
    }

    @Test
    void softBounceRetryThatWouldFallPastTwentyFourHoursSuppressesInstead() {
        Decision d = policy.afterSoftBounce(3, T0, T0.plus(Duration.ofHours(20)));
        assertThat(d.kind()).isEqualTo(Kind.GIVE_UP);
        assertThat(d.suppress()).isTrue();
    }

    @Test
    void handOverFailuresThatGiveUpDoNotSuppress() {
        assertThat(policy.next(8, null, T0).suppress()).isFalse();
    }

    @Test
    void retryKeysOverrideTheDefaults() {
        RetryPolicy p =
                RetryPolicy.fromMap(
                        java.util.Map.of(
                                "retry.short-delays", "500ms, 2s",
                                "retry.long-delays", "PT10M,1h",
                                "retry.max-total", "1d",
                                "retry.soft-bounce-delays", "2h,4h,8h",
                                "pacing.pool.m.rate", "1"));
        assertThat(p.shortRetries()).isEqualTo(2);
        assertThat(p.next(0, null, T0).delay()).isEqualTo(Duration.ofMillis(500));
        assertThat(p.next(2, null, T0).notBefore()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(p.afterSoftBounce(1, null, T0).notBefore()).isEqualTo(T0.plusSeconds(7200));
        assertThat(
                        RetryPolicy.fromMap(java.util.Map.of("retry.short-delays", ""))
                                .next(0, null, T0)
                                .kind())
                .isEqualTo(Kind.RETRY_TOPIC);
        assertThat(RetryPolicy.fromMap(java.util.Map.of()).next(0, null, T0))
                .isEqualTo(RetryPolicy.defaults().next(0, null, T0));
    }

    @Test
    void unknownRetryKeysAndBadDurationsAreRefused() {
        assertThatThrownBy(() -> RetryPolicy.fromMap(java.util.Map.of("retry.shortdelays", "1s")))
                .hasMessageContaining("retry.shortdelays");
        assertThatThrownBy(() -> RetryPolicy.fromMap(java.util.Map.of("retry.max-total", "soon")))
                .hasMessageContaining("retry.max-total");
    }

    @Test
    void customPolicyAndValidation() {
        RetryPolicy p =
                RetryPolicy.of(
                        List.of(Duration.ofMillis(10)),
                        List.of(Duration.ofMinutes(1)),
                        Duration.ofSeconds(1),
                        Duration.ofHours(1),
                        List.of(Duration.ofMinutes(5)));
        assertThat(p.shortRetries()).isEqualTo(1);
        assertThat(p.longRetries()).isEqualTo(1);
        assertThat(p.next(1, null, T0).kind()).isEqualTo(Kind.RETRY_TOPIC);
        assertThat(p.next(2, null, T0).kind()).isEqualTo(Kind.GIVE_UP);
        assertThatThrownBy(
                        () ->
                                RetryPolicy.of(
                                        List.of(Duration.ZERO),
                                        List.of(),
                                        Duration.ZERO,
                                        Duration.ofHours(1),
                                        List.of()))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> policy.next(-1, null, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
