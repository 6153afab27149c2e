package io.sendline.send.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Json;
import io.sendline.schemas.flink.RawRecord;
import io.sendline.send.TestJobs;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParseFunctionTest {

    private OneInputStreamOperatorTestHarness<RawRecord, EmailJob> harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        new ParseFunction<>(EmailJob.class, JobRules::problems));
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private void feed(long offset, String value) throws Exception {
        byte[] v = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
        harness.processElement(
                new RawRecord("email.jobs.transactional", 1, offset, "k".getBytes(), v, 0L), 0L);
    }

    private List<DeadLetter> deadLetters() {
        return harness.getSideOutput(DeadLetters.TAG).stream()
                .map(StreamRecord::getValue)
                .collect(Collectors.toList());
    }

    @Test
    void validJobPassesThrough() throws Exception {
        EmailJob job = TestJobs.job("job-1").build();
        feed(0, Json.toString(job));
        assertThat(harness.getSideOutput(DeadLetters.TAG) == null ? List.of() : deadLetters())
                .isEmpty();
        assertThat(harness.extractOutputValues()).containsExactly(job);
    }

    @Test
    void malformedJsonGoesToDeadLetterWithReasonAndOriginalBytes() throws Exception {
        feed(7, "{not json");
        assertThat(harness.extractOutputValues()).isEmpty();
        DeadLetter d = deadLetters().get(0);
        assertThat(d.reason()).contains("malformed JSON");
        assertThat(d.payload()).isEqualTo("{not json");
        assertThat(d.sourceTopic()).isEqualTo("email.jobs.transactional");
        assertThat(d.partition()).isEqualTo(1);
        assertThat(d.offset()).isEqualTo(7);
        assertThat(d.component()).isEqualTo(DeadLetters.COMPONENT);
    }

    @Test
    void emptyRecordIsADeadLetterNotAFailure() throws Exception {
        feed(1, null);
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("empty"));
    }

    @Test
    void schemaViolationNamesTheSchema() throws Exception {
        feed(2, "{\"jobId\":\"x\"}");
        assertThat(deadLetters())
                .singleElement()
                .satisfies(d -> assertThat(d.reason()).contains("schema"));
    }

    @Test
    void ruleViolationNamesTheFieldWithoutEchoingTheAddress() throws Exception {
        EmailJob bad = TestJobs.job("job-2").to("not-an-address-secret").build();
        feed(3, Json.toString(bad));
        assertThat(harness.extractOutputValues()).isEmpty();
        List<DeadLetter> dl = deadLetters();
        assertThat(dl).hasSize(1);
        assertThat(dl.get(0).reason()).contains("to").doesNotContain("not-an-address-secret");
    }
}
