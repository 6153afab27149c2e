package io.sendline.send.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.send.TestComposer;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.heap.HeapKeyedStateBackend;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RenderFunctionTest {

    private static final long T0 = 1_000_000L;

    private final String composerName = "render-test-" + UUID.randomUUID();
    private KeyedBroadcastOperatorTestHarness<String, EmailJob, EmailTemplate, RenderedEmail>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
                        new RenderFunction(
                                TestComposer.provider(composerName),
                                null,
                                Duration.ofSeconds(30),
                                Set.of()),
                        EmailJob::jobId,
                        Types.STRING,
                        RenderFunction.TEMPLATES,
                        RenderFunction.NEWEST);
        harness.setProcessingTime(T0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private int keyedStateEntries() {
        AbstractStreamOperator<?> op = (AbstractStreamOperator<?>) harness.getOperator();
        return ((HeapKeyedStateBackend<?>) op.getKeyedStateBackend()).numKeyValueStateEntries();
    }

    private List<String> bodies() {
        return harness.extractOutputValues().stream()
                .map(r -> new String(r.mime(), StandardCharsets.UTF_8))
                .collect(Collectors.toList());
    }

    private List<JobEvent> events() {
        if (harness.getSideOutput(Events.TAG) == null) {
            return List.of();
        }
        return harness.getSideOutput(Events.TAG).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
    }

    @Test
    void unpinnedJobRendersWithTheNewestVersion() throws Exception {
        harness.processBroadcastElement(
                TestJobs.template("welcome", 1, "<p>v1 {{ name }}</p>"), T0);
        harness.processBroadcastElement(
                TestJobs.template("welcome", 3, "<p>v3 {{ name }}</p>"), T0);
        harness.processBroadcastElement(
                TestJobs.template("welcome", 2, "<p>v2 {{ name }}</p>"), T0);
        harness.processElement(TestJobs.job("j1").template("welcome", null).build(), T0);
        assertThat(bodies())
                .singleElement()
                .satisfies(b -> assertThat(b).contains("<p>v3 Ada</p>"));
    }

    @Test
    void pinnedJobRendersWithItsVersion() throws Exception {
        harness.processBroadcastElement(
                TestJobs.template("welcome", 1, "<p>v1 {{ name }}</p>"), T0);
        harness.processBroadcastElement(
                TestJobs.template("welcome", 2, "<p>v2 {{ name }}</p>"), T0);
        harness.processElement(TestJobs.job("j1").template("welcome", 1).build(), T0);
        assertThat(bodies())
                .singleElement()
                .satisfies(b -> assertThat(b).contains("<p>v1 Ada</p>"));
    }

    @Test
    void eachVersionIsCompiledOncePerSubtask() throws Exception {
        harness.processBroadcastElement(TestJobs.template("news", 1, "<p>{{ name }}</p>"), T0);
        for (int i = 0; i < 20; i++) {
            harness.processElement(
                    TestJobs.job("j" + i).marketing().template("news", null).build(), T0);
        }
        assertThat(harness.extractOutputValues()).hasSize(20);
        assertThat(TestComposer.compiles(composerName)).isEqualTo(1);
    }

    @Test
    void jobWaitsForItsTemplateAndRendersWhenItArrives() throws Exception {
        harness.processElement(TestJobs.job("early").template("late", 2).build(), T0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);
        harness.processBroadcastElement(TestJobs.template("late", 1, "<p>v1</p>"), T0 + 10);
        assertThat(harness.extractOutputValues()).isEmpty(); // pinned to 2, still waiting
        harness.processBroadcastElement(
                TestJobs.template("late", 2, "<p>v2 {{ name }}</p>"), T0 + 20);
        assertThat(bodies()).singleElement().satisfies(b -> assertThat(b).contains("v2 Ada"));
        harness.setProcessingTime(T0 + 60_000);
        assertThat(events()).isEmpty(); // the timer found nothing left to fail
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void missingTemplateFailsAfterTheWaitWithAClearReason() throws Exception {
        harness.processElement(TestJobs.job("orphan").template("nowhere", null).build(), T0);
        harness.setProcessingTime(T0 + 29_999);
        assertThat(events()).isEmpty();
        harness.setProcessingTime(T0 + 30_000);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.event().type()).isEqualTo(EmailEventType.FAILED);
                            assertThat(e.event().reason())
                                    .contains("template nowhere")
                                    .contains("not found");
                        });
        assertThat(keyedStateEntries()).isZero();
    }

    @Test
    void missingVariableFailsTheJobNotThePipeline() throws Exception {
        harness.processElement(TestJobs.job("novar").variables("{}").build(), T0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(events())
                .singleElement()
                .satisfies(
                        e -> {
                            assertThat(e.event().type()).isEqualTo(EmailEventType.FAILED);
                            assertThat(e.event().reason()).contains("name");
                        });
    }

    @Test
    void brokenTemplateFailsItsJobsUntilAFixedVersionIsRepublished() throws Exception {
        harness.processBroadcastElement(TestJobs.template("bad", 1, "<p>{% broken"), T0);
        harness.processElement(TestJobs.job("b1").template("bad", null).build(), T0);
        harness.processElement(TestJobs.job("b2").template("bad", null).build(), T0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(events())
                .extracting(e -> e.event().reason())
                .allSatisfy(r -> assertThat(r).contains("template bad:1 does not compile"))
                .hasSize(2);
        harness.processBroadcastElement(TestJobs.template("bad", 1, "<p>fixed {{ name }}</p>"), T0);
        harness.processElement(TestJobs.job("b3").template("bad", null).build(), T0);
        assertThat(bodies()).singleElement().satisfies(b -> assertThat(b).contains("fixed Ada"));
    }

    @Test
    void inlineContentRendersWithoutATemplate() throws Exception {
        harness.processElement(TestJobs.job("inline").build(), T0);
        assertThat(harness.extractOutputValues())
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.job().jobId()).isEqualTo("inline");
                            assertThat(new String(r.mime(), StandardCharsets.UTF_8))
                                    .contains("Hello Ada");
                        });
    }
}
