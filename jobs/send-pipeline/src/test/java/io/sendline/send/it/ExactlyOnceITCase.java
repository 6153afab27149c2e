package io.sendline.send.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.relay.sandbox.SandboxLedger;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.send.TestJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Never twice, never lost: 20,000 emails (half transactional, half marketing) through the real
 * pipeline, paced so that the run takes several seconds; a TaskManager is killed in the middle of
 * it, the job restores from its last checkpoint on a new TaskManager and finishes. Counted at the
 * sandbox relay: every job accepted exactly once; on {@code email.events} (read_committed): exactly
 * one SENT per job; in the PostgreSQL send ledger: every job ACCEPTED, some of them by the restored
 * run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ExactlyOnceITCase {

    private static final int EMAILS = 20_000;
    private static final String DOMAIN = "simulator.sendline.dev";

    private static RealParts parts;

    @BeforeAll
    static void start() throws Exception {
        parts =
                new RealParts(
                        Map.of(
                                // ~1,600/s for both lanes together: the run lasts long enough to
                                // be killed in the middle
                                "pacing.pool-default.rate",
                                "800",
                                "pacing.domain." + DOMAIN + ".splits",
                                "4"));
        // Published before the job starts: the producer does not compete with the pipeline.
        long t0 = System.nanoTime();
        List<EmailJob> jobs = new ArrayList<>(EMAILS);
        for (int i = 0; i < EMAILS; i++) {
            TestJobs.Builder b = TestJobs.job("eo-" + i).to("success+" + i + "@" + DOMAIN);
            jobs.add(i % 2 == 0 ? b.build() : b.marketing().build());
        }
        parts.publish(jobs);
        log(t0, "published " + EMAILS);
        parts.startPipeline("exactly-once-it");
        log(t0, "pipeline running");
    }

    @AfterAll
    static void stop() {
        if (parts != null) {
            parts.close();
        }
    }

    /**
     * The lost run's traces in the ledger, as a hard crash leaves them: a claim without an outcome
     * (in doubt) per type, and an acceptance whose SENT never got out. The replayed jobs follow the
     * ledger: the transactional one is sent again once, the marketing one is held and reported, the
     * accepted one is reported SENT with the stored provider id and not sent.
     */
    @Test
    @Order(2)
    void replayedJobsFollowTheLedgerInDoubtPerTypeAndAcceptedWithoutSending() {
        parts.execute(
                "INSERT INTO send_ledger (job_id, attempt, state, claimed_by) VALUES"
                        + " ('doubt-tx', 0, 'CLAIMED', 'transactional/1/0/crashed'),"
                        + " ('doubt-mk', 0, 'CLAIMED', 'marketing/0/0/crashed')");
        parts.execute(
                "INSERT INTO send_ledger (job_id, attempt, state, relay, provider_message_id,"
                        + " claimed_by, completed_at) VALUES ('done-mk', 0, 'ACCEPTED', 'sandbox',"
                        + " 'sandbox-before-the-crash', 'marketing/1/0/crashed', now())");
        parts.publish(
                List.of(
                        TestJobs.job("doubt-tx").to("success+dt@" + DOMAIN).build(),
                        TestJobs.job("doubt-mk").to("success+dm@" + DOMAIN).marketing().build(),
                        TestJobs.job("done-mk").to("success+dn@" + DOMAIN).marketing().build()));
        SandboxLedger relay = SandboxLedger.named(parts.ledger);

        Map<String, EmailEvent> last = new java.util.HashMap<>();
        RealParts.await(
                "outcomes of the replayed jobs",
                Duration.ofSeconds(60),
                () -> {
                    last.clear();
                    for (EmailEvent e : parts.events(0, Duration.ofSeconds(2))) {
                        if (e.type() == EmailEventType.SENT || e.type() == EmailEventType.FAILED) {
                            last.put(e.jobId(), e);
                        }
                    }
                    return last.keySet().containsAll(Set.of("doubt-tx", "doubt-mk", "done-mk"));
                });
        assertThat(last.get("doubt-tx").type()).isEqualTo(EmailEventType.SENT);
        assertThat(relay.accepted("doubt-tx")).as("RESEND: sent again, once").isEqualTo(1);
        assertThat(last.get("doubt-mk").type()).isEqualTo(EmailEventType.FAILED);
        assertThat(last.get("doubt-mk").reason()).startsWith("IN_DOUBT");
        assertThat(relay.accepted("doubt-mk")).as("HOLD: not sent").isZero();
        assertThat(last.get("done-mk").type()).isEqualTo(EmailEventType.SENT);
        assertThat(last.get("done-mk").providerMessageId()).isEqualTo("sandbox-before-the-crash");
        assertThat(relay.accepted("done-mk")).as("accepted before: not sent").isZero();
    }

    private static void log(long t0, String what) {
        System.out.printf(
                "ExactlyOnceITCase +%d ms: %s%n", (System.nanoTime() - t0) / 1_000_000, what);
    }

    private static List<String> first(Set<String> ids) {
        return ids.stream().sorted().limit(5).collect(Collectors.toList());
    }

    @Test
    @Order(1)
    void taskManagerKilledMidRunLosesNothingAndSendsNothingTwice() throws Exception {
        long t0 = System.nanoTime();
        SandboxLedger relay = SandboxLedger.named(parts.ledger);

        RealParts.await(
                "a quarter of the emails at the relay",
                Duration.ofSeconds(60),
                () -> relay.distinctJobs() >= EMAILS / 4);
        int beforeKill = relay.distinctJobs();
        assertThat(beforeKill).as("killed in the middle, not at the end").isLessThan(EMAILS);
        parts.flink.miniCluster().terminateTaskManager(0).get();
        parts.flink.miniCluster().startTaskManager();
        log(t0, "TaskManager killed after " + beforeKill + " at the relay; a new one started");

        RealParts.await(
                "every email at the relay",
                Duration.ofSeconds(80),
                () -> relay.distinctJobs() >= EMAILS);
        log(t0, "all at the relay");
        assertThat(parts.status()).isEqualTo(JobStatus.RUNNING);

        // The relay: each job once.
        assertThat(relay.duplicates())
                .as("jobs accepted twice, e.g. %s", first(relay.duplicatedJobs().keySet()))
                .isZero();
        assertThat(relay.distinctJobs()).isEqualTo(EMAILS);

        // The events topic, read_committed: exactly one SENT per job.
        List<EmailEvent> sent = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            sent =
                    parts.events(2 * EMAILS, Duration.ofSeconds(5)).stream()
                            .filter(e -> e.type() == EmailEventType.SENT)
                            .filter(e -> e.jobId().startsWith("eo-"))
                            .collect(Collectors.toList());
            if (sent.size() >= EMAILS) {
                break;
            }
            Thread.sleep(500);
        }
        log(t0, sent.size() + " SENT events read back");
        Set<String> sentJobs = sent.stream().map(EmailEvent::jobId).collect(Collectors.toSet());
        assertThat(sentJobs.size()).as("jobs with a committed SENT").isEqualTo(EMAILS);
        assertThat(sent.size()).as("committed SENT events").isEqualTo(EMAILS);

        // The ledger: all accepted, and the restored run (task attempt >= 1) sent part of them.
        assertThat(
                        parts.count(
                                "SELECT count(*) FROM send_ledger WHERE job_id LIKE 'eo-%'"
                                        + " AND state = 'ACCEPTED'"))
                .isEqualTo(EMAILS);
        assertThat(
                        parts.count(
                                "SELECT count(*) FROM send_ledger WHERE job_id LIKE 'eo-%'"
                                        + " AND claimed_by !~ '^[a-z]+/[0-9]+/0/'"))
                .as("jobs claimed after the restore")
                .isGreaterThan(0);
    }
}
