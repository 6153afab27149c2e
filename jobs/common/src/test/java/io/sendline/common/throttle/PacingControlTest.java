package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.ControlCommand.Action;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PacingControlTest {

    static ControlCommand cmd(Action a, String pool, String domain, String campaign, Double rate) {
        return new ControlCommand(
                "c-" + System.nanoTime(),
                a,
                pool,
                domain,
                campaign,
                rate,
                "test",
                "ops",
                Instant.EPOCH);
    }

    @Test
    void pausingAPoolHoldsEveryDomainAndCampaignOfIt() {
        PacingControl c = new PacingControl();
        assertThat(c.apply(cmd(Action.PAUSE, "marketing", null, null, null))).isTrue();
        assertThat(c.isPaused("marketing", "gmail.com", null)).isTrue();
        assertThat(c.isPaused("marketing", "yahoo.com", "spring-sale")).isTrue();
        assertThat(c.isPaused("transactional", "gmail.com", null)).isFalse();
    }

    @Test
    void resumeLiftsThePauseOfTheSameScope() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.PAUSE, "marketing", null, null, null));
        assertThat(c.apply(cmd(Action.RESUME, "marketing", null, null, null))).isTrue();
        assertThat(c.isPaused("marketing", "gmail.com", null)).isFalse();
        assertThat(c.apply(cmd(Action.RESUME, "marketing", null, null, null))).isFalse();
    }

    @Test
    void domainPauseHoldsOnlyThatDomainOfThatPool() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.PAUSE, "marketing", "Gmail.com", null, null));
        assertThat(c.isPaused("marketing", "gmail.com")).isTrue();
        assertThat(c.isPaused("marketing", "yahoo.com")).isFalse();
        assertThat(c.isPaused("transactional", "gmail.com")).isFalse();
    }

    @Test
    void resumingThePoolDoesNotResumeADomainPausedOnItsOwn() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.PAUSE, "marketing", null, null, null));
        c.apply(cmd(Action.PAUSE, "marketing", "gmail.com", null, null));
        c.apply(cmd(Action.RESUME, "marketing", null, null, null));
        assertThat(c.isPaused("marketing", "gmail.com")).isTrue();
        assertThat(c.isPaused("marketing", "yahoo.com")).isFalse();
    }

    @Test
    void campaignPauseHoldsOnlyThatCampaign() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.PAUSE, "marketing", null, "spring-sale", null));
        assertThat(c.isPaused("marketing", "gmail.com", "spring-sale")).isTrue();
        assertThat(c.isPaused("marketing", "gmail.com", "autumn")).isFalse();
        assertThat(c.isPaused("marketing", "gmail.com", null)).isFalse();
    }

    @Test
    void setRateOverridesPoolDomainAndCampaignRatesIndependently() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.SET_RATE, "marketing", null, null, 50.0));
        c.apply(cmd(Action.SET_RATE, "marketing", "gmail.com", null, 5.0));
        c.apply(cmd(Action.SET_RATE, "marketing", null, "spring-sale", 2.0));
        assertThat(c.poolRate("marketing")).hasValue(50.0);
        assertThat(c.domainRate("marketing", "gmail.com")).hasValue(5.0);
        assertThat(c.domainRate("marketing", "yahoo.com")).isEmpty();
        assertThat(c.campaignRate("spring-sale")).hasValue(2.0);
        c.apply(cmd(Action.SET_RATE, "marketing", null, null, 80.0));
        assertThat(c.poolRate("marketing")).hasValue(80.0);
    }

    @Test
    void stateRebuildsFromTheCommandsInForce() {
        PacingControl c = new PacingControl();
        c.apply(cmd(Action.PAUSE, "marketing", "gmail.com", null, null));
        c.apply(cmd(Action.SET_RATE, "transactional", null, null, 300.0));
        PacingControl restored = PacingControl.of(c.commands());
        assertThat(restored.isPaused("marketing", "gmail.com")).isTrue();
        assertThat(restored.poolRate("transactional")).hasValue(300.0);
        assertThat(PacingControl.of(List.of()).isPaused("marketing", null, null)).isFalse();
    }

    @Test
    void malformedCommandsAreRefused() {
        PacingControl c = new PacingControl();
        assertThatThrownBy(() -> c.apply(cmd(Action.SET_RATE, "m", null, null, null)))
                .hasMessageContaining("ratePerSecond");
        assertThatThrownBy(() -> c.apply(cmd(Action.SET_RATE, "m", null, null, -1.0)))
                .hasMessageContaining("ratePerSecond");
        assertThatThrownBy(() -> c.apply(cmd(Action.PAUSE, null, null, null, null)))
                .hasMessageContaining("pool");
        assertThatThrownBy(() -> c.apply(cmd(null, "m", null, null, null)))
                .hasMessageContaining("action");
    }
}
