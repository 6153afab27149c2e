package io.sendline.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.common.retry.RetryPolicy;
import io.sendline.common.throttle.Aimd;
import io.sendline.common.throttle.PacingConfig;
import io.sendline.common.throttle.PacingRules;
import io.sendline.common.throttle.PacingState;
import io.sendline.common.throttle.TokenBucket;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.api.Test;

/**
 * What the Flink job ships or stores: rules held by functions travel with the job graph (Java
 * serialization), and per-key pacing state must use Flink's POJO serializer, not Kryo.
 */
class SerializationTest {

    @SuppressWarnings("unchecked")
    private static <T> T roundTrip(T value) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    @Test
    void pacingStateIsAFlinkPojoWithoutKryo() {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(PacingState.class);
    }

    @Test
    void rulesHeldByFunctionsSurviveJavaSerialization() throws Exception {
        PacingConfig config =
                PacingConfig.fromMap(
                        Map.of(
                                "pacing.pool.m.rate", "40",
                                "pacing.pool.m.domain.gmail.com.rate", "8",
                                "pacing.domain.gmail.com.splits", "2",
                                "pacing.pool.m.warmup.start", "2026-11-01"));
        PacingRules rules = roundTrip(new PacingRules(config, 2));
        Instant now = Instant.parse("2027-06-01T00:00:00Z");
        assertThat(
                        rules.keyCeiling(
                                "m",
                                "gmail.com",
                                new io.sendline.common.throttle.PacingControl(),
                                now))
                .isEqualTo(4.0);
        assertThat(rules.config().warmup("m")).isPresent();

        RetryPolicy policy = roundTrip(RetryPolicy.defaults());
        assertThat(policy.next(0, null, now).delay()).isEqualTo(Duration.ofSeconds(1));

        Aimd aimd = roundTrip(Aimd.withDefaults(10));
        assertThat(aimd.rate()).isEqualTo(10);
        TokenBucket bucket = roundTrip(new TokenBucket(5, 2));
        assertThat(bucket.tryAcquire(0)).isZero();
    }
}
