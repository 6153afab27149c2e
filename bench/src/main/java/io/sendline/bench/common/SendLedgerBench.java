package io.sendline.bench.common;

import io.sendline.common.ledger.Claim;
import io.sendline.common.ledger.JdbcSendLedger;
import io.sendline.embedded.EmbeddedPostgres;
import io.sendline.schemas.db.Migrations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Throughput of the batched send ledger on a real (embedded) PostgreSQL: every email costs a claim
 * before the relay and an {@code accepted} after it, so the ledger must sustain twice the send
 * rate. Runs {@code jobs} claims and acceptances with at most {@code inFlight} calls outstanding
 * (like an async operator's capacity) and prints operations per second and per statement.
 *
 * <pre>
 * java -cp ... io.sendline.bench.common.SendLedgerBench [jobs] [inFlight] [writers] [maxBatch]
 * </pre>
 *
 * Set {@code SENDLINE_POSTGRES_URL} to run against an external server instead.
 */
public final class SendLedgerBench {

    private SendLedgerBench() {}

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int writers = args.length > 2 ? Integer.parseInt(args[2]) : JdbcSendLedger.DEFAULT_WRITERS;
        int maxBatch =
                args.length > 3 ? Integer.parseInt(args[3]) : JdbcSendLedger.DEFAULT_MAX_BATCH;
        try (EmbeddedPostgres pg = EmbeddedPostgres.start()) {
            Migrations.apply(pg.dataSource());
            try (JdbcSendLedger ledger =
                    new JdbcSendLedger(
                            pg.dataSource(), maxBatch, JdbcSendLedger.DEFAULT_LINGER, writers)) {
                run(ledger, 2_000, inFlight, "warm-up-"); // JIT, connections, plan cache
                long s0 = ledger.statementsExecuted();
                long o0 = ledger.operationsCompleted();
                long t0 = System.nanoTime();
                run(ledger, jobs, inFlight, "job-");
                double secs = (System.nanoTime() - t0) / 1e9;
                long ops = ledger.operationsCompleted() - o0;
                long statements = ledger.statementsExecuted() - s0;
                System.out.printf(
                        "%d emails (claim + accepted) in %.1f s: %.0f emails/s, %.0f ledger ops/s,"
                                + " %.1f ops per statement (in flight %d, writers %d, max batch %d,"
                                + " load average %.1f)%n",
                        jobs,
                        secs,
                        jobs / secs,
                        ops / secs,
                        ops / (double) statements,
                        inFlight,
                        writers,
                        maxBatch,
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                .getSystemLoadAverage());
            }
        }
    }

    /** Claims each job, and when the claim is back, records its acceptance, like dispatch. */
    private static void run(JdbcSendLedger ledger, int jobs, int inFlight, String prefix)
            throws InterruptedException {
        Semaphore permits = new Semaphore(inFlight);
        List<CompletableFuture<Void>> done = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            permits.acquire();
            String id = prefix + i;
            done.add(
                    ledger.claim(id, 0, "bench")
                            .thenCompose(
                                    (Claim c) -> {
                                        if (!c.maySend()) {
                                            throw new IllegalStateException("not fresh: " + c);
                                        }
                                        return ledger.accepted(id, 0, "sandbox", "pm-" + id);
                                    })
                            .whenComplete((v, e) -> permits.release()));
        }
        CompletableFuture.allOf(done.toArray(new CompletableFuture[0]))
                .orTimeout(
                        Duration.ofMinutes(10).toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                .join();
    }
}
