package io.sendline.common.throttle;

import static io.sendline.common.throttle.PacingControlTest.cmd;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.ControlCommand.Action;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PacingRulesTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    private static final PacingConfig CONFIG =
            PacingConfig.fromMap(
                    Map.of(
                            "pacing.pool.marketing.rate", "400",
                            "pacing.pool.marketing.domain.gmail.com.rate", "100",
                            "pacing.pool.marketing.domain-default.rate", "20",
                            "pacing.domain.gmail.com.splits", "4",
                            "pacing.pool.transactional.rate", "1000",
                            "pacing.pool.fresh-ip.rate", "100",
                            "pacing.pool.fresh-ip.warmup.start", "2026-12-04",
                            "pacing.pool.fresh-ip.warmup.start-per-hour", "7200"));

    private final PacingRules rules = new PacingRules(CONFIG, 2);

    @Test
    void keyCeilingIsTheSubKeysShareOfTheDomainRate() {
        // gmail.com 100/s over 4 sub-keys; marketing 400/s over 2 subtasks = 200
        assertThat(rules.keyCeiling("marketing", "gmail.com", new PacingControl(), NOW))
                .isEqualTo(25);
        assertThat(rules.keyCeiling("marketing", "example.com", new PacingControl(), NOW))
                .isEqualTo(20);
        assertThat(rules.keyOf("marketing", "gmail.com", "job-9"))
                .startsWith("marketing|gmail.com|");
    }

    @Test
    void poolRateIsSharedBySubtasks() {
        assertThat(rules.subtaskPoolRate("marketing", new PacingControl(), NOW)).isEqualTo(200);
        // no domain limit: the pool rate, split like every gmail.com key (1000 / 4)
        assertThat(rules.keyCeiling("transactional", "gmail.com", new PacingControl(), NOW))
                .isEqualTo(250);
        assertThat(rules.keyCeiling("transactional", "example.com", new PacingControl(), NOW))
                .isEqualTo(500);
    }

    @Test
    void warmupCapsANewPoolOnItsFirstDay() {
        // 7,200 per hour = 2/s for the pool, 1/s per subtask
        assertThat(rules.poolRate("fresh-ip", new PacingControl(), NOW)).isEqualTo(2.0);
        assertThat(rules.keyCeiling("fresh-ip", "gmail.com", new PacingControl(), NOW))
                .isEqualTo(1.0); // min(pool 2/2 subtasks = 1, domain 100/4 sub-keys = 25)
    }

    @Test
    void pauseOfPoolOrDomainStopsTheKey() {
        PacingControl control = new PacingControl();
        control.apply(cmd(Action.PAUSE, "marketing", "gmail.com", null, null));
        assertThat(rules.keyCeiling("marketing", "gmail.com", control, NOW)).isZero();
        assertThat(rules.keyCeiling("marketing", "yahoo.com", control, NOW)).isEqualTo(20);
        control.apply(cmd(Action.PAUSE, "marketing", null, null, null));
        assertThat(rules.keyCeiling("marketing", "yahoo.com", control, NOW)).isZero();
        control.apply(cmd(Action.RESUME, "marketing", null, null, null));
        control.apply(cmd(Action.RESUME, "marketing", "gmail.com", null, null));
        assertThat(rules.keyCeiling("marketing", "gmail.com", control, NOW)).isEqualTo(25);
    }

    @Test
    void setRateReplacesTheConfiguredRateButNotTheWarmupCap() {
        PacingControl control = new PacingControl();
        control.apply(cmd(Action.SET_RATE, "marketing", "gmail.com", null, 8.0));
        assertThat(rules.keyCeiling("marketing", "gmail.com", control, NOW)).isEqualTo(2.0);
        control.apply(cmd(Action.SET_RATE, "marketing", null, null, 2.0));
        assertThat(rules.keyCeiling("marketing", "example.com", control, NOW)).isEqualTo(1.0);
        control.apply(cmd(Action.SET_RATE, "fresh-ip", null, null, 1000.0));
        assertThat(rules.poolRate("fresh-ip", control, NOW)).isEqualTo(2.0);
        control.apply(cmd(Action.SET_RATE, "transactional", null, null, 0.0));
        assertThat(rules.keyCeiling("transactional", "gmail.com", control, NOW)).isZero();
    }

    @Test
    void keyRateFollowsAimdBelowTheCeilingAndClimbsBack() {
        PacingControl control = new PacingControl();
        Aimd aimd = rules.newAimd("marketing", "gmail.com", control, NOW);
        assertThat(rules.keyRate("marketing", "gmail.com", control, aimd, NOW)).isEqualTo(25);
        aimd.onDeferral(0);
        assertThat(rules.keyRate("marketing", "gmail.com", control, aimd, NOW)).isEqualTo(12.5);
        for (long t = 5_000; t < 60_000; t += 1_000) {
            aimd.onSuccess(t);
        }
        assertThat(rules.keyRate("marketing", "gmail.com", control, aimd, NOW)).isEqualTo(25);
    }

    @Test
    void loweredCeilingCapsTheAimdRateAtOnce() {
        PacingControl control = new PacingControl();
        Aimd aimd = rules.newAimd("marketing", "gmail.com", control, NOW);
        control.apply(cmd(Action.SET_RATE, "marketing", "gmail.com", null, 4.0));
        assertThat(rules.keyRate("marketing", "gmail.com", control, aimd, NOW)).isEqualTo(1.0);
        assertThat(aimd.rate()).isEqualTo(1.0);
    }

    @Test
    void pausedKeyRateIsZero() {
        PacingControl control = new PacingControl();
        control.apply(cmd(Action.PAUSE, "marketing", null, null, null));
        Aimd aimd = rules.newAimd("marketing", "gmail.com", control, NOW);
        assertThat(rules.keyRate("marketing", "gmail.com", control, aimd, NOW)).isZero();
    }
}
