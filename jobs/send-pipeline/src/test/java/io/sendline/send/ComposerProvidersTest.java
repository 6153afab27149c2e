package io.sendline.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.compose.ComposerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComposerProvidersTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void trackingSettingsAreRequired() {
        assertThatThrownBy(() -> ComposerProviders.config(Map.of()))
                .hasMessageContaining("compose.tracking.base-url is required")
                .hasMessageContaining("compose.tracking.secret is required");
    }

    @Test
    void unknownCompositionKeyIsAnErrorNotADefault() {
        assertThatThrownBy(
                        () ->
                                ComposerProviders.config(
                                        Map.of(
                                                SendPipelineOptions.TRACKING_BASE_URL,
                                                "https://t.example.com",
                                                SendPipelineOptions.TRACKING_SECRET,
                                                SECRET,
                                                "compose.clicktracking",
                                                "false")))
                .hasMessageContaining("unknown option 'compose.clicktracking'");
    }

    @Test
    void secretTakesTheEdgesHexSyntax() {
        ComposerConfig c =
                ComposerProviders.config(
                        Map.of(
                                SendPipelineOptions.TRACKING_BASE_URL,
                                "https://t.example.com",
                                SendPipelineOptions.TRACKING_SECRET,
                                "hex:" + "ab".repeat(32),
                                "compose.click-tracking",
                                "false"));
        assertThat(c.trackingSecret()).hasSize(32);
        assertThat(c.clickTracking()).isFalse();
    }

    @Test
    void optionsAcceptTheReadmesBootstrapAliasAndHideSecrets() {
        SendPipelineOptions o =
                SendPipelineOptions.fromArgs(
                        new String[] {
                            "--kafka.bootstrap", "k:9092",
                            "--jdbc.url", "jdbc:postgresql://db/sendline",
                            "--compose.tracking.secret", SECRET
                        });
        assertThat(o.bootstrapServers()).isEqualTo("k:9092");
        assertThat(o.toString()).doesNotContain(SECRET);
    }
}
