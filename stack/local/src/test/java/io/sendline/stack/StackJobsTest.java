package io.sendline.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.send.SendPipelineOptions;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StackJobsTest {

    private static StackJobContext context(Map<String, String> options) {
        return new StackJobContext(
                conf -> {
                    throw new AssertionError("no environment needed");
                },
                "localhost:9092",
                "",
                "jdbc:postgresql://localhost:15432/postgres",
                "postgres",
                "postgres",
                2,
                2000,
                "file:///tmp/cp",
                "http://localhost:8080",
                "0123456789abcdef0123456789abcdef",
                topic -> {},
                options);
    }

    @Test
    void sendPipelineGetsTheStacksPartsAndTheEdgesTrackingSettings() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("relay.pool.default.type", "sandbox");
        SendPipelineOptions opts = StackJobs.SendPipelineJob.options(context(o));
        assertThat(opts.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(opts.jdbcUrl()).isEqualTo("jdbc:postgresql://localhost:15432/postgres");
        assertThat(opts.parallelism()).isEqualTo(2);
        assertThat(opts.checkpointInterval().toMillis()).isEqualTo(2000);
        assertThat(opts.get("compose.tracking.base-url")).isEqualTo("http://localhost:8080");
        assertThat(opts.get("compose.tracking.secret"))
                .isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(opts.get("relay.pool.default.type")).isEqualTo("sandbox");
    }

    @Test
    void userOptionsOverrideTheStacksAndTyposAreRefused() {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("parallelism", "1");
        assertThat(StackJobs.SendPipelineJob.options(context(o)).parallelism()).isEqualTo(1);

        assertThatThrownBy(
                        () -> StackJobs.SendPipelineJob.options(context(Map.of("paralelism", "1"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("send-pipeline options rejected")
                .hasMessageContaining("paralelism");
    }

    @Test
    void everyJobOfTheBuildIsAvailable() {
        assertThat(StackJobs.available()).extracting(StackJob::name).contains("send-pipeline");
    }

    @Test
    void builderRefusesImpossibleSettings() {
        assertThatThrownBy(() -> LocalStack.builder().kafkaPort(70000).build())
                .hasMessageContaining("kafka port");
        assertThatThrownBy(() -> LocalStack.builder().parallelism(9).slots(8).build())
                .hasMessageContaining("parallelism");
        assertThatThrownBy(() -> LocalStack.builder().stateBackend("memory").build())
                .hasMessageContaining("state backend");
    }

    @Test
    void durationsReadLikeFlinksOwn() {
        assertThat(LocalStackMain.duration("500ms").toMillis()).isEqualTo(500);
        assertThat(LocalStackMain.duration("2s").toMillis()).isEqualTo(2000);
        assertThat(LocalStackMain.duration("1.5s").toMillis()).isEqualTo(1500);
        assertThat(LocalStackMain.duration("1min").toMillis()).isEqualTo(60_000);
    }
}
