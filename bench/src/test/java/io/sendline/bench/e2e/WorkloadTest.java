package io.sendline.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.common.address.Addresses;
import io.sendline.relay.sandbox.SandboxScenario;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    private final LoadConfig cfg = LoadConfig.parse(new String[0]);
    private final Workload w = new Workload("abc123", cfg);

    @Test
    void recipientMixFollowsTheConfiguredShares() {
        Map<Workload.Kind, Integer> n = new EnumMap<>(Workload.Kind.class);
        int total = 200_000;
        for (int seq = 0; seq < total; seq++) {
            n.merge(w.kind(seq, false), 1, Integer::sum);
        }
        assertThat(n.get(Workload.Kind.BOUNCE) / (double) total).isCloseTo(0.01, within(0.001));
        assertThat(n.get(Workload.Kind.UNKNOWN) / (double) total).isCloseTo(0.002, within(0.0005));
        assertThat(n.get(Workload.Kind.SUPPRESSED) / (double) total)
                .isCloseTo(0.005, within(0.001));
        assertThat(n.get(Workload.Kind.COMPLAINT) / (double) total)
                .isCloseTo(0.001, within(0.0004));
    }

    private static org.assertj.core.data.Offset<Double> within(double d) {
        return org.assertj.core.data.Offset.offset(d);
    }

    @Test
    void addressesAreValidAndSelectTheSandboxScenarioOfTheirKind() {
        for (int seq = 0; seq < 20_000; seq++) {
            String a = w.address(seq, seq % 2 == 0);
            Addresses.normalise(a); // throws when invalid
            SandboxScenario s = SandboxScenario.of(a);
            switch (w.kind(seq, seq % 2 == 0)) {
                case BOUNCE -> assertThat(s).isEqualTo(SandboxScenario.BOUNCE);
                case COMPLAINT -> assertThat(s).isEqualTo(SandboxScenario.COMPLAINT);
                case UNKNOWN -> assertThat(s).isEqualTo(SandboxScenario.UNKNOWN_USER);
                default -> assertThat(s).isEqualTo(SandboxScenario.DELIVERED);
            }
        }
    }

    @Test
    void marketingJobIdsMapBackToTheirSequenceNumberAndNothingElseDoes() {
        assertThat(w.marketingSeq(w.marketingJobId(123_456))).isEqualTo(123_456);
        assertThat(w.marketingSeq("load-other-5")).isEqualTo(-1);
        assertThat(w.marketingSeq(w.campaignId + "-x")).isEqualTo(-1);
        assertThat(w.marketingSeq(null)).isEqualTo(-1);
    }

    @Test
    void marketingJobRoundTripsAsJsonWithItsCampaignAndEnqueueTime() {
        Instant at = Instant.parse("2026-12-04T07:00:00Z");
        EmailJob job = w.marketingJob(7, at);
        EmailJob back = Json.fromBytes(Json.toBytes(job), EmailJob.class);
        assertThat(back.jobId()).isEqualTo(w.marketingJobId(7));
        assertThat(back.campaignId()).isEqualTo(w.campaignId);
        assertThat(back.createdAt()).isEqualTo(at);
        assertThat(back.metadata()).containsEntry("loadRun", "abc123");
        assertThat(back.variables()).startsWith("{");
    }

    @Test
    void marketingTemplateHasTheConfiguredSize() {
        String body = w.marketingTemplateRequest();
        assertThat(body.length()).isBetween(cfg.templateKb * 1024, cfg.templateKb * 1024 + 2048);
        assertThat(Json.fromString(body, Map.class)).containsKeys("templateId", "subject", "html");
    }

    @Test
    void configRefusesTargetsOffThisMachine() {
        assertThatThrownBy(
                        () ->
                                LoadConfig.parse(
                                        new String[] {
                                            "--edge-url", "http://10.1.2.3:8080",
                                            "--api-key", "k",
                                            "--bootstrap", "localhost:9092",
                                            "--jdbc-url",
                                                    "jdbc:postgresql://localhost:15432/postgres"
                                        }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loopback");
        LoadConfig ok =
                LoadConfig.parse(
                        new String[] {
                            "--edge-url", "http://127.0.0.1:8080",
                            "--api-key", "k",
                            "--bootstrap", "localhost:9092",
                            "--jdbc-url", "jdbc:postgresql://localhost:15432/postgres",
                            "--marketing", "1_000_000"
                        });
        assertThat(ok.inProcess()).isFalse();
        assertThat(ok.marketing).isEqualTo(1_000_000);
    }

    @Test
    void configRefusesUnboundedOrNonsensicalRuns() {
        assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--timeout", "99999"}))
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--bounce-share", "0.9"}))
                .hasMessageContaining("shares");
        assertThatThrownBy(() -> LoadConfig.parse(new String[] {"--nope", "1"}))
                .hasMessageContaining("unknown option");
    }
}
