package io.sendline.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.edge.auth.ApiKeys;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {

    @Test
    void listsEveryProblemAtOnce() {
        assertThatThrownBy(
                        () -> EdgeConfig.builder().port(70000).trackingSecret(new byte[5]).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("edge.port")
                .hasMessageContaining("edge.kafka.bootstrap-servers")
                .hasMessageContaining("edge.jdbc.url")
                .hasMessageContaining("edge.tracking.secret");
    }

    @Test
    void readsProperties() {
        Properties p = new Properties();
        p.setProperty("edge.port", "9090");
        p.setProperty("edge.api-keys", "app1:" + ApiKeys.hash("secret-key-0123456789"));
        p.setProperty("edge.kafka.bootstrap-servers", "localhost:9092");
        p.setProperty("edge.kafka.producer.linger.ms", "7");
        p.setProperty("edge.jdbc.url", "jdbc:postgresql://localhost:5432/sendline");
        p.setProperty("edge.tracking.base-url", "https://t.example.com");
        p.setProperty("edge.tracking.secret", "hex:" + "ab".repeat(32));
        p.setProperty(
                "edge.webhooks.ses.topic-arns", "arn:aws:sns:us-east-1:123456789012:ses-events");
        p.setProperty("edge.webhooks.tolerance", "10M");
        p.setProperty("edge.limits.max-batch-emails", "100");
        EdgeConfig c = EdgeConfig.fromProperties(p);
        assertThat(c.port()).isEqualTo(9090);
        assertThat(c.producerOverrides()).containsEntry("linger.ms", "7");
        assertThat(c.trackingSecret()).hasSize(32);
        assertThat(c.webhookTolerance().toMinutes()).isEqualTo(10);
        assertThat(c.limits().maxBatchEmails()).isEqualTo(100);
        assertThat(new ApiKeys(c.apiKeyHashes()).authenticate("Bearer secret-key-0123456789"))
                .contains("app1");
        assertThat(new ApiKeys(c.apiKeyHashes()).authenticate("Bearer secret-key-0123456780"))
                .isEmpty();
        assertThat(new ApiKeys(c.apiKeyHashes()).authenticate("Basic secret-key-0123456789"))
                .isEmpty();
        assertThat(new ApiKeys(c.apiKeyHashes()).authenticate(null)).isEmpty();
    }

    @Test
    void refusesBadTopicArns() {
        assertThatThrownBy(
                        () ->
                                EdgeConfig.builder()
                                        .kafkaBootstrapServers("x:1")
                                        .jdbcUrl("jdbc:postgresql://x/y")
                                        .trackingBaseUrl("https://t.example.com")
                                        .trackingSecret(new byte[32])
                                        .snsTopicArn("not-an-arn")
                                        .build())
                .hasMessageContaining("edge.webhooks.ses.topic-arns");
    }

    @Test
    void environmentOverridesTheFileAndSharedVariablesFillGaps() {
        Properties file = new Properties();
        file.setProperty("edge.port", "9090");
        file.setProperty("edge.tracking.base-url", "https://t.example.com");
        file.setProperty("edge.jdbc.url", "jdbc:postgresql://file/sendline");
        java.util.Map<String, String> env =
                java.util.Map.of(
                        "SENDLINE_EDGE_PORT", "9191",
                        "SENDLINE_KAFKA", "broker:9092",
                        "SENDLINE_JDBC_URL", "jdbc:postgresql://shared/ignored",
                        "SENDLINE_EDGE_TRACKING_SECRET", "hex:" + "cd".repeat(32),
                        "SENDLINE_EDGE_WEBHOOKS_SANDBOX_SECRET", "sandbox-secret-0123456789",
                        "SENDLINE_EDGE_API_KEYS", "local:" + ApiKeys.hash("local-key-0123456789"));
        EdgeConfig c = EdgeConfig.fromProperties(EdgeConfig.withEnvironment(file, env));
        assertThat(c.port()).isEqualTo(9191);
        assertThat(c.kafkaBootstrapServers()).isEqualTo("broker:9092");
        assertThat(c.jdbcUrl()).isEqualTo("jdbc:postgresql://file/sendline");
        assertThat(c.sandboxSecret()).hasSize(25);
        assertThat(c.apiKeyHashes()).containsKey("local");
        assertThat(EdgeConfig.envName(EdgeConfig.Keys.MAX_BATCH_EMAILS))
                .isEqualTo("SENDLINE_EDGE_LIMITS_MAX_BATCH_EMAILS");
        assertThat(EdgeConfig.keys()).contains(EdgeConfig.Keys.SANDBOX_SECRET);
    }

    @Test
    void apiKeysInClearAreKeptOnlyAsHashes() {
        EdgeConfig c =
                EdgeConfig.builder()
                        .apiKey("stack", "stack-key-0123456789")
                        .kafkaBootstrapServers("x:1")
                        .jdbcUrl("jdbc:postgresql://x/y")
                        .trackingBaseUrl("https://t.example.com")
                        .trackingSecret(new byte[32])
                        .build();
        assertThat(c.apiKeyHashes()).containsEntry("stack", ApiKeys.hash("stack-key-0123456789"));
        assertThatThrownBy(() -> EdgeConfig.builder().apiKey("short", "too-short"))
                .hasMessageContaining("16 to 512");
    }
}
