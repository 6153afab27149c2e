package io.sendline.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.schemas.EmailType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SendPipelineOptionsTest {

    private static SendPipelineOptions.Builder valid() {
        return SendPipelineOptions.builder()
                .bootstrapServers("localhost:9092")
                .jdbc("jdbc:postgresql://localhost/sendline", "u", "p");
    }

    @Test
    void transactionalLaneFlushesEveryRecordAndMarketingKeepsFullBuffers() {
        SendPipelineOptions o = valid().build();
        assertThat(o.bufferTimeout(EmailType.TRANSACTIONAL)).isEqualTo(Duration.ZERO);
        assertThat(o.bufferTimeout(EmailType.MARKETING)).isEqualTo(Duration.ofMillis(100));
        assertThat(
                        valid().set(SendPipelineOptions.BUFFER_TIMEOUT_TRANSACTIONAL, "20ms")
                                .build()
                                .bufferTimeout(EmailType.TRANSACTIONAL))
                .isEqualTo(Duration.ofMillis(20));
    }

    @Test
    void aNegativeOrMalformedBufferTimeoutIsRefusedByName() {
        assertThatThrownBy(
                        () ->
                                valid().set(SendPipelineOptions.BUFFER_TIMEOUT_MARKETING, "-1ms")
                                        .build())
                .hasMessageContaining("latency.buffer-timeout.marketing");
        assertThatThrownBy(
                        () ->
                                valid().set(
                                                SendPipelineOptions.BUFFER_TIMEOUT_TRANSACTIONAL,
                                                "soon")
                                        .build())
                .hasMessageContaining("latency.buffer-timeout.transactional is not a duration");
    }
}
