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
}
