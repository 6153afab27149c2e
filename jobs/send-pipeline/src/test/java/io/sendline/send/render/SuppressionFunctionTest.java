package io.sendline.send.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SuppressionFunctionTest {

    private static final int BUCKETS = 64;

    private KeyedTwoInputStreamOperatorTestHarness<Integer, EmailJob, SuppressionChange, EmailJob>
            harness;

    private static KeyedTwoInputStreamOperatorTestHarness<
                    Integer, EmailJob, SuppressionChange, EmailJob>
            newHarness() throws Exception {
        return new KeyedTwoInputStreamOperatorTestHarness<>(
                new KeyedCoProcessOperator<>(
                        new SuppressionFunction(BUCKETS, Set.of("example.com"))),
                SuppressionKeys.ofJobs(BUCKETS),
                SuppressionKeys.ofChanges(BUCKETS),
                Types.INT);
    }

    @BeforeEach
    void open() throws Exception {
        harness = newHarness();
        harness.open();
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private static SuppressionChange add(String address, SuppressionReason reason) {
        return new SuppressionChange(
                address, SuppressionChange.Action.ADD, reason, "test", null, Instant.EPOCH);
    }

    private static SuppressionChange remove(String address) {
        return new SuppressionChange(
                address, SuppressionChange.Action.REMOVE, null, "test", null, Instant.EPOCH);
    }

    private List<JobEvent> events() {
        if (harness.getSideOutput(Events.TAG) == null) {
            return List.of();
        }
        return harness.getSideOutput(Events.TAG).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
    }

    private void send(EmailJob... jobs) throws Exception {
        for (EmailJob j : jobs) {
            harness.processElement1(j, 0L);
        }
    }

    @Test
    void hardBounceBlocksEveryType() throws Exception {
        harness.processElement2(add("bounced@example.com", SuppressionReason.HARD_BOUNCE), 0L);
        send(
                TestJobs.job("t").to("bounced@example.com").build(),
                TestJobs.job("m").to("bounced@example.com").marketing().build());
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(events())
                .extracting(e -> e.event().type())
                .containsExactly(EmailEventType.SUPPRESSED, EmailEventType.SUPPRESSED);
        assertThat(events().get(0).event().reason()).contains("HARD_BOUNCE");
    }

    @Test
    void complaintBlocksEveryTypeAndMatchesTheNormalisedAddress() throws Exception {
        harness.processElement2(add("angry@example.com", SuppressionReason.COMPLAINT), 0L);
        send(
                TestJobs.job("t").to("Angry@EXAMPLE.com").build(),
                TestJobs.job("m").to("angry@example.com").marketing().build());
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(events()).hasSize(2);
    }

    @Test
    void unsubscribeBlocksMarketingOnly() throws Exception {
        harness.processElement2(add("bye@example.com", SuppressionReason.UNSUBSCRIBE), 0L);
        EmailJob tx = TestJobs.job("t").to("bye@example.com").build();
        EmailJob mk = TestJobs.job("m").to("bye@example.com").marketing().build();
        send(tx, mk);
        assertThat(harness.extractOutputValues()).containsExactly(tx);
        assertThat(events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.event().jobId()).isEqualTo("m");
                            assertThat(e.event().type()).isEqualTo(EmailEventType.SUPPRESSED);
                        });
    }

    @Test
    void removedUnsubscribeAllowsMarketingAgainButComplaintIsNeverRemoved() throws Exception {
        harness.processElement2(add("back@example.com", SuppressionReason.UNSUBSCRIBE), 0L);
        harness.processElement2(remove("back@example.com"), 0L);
        harness.processElement2(add("never@example.com", SuppressionReason.COMPLAINT), 0L);
        harness.processElement2(remove("never@example.com"), 0L);
        EmailJob back = TestJobs.job("b").to("back@example.com").marketing().build();
        send(back, TestJobs.job("n").to("never@example.com").marketing().build());
        assertThat(harness.extractOutputValues()).containsExactly(back);
        assertThat(events())
                .singleElement()
                .satisfies(e -> assertThat(e.event().jobId()).isEqualTo("n"));
    }

    @Test
    void unsuppressedRecipientPasses() throws Exception {
        EmailJob job = TestJobs.job("ok").to("fine@example.com").build();
        send(job);
        assertThat(harness.extractOutputValues()).containsExactly(job);
        assertThat(events()).isEmpty();
    }

    @Test
    void suppressionsSurviveARestoreFromACheckpoint() throws Exception {
        for (int i = 0; i < 500; i++) {
            harness.processElement2(
                    add("user" + i + "@example.com", SuppressionReason.HARD_BOUNCE), 0L);
        }
        harness.processElement2(add("unsub@example.com", SuppressionReason.UNSUBSCRIBE), 0L);
        OperatorSubtaskState snapshot = harness.snapshot(1L, 1L);
        harness.close();

        harness = newHarness();
        harness.initializeState(snapshot);
        harness.open();
        EmailJob unsubTx = TestJobs.job("tx").to("unsub@example.com").build();
        EmailJob other = TestJobs.job("other").to("user500@example.com").build();
        send(
                TestJobs.job("a").to("user0@example.com").build(),
                TestJobs.job("b").to("user499@example.com").marketing().build(),
                TestJobs.job("c").to("unsub@example.com").marketing().build(),
                unsubTx,
                other);
        assertThat(harness.extractOutputValues()).containsExactly(unsubTx, other);
        assertThat(events()).extracting(e -> e.event().jobId()).containsExactly("a", "b", "c");
    }
}
