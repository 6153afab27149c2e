package io.sendline.send.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.TestJobs;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The forward-only rule and the folding of a batch to one row per job. */
class StatusBatchTest {

    private static final Instant T = Instant.parse("2026-06-01T10:00:00Z");
    private final EmailJob job = TestJobs.job("j1").build();

    private JobEvent queued() {
        return Events.of(job, EmailEventType.QUEUED, null, T);
    }

    private JobEvent deferred(EmailJob j, String reason) {
        return Events.of(j, EmailEventType.DEFERRED, "sandbox", null, reason, T.plusSeconds(1));
    }

    private JobEvent sent(EmailJob j, String pmid) {
        return Events.of(j, EmailEventType.SENT, "sandbox", pmid, null, T.plusSeconds(2));
    }

    @Test
    void higherRankOrTheSameStatusAtALaterAttemptIsFurther() {
        StatusRow q = StatusRow.of(queued());
        StatusRow d0 = StatusRow.of(deferred(job, "451"));
        StatusRow d1 = StatusRow.of(deferred(job.nextAttempt(null), "451"));
        StatusRow s = StatusRow.of(sent(job, "p"));
        assertThat(d0.isFurtherThan(q)).isTrue();
        assertThat(s.isFurtherThan(d1)).isTrue();
        assertThat(d1.isFurtherThan(d0)).isTrue();
        assertThat(d0.isFurtherThan(d1)).isFalse();
        assertThat(q.isFurtherThan(s)).isFalse();
        assertThat(s.isFurtherThan(s)).as("a duplicate").isFalse();
    }

    @Test
    void statusesOfTheSameRankDoNotMoveEachOtherTheFirstStays() {
        StatusBatch b = new StatusBatch();
        b.add(Events.of(job, EmailEventType.CANCELLED, "cancelled", T));
        b.add(Events.of(job, EmailEventType.SUPPRESSED, "suppressed", T));
        b.add(Events.of(job, EmailEventType.FAILED, "failed", T));
        assertThat(b.row("j1").status()).isEqualTo(EmailEventType.CANCELLED);
        assertThat(b.row("j1").reason()).isEqualTo("cancelled");
    }

    @Test
    void queuedAndSentOfAJobBecomeOneSentRow() {
        StatusBatch b = new StatusBatch();
        b.add(queued());
        b.add(sent(job, "pmid-1"));
        b.add(Events.of(TestJobs.job("j2").build(), EmailEventType.QUEUED, null, T));
        assertThat(b.added()).isEqualTo(3);
        assertThat(b.size()).isEqualTo(2);
        StatusRow row = b.row("j1");
        assertThat(row.status()).isEqualTo(EmailEventType.SENT);
        assertThat(row.providerMessageId()).isEqualTo("pmid-1");
        assertThat(row.sentAt()).isEqualTo(T.plusSeconds(2));
        assertThat(row.toAddress()).isEqualTo("ada@example.com");
        assertThat(b.rows()).extracting(StatusRow::jobId).containsExactly("j1", "j2");
        b.clear();
        assertThat(b.isEmpty()).isTrue();
        assertThat(b.added()).isZero();
    }

    @Test
    void foldKeepsTheFurthestStatusWhateverTheOrderAndCarriesReasonAndAttempt() {
        EmailJob second = job.nextAttempt(null);
        List<JobEvent> events =
                new ArrayList<>(
                        List.of(
                                queued(),
                                deferred(job, "451 first"),
                                deferred(second, "451 second"),
                                sent(second, "pmid-2"),
                                sent(second, "pmid-2")));
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            Collections.shuffle(events, random);
            StatusBatch b = new StatusBatch();
            events.forEach(b::add);
            StatusRow row = b.row("j1");
            assertThat(row.status()).as(events.toString()).isEqualTo(EmailEventType.SENT);
            assertThat(row.attempt()).isEqualTo(1);
            assertThat(row.providerMessageId()).isEqualTo("pmid-2");
            assertThat(row.sentAt()).isNotNull();
        }
    }

    @Test
    void inOrderTheFoldKeepsTheLatestReasonAndTheFirstSentAt() {
        EmailJob second = job.nextAttempt(null);
        StatusBatch b = new StatusBatch();
        b.add(deferred(job, "451 first"));
        b.add(deferred(second, "451 second"));
        assertThat(b.row("j1").reason()).isEqualTo("451 second");
        b.add(sent(second, "pmid-2"));
        // SENT has no reason: the deferral's stays, as COALESCE(EXCLUDED.last_reason, ...) does.
        assertThat(b.row("j1").reason()).isEqualTo("451 second");
        assertThat(b.row("j1").status()).isEqualTo(EmailEventType.SENT);
    }

    @Test
    void aLateEventChangesNothing() {
        StatusRow s = StatusRow.of(sent(job, "p"));
        assertThat(s.then(StatusRow.of(queued()))).isSameAs(s);
        assertThat(s.then(StatusRow.of(deferred(job, "451")))).isSameAs(s);
    }

    @Test
    void longReasonsAreCut() {
        String reason = "x".repeat(5000);
        StatusRow r = StatusRow.of(Events.of(job, EmailEventType.FAILED, reason, T));
        assertThat(r.reason()).hasSize(StatusRow.MAX_REASON).endsWith("…");
    }
}
