package io.sendline.send.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SchedulerFunctionTest {

    private static final long T0 = Instant.parse("2026-06-01T10:00:00Z").toEpochMilli();

    private KeyedTwoInputStreamOperatorTestHarness<String, EmailJob, CancelRequest, EmailJob>
            harness;

    @BeforeEach
    void open() throws Exception {
        harness =
                ProcessFunctionTestHarnesses.forKeyedCoProcessFunction(
                        new SchedulerFunction(Duration.ofHours(1)),
                        EmailJob::jobId,
                        CancelRequest::jobId,
                        Types.STRING);
        harness.setProcessingTime(T0);
        harness.setStateTtlProcessingTime(T0);
    }

    @AfterEach
    void close() throws Exception {
        harness.close();
    }

    private List<EmailEventType> eventTypes() {
        if (harness.getSideOutput(Events.TAG) == null) {
            return List.of();
        }
        return harness.getSideOutput(Events.TAG).stream()
                .map(StreamRecord::getValue)
                .map(JobEvent::event)
                .map(e -> e.type())
                .collect(Collectors.toList());
    }

    @Test
    void jobDueNowIsHandedOnAtOnceAsQueued() throws Exception {
        EmailJob job = TestJobs.job("now").build();
        harness.processElement1(job, T0);
        assertThat(harness.extractOutputValues()).containsExactly(job);
        assertThat(eventTypes()).containsExactly(EmailEventType.QUEUED);
        assertThat(harness.numProcessingTimeTimers()).isZero();
    }

    @Test
    void scheduledJobWaitsForItsTimerThenStateIsCleared() throws Exception {
        EmailJob job = TestJobs.job("later").scheduledAt(Instant.ofEpochMilli(T0 + 60_000)).build();
        harness.processElement1(job, T0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(eventTypes()).containsExactly(EmailEventType.SCHEDULED);
        assertThat(harness.numProcessingTimeTimers()).isEqualTo(1);

        harness.setProcessingTime(T0 + 59_999);
        assertThat(harness.extractOutputValues()).isEmpty();

        harness.setProcessingTime(T0 + 60_000);
        assertThat(harness.extractOutputValues()).containsExactly(job);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        // Only the dedupe marker (with TTL) is left; the waiting job itself is gone.
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
    }

    @Test
    void cancelledScheduledJobIsNeverHandedOn() throws Exception {
        EmailJob job =
                TestJobs.job("cancel-me").scheduledAt(Instant.ofEpochMilli(T0 + 60_000)).build();
        harness.processElement1(job, T0);
        harness.processElement2(new CancelRequest("cancel-me", Instant.ofEpochMilli(T0 + 1)), T0);
        assertThat(harness.numProcessingTimeTimers()).isZero();
        harness.setProcessingTime(T0 + 120_000);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(eventTypes())
                .containsExactly(EmailEventType.SCHEDULED, EmailEventType.CANCELLED);
    }

    @Test
    void cancellationBeforeTheJobCancelsItOnArrival() throws Exception {
        harness.processElement2(new CancelRequest("early", Instant.ofEpochMilli(T0)), T0);
        harness.processElement1(TestJobs.job("early").build(), T0);
        assertThat(harness.extractOutputValues()).isEmpty();
        assertThat(eventTypes()).containsExactly(EmailEventType.CANCELLED);
    }

    @Test
    void duplicateRecordOfTheSameAttemptIsDropped() throws Exception {
        EmailJob job = TestJobs.job("dup").build();
        harness.processElement1(job, T0);
        harness.processElement1(job, T0);
        assertThat(harness.extractOutputValues()).containsExactly(job);
        assertThat(eventTypes()).containsExactly(EmailEventType.QUEUED);
    }

    @Test
    void retryWithHigherAttemptWaitsForItsNotBeforeTime() throws Exception {
        EmailJob first = TestJobs.job("retry").build();
        harness.processElement1(first, T0);
        EmailJob retry = first.nextAttempt(Instant.ofEpochMilli(T0 + 5_000));
        harness.processElement1(retry, T0);
        assertThat(harness.extractOutputValues()).containsExactly(first);
        harness.setProcessingTime(T0 + 5_000);
        assertThat(harness.extractOutputValues()).containsExactly(first, retry);
        // Retries do not repeat QUEUED/SCHEDULED.
        assertThat(eventTypes()).containsExactly(EmailEventType.QUEUED);
    }

    @Test
    void dedupeMarkerExpiresAfterItsTtl() throws Exception {
        harness.processElement1(TestJobs.job("ttl").build(), T0);
        assertThat(harness.numKeyedStateEntries()).isEqualTo(1);
        harness.setStateTtlProcessingTime(T0 + Duration.ofHours(2).toMillis());
        // The expired marker is not visible: the same attempt passes again after the TTL.
        harness.processElement1(TestJobs.job("ttl").build(), T0);
        assertThat(harness.extractOutputValues()).hasSize(2);
    }
}
