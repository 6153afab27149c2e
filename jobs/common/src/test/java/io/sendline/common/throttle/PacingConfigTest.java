package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class PacingConfigTest {

    @Test
    void poolAndDomainRatesComeFromTheirKeys() {
        PacingConfig c =
                PacingConfig.fromMap(
                        Map.of(
                                "pacing.pool.marketing.rate", "200",
                                "pacing.pool.marketing.domain.gmail.com.rate", "50",
                                "pacing.pool.marketing.domain-default.rate", "10",
                                "pacing.pool.transactional.rate", "500"));
        assertThat(c.poolRate("marketing")).isEqualTo(200);
        assertThat(c.poolRate("transactional")).isEqualTo(500);
        assertThat(c.domainRate("marketing", "gmail.com")).isEqualTo(50);
        assertThat(c.domainRate("marketing", "yahoo.com")).isEqualTo(10);
        // no domain limit configured for transactional: the pool rate
        assertThat(c.domainRate("transactional", "gmail.com")).isEqualTo(500);
    }

    @Test
    void defaultsApplyToPoolsAndDomainsNotListed() {
        PacingConfig c =
                PacingConfig.fromMap(
                        Map.of(
                                "pacing.pool-default.rate", "30",
                                "pacing.domain-default.rate", "5",
                                "pacing.pool.bulk.domain.outlook.com.rate", "7"));
        assertThat(c.poolRate("anything")).isEqualTo(30);
        assertThat(c.poolRate("bulk")).isEqualTo(30);
        assertThat(c.domainRate("anything", "example.com")).isEqualTo(5);
        assertThat(c.domainRate("bulk", "outlook.com")).isEqualTo(7);
        assertThat(PacingConfig.defaults().poolRate("x")).isEqualTo(PacingConfig.DEFAULT_POOL_RATE);
    }

    @Test
    void hotDomainSplitsComeFromConfiguration() {
        PacingConfig c = PacingConfig.fromMap(Map.of("pacing.domain.gmail.com.splits", "8"));
        assertThat(c.splitsFor("gmail.com")).isEqualTo(8);
        assertThat(c.splitsFor("example.com")).isEqualTo(1);
    }

    @Test
    void geometricWarmupCapsThePoolFromItsStartDate() {
        Properties p = new Properties();
        p.setProperty("pacing.pool.marketing.rate", "100");
        p.setProperty("pacing.pool.marketing.warmup.start", "2026-11-01");
        p.setProperty("pacing.pool.marketing.warmup.start-per-hour", "3600");
        p.setProperty("pacing.pool.marketing.warmup.daily-growth", "2");
        PacingConfig c = PacingConfig.fromProperties(p);
        Instant day0 = Instant.parse("2026-11-01T10:00:00Z");
        Instant day2 = Instant.parse("2026-11-03T10:00:00Z");
        Instant late = Instant.parse("2027-06-01T10:00:00Z");
        assertThat(c.poolCapPerSecond("marketing", day0)).isEqualTo(1.0);
        assertThat(c.poolCapPerSecond("marketing", day2)).isEqualTo(4.0);
        // the cap stops at the pool rate (max-per-hour defaults to rate x 3600)
        assertThat(c.poolCapPerSecond("marketing", late)).isEqualTo(100.0);
        assertThat(c.warmup("marketing").orElseThrow().maxPerHour()).isEqualTo(360_000.0);
        assertThat(c.warmup("transactional")).isEmpty();
        assertThat(c.poolCapPerSecond("transactional", day0)).isEqualTo(c.poolRate("x"));
    }

    @Test
    void tableWarmupIsParsed() {
        PacingConfig c =
                PacingConfig.fromMap(
                        Map.of(
                                "pacing.pool.m.warmup.start", "2026-11-01",
                                "pacing.pool.m.warmup.table", "0:3600, 3:7200"));
        assertThat(c.poolCapPerSecond("m", Instant.parse("2026-11-02T00:00:00Z"))).isEqualTo(1.0);
        assertThat(c.poolCapPerSecond("m", Instant.parse("2026-11-04T00:00:00Z"))).isEqualTo(2.0);
        assertThat(c.warmup("m").orElseThrow().start()).isEqualTo(LocalDate.parse("2026-11-01"));
    }

    @Test
    void typosAndBadValuesAreRefusedWithTheKeyInTheMessage() {
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.pool.m.rat", "1")))
                .hasMessageContaining("pacing.pool.m.rat");
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.pool.m.rate", "fast")))
                .hasMessageContaining("pacing.pool.m.rate");
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.pool.m.rate", "-1")))
                .hasMessageContaining("positive");
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.pool.m.domain.rate", "1")))
                .hasMessageContaining("unknown pacing key");
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.domain.splits", "2")))
                .hasMessageContaining("unknown pacing key");
        assertThatThrownBy(
                        () ->
                                PacingConfig.fromMap(
                                        Map.of("pacing.pool.m.warmup.start-per-hour", "5")))
                .hasMessageContaining("start is required");
        assertThatThrownBy(
                        () ->
                                PacingConfig.fromMap(
                                        Map.of("pacing.pool.m.warmup.start", "1 Nov 2026")))
                .hasMessageContaining("ISO date");
        assertThatThrownBy(() -> PacingConfig.fromMap(Map.of("pacing.domain.a.com.splits", "0")))
                .hasMessageContaining("1..1024");
    }

    @Test
    void keysOutsideThePacingPrefixAreIgnored() {
        PacingConfig c = PacingConfig.fromMap(Map.of("relay.pool.m.type", "ses"));
        assertThat(c.pools()).isEmpty();
    }
}
