package io.sendline.send.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.schemas.EmailType;
import io.sendline.send.SendPipelineOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** How dispatch reads its relay and retry settings from the job's options. */
class DispatchConfigTest {

    private static SendPipelineOptions.Builder base() {
        return SendPipelineOptions.builder()
                .bootstrapServers("localhost:9092")
                .jdbc("jdbc:postgresql://localhost/sendline", "sendline", "secret");
    }

    @Test
    void aJobWithoutRelayKeysIsRefusedInsteadOfSilentlyUsingTheSandbox() {
        SendPipelineOptions options = base().build();
        assertThatThrownBy(() -> Dispatch.relayConfig(options))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("relay.pool.<pool>.type");
    }

    @Test
    void theSandboxIsUsedOnlyWhenConfigured() {
        SendPipelineOptions options = base().set("relay.pool.default.type", "sandbox").build();
        assertThat(Dispatch.relayConfig(options)).isNotNull();
    }

    @Test
    void retryKeysReachTheDispatchSettings() {
        SendPipelineOptions options =
                base().set("relay.pool.default.type", "sandbox")
                        .set("retry.short-delays", "2s")
                        .set("retry.max-total", "6h")
                        .build();
        DispatchSettings settings = Dispatch.settings(EmailType.MARKETING, options);
        assertThat(settings.retry().shortRetries()).isEqualTo(1);
        assertThat(settings.retry().maxTotal()).isEqualTo(Duration.ofHours(6));
    }
}
