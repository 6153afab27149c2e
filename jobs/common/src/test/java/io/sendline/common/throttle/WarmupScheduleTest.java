package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WarmupScheduleTest {

    private static final LocalDate START = LocalDate.parse("2026-11-01");

    private static Instant day(int d, int hour) {
        return START.plusDays(d).atTime(hour, 0).toInstant(java.time.ZoneOffset.UTC);
    }

    @Test
    void geometricCapRisesDayByDayFromTheStartDate() {
        WarmupSchedule w = WarmupSchedule.geometric(START, 1000, 2, 1_000_000);
        assertThat(w.capPerHour(day(0, 0))).isEqualTo(1000);
        assertThat(w.capPerHour(day(0, 23))).isEqualTo(1000);
        assertThat(w.capPerHour(day(1, 0))).isEqualTo(2000);
        assertThat(w.capPerHour(day(3, 12))).isEqualTo(8000);
        assertThat(w.capPerSecond(day(0, 1))).isEqualTo(1000 / 3600.0);
    }

    @Test
    void capStopsAtTheMaximumForEver() {
        WarmupSchedule w = WarmupSchedule.geometric(START, 1000, 2, 10_000);
        assertThat(w.capPerHour(day(4, 0))).isEqualTo(10_000);
        assertThat(w.capPerHour(day(100_000, 0))).isEqualTo(10_000);
    }

    @Test
    void beforeTheStartDateTheStartCapApplies() {
        WarmupSchedule w = WarmupSchedule.geometric(START, 1000, 2, 10_000);
        assertThat(w.capPerHour(day(-5, 0))).isEqualTo(1000);
    }

    @Test
    void tableStepsHoldUntilTheNextStep() {
        WarmupSchedule w = WarmupSchedule.table(START, Map.of(0, 1000.0, 3, 5000.0, 7, 20000.0));
        assertThat(w.capPerHour(day(0, 0))).isEqualTo(1000);
        assertThat(w.capPerHour(day(2, 23))).isEqualTo(1000);
        assertThat(w.capPerHour(day(3, 0))).isEqualTo(5000);
        assertThat(w.capPerHour(day(6, 0))).isEqualTo(5000);
        assertThat(w.capPerHour(day(30, 0))).isEqualTo(20000);
    }

    @Test
    void invalidSchedulesAreRefused() {
        assertThatThrownBy(() -> WarmupSchedule.table(START, Map.of(1, 1000.0)))
                .hasMessageContaining("day 0");
        assertThatThrownBy(() -> WarmupSchedule.table(START, Map.of(0, 1000.0, 2, 500.0)))
                .hasMessageContaining("not decrease");
        assertThatThrownBy(() -> WarmupSchedule.geometric(START, 1000, 0.5, 2000))
                .hasMessageContaining("daily-growth");
        assertThatThrownBy(() -> WarmupSchedule.geometric(START, 1000, 2, 10))
                .hasMessageContaining("max-per-hour");
    }
}
