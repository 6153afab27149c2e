package io.sendline.bench.e2e;

import static io.sendline.bench.e2e.LoadHarness.MK;
import static io.sendline.bench.e2e.LoadHarness.TX;
import static io.sendline.bench.e2e.LoadHarness.round;

import com.fasterxml.jackson.databind.SerializationFeature;
import io.sendline.schemas.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The results of one load run: throughput per stage, latency percentiles per lane (HdrHistogram),
 * CPU and memory, and the reconciliation; printed as a table, written as JSON and as an SVG chart
 * of rate and latency over time.
 */
final class LoadReport {

    private static final String[] LANES = {"transactional", "marketing"};
    private static final long MAX_LATENCY_MS = 3_600_000;

    private final LoadConfig cfg;
    private final String run;
    private final Workload workload;
    private final EventTracker t;
    private final List<Map<String, Object>> samples;
    private final int cores;

    // Filled in by the harness.
    long stackStartMs;
    List<String> jobs;
    String flinkUrl;
    String stopReason;
    long startMs;
    long endMs;
    long mkEnqueued;
    long mkSendErrors;
    long mkProduceStartMs;
    long mkProduceEndMs;
    long txPosted;
    long txAccepted;
    long txRejected;
    long txStartMs;
    long txEndMs;
    long suppressedLoaded;
    long[] txKinds = new long[Workload.Kind.values().length];
    Map<String, Map<String, Long>> pgByStatus;
    Map<String, Map<String, Double>> pgLatency;
    Long relayAccepted;
    Long relayDuplicates;

    // Computed.
    private final Histogram[] latency = {hist(), hist()};
    // Transactional SENT latency split at the scheduler: [0] enqueue -> QUEUED, [1] QUEUED ->
    // relay.
    private final Histogram[] txSplit = {hist(), hist()};
    private final long[][] outcomes = new long[2][5];
    private final long[][] expected = new long[2][5];
    private final Map<String, Object> rates = new LinkedHashMap<>();
    private final List<Map<String, Object>> timeline = new ArrayList<>();
    private final Map<String, Object> process = new LinkedHashMap<>();
    private final Map<String, Object> reconciliation = new LinkedHashMap<>();
    private boolean balanced;

    LoadReport(
            LoadConfig cfg,
            String run,
            Workload workload,
            EventTracker tracker,
            List<Map<String, Object>> samples,
            int cores) {
        this.cfg = cfg;
        this.run = run;
        this.workload = workload;
        this.t = tracker;
        this.samples = samples;
        this.cores = cores;
    }

    private static Histogram hist() {
        return new Histogram(MAX_LATENCY_MS, 3);
    }

    boolean balanced() {
        return balanced;
    }

    void compute() {
        int seconds = (int) Math.max(1, (endMs - startMs) / 1000 + 2);
        long[][] sentPerSec = new long[2][seconds];
        long[] enqPerSec = new long[seconds];
        Histogram[][] latPerSec = new Histogram[2][seconds];
        long firstSent = Long.MAX_VALUE;
        long lastSent = 0;
        long lastOutcome = 0;

        int n = t.mkOutcome.length;
        for (int i = 0; i < n; i++) {
            long enq = t.mkEnqueuedAt.get(i);
            if (enq > 0) {
                bump(enqPerSec, enq);
            }
            Workload.Kind k = workload.kind(i, false);
            expected[MK][expectedOutcome(k)]++;
            byte o = t.mkOutcome[i];
            if (o == EventTracker.NONE) {
                continue;
            }
            outcomes[MK][o]++;
            long at = t.mkOutcomeAt[i];
            lastOutcome = Math.max(lastOutcome, at);
            if (o == EventTracker.SENT && enq > 0) {
                long lat = Math.max(0, at - enq);
                latency[MK].recordValue(Math.min(lat, MAX_LATENCY_MS));
                firstSent = Math.min(firstSent, at);
                lastSent = Math.max(lastSent, at);
                int b = bucket(at, seconds);
                sentPerSec[MK][b]++;
                perSec(latPerSec[MK], b).recordValue(Math.min(lat, MAX_LATENCY_MS));
            }
        }
        for (int k = 0; k < txKinds.length; k++) {
            expected[TX][expectedOutcome(Workload.Kind.values()[k])] += txKinds[k];
        }
        for (Map.Entry<String, EventTracker.TxOutcome> e : t.txOutcomes.entrySet()) {
            EventTracker.TxOutcome o = e.getValue();
            outcomes[TX][o.outcome()]++;
            lastOutcome = Math.max(lastOutcome, o.atMillis());
            Long enq = t.txEnqueuedAt.get(e.getKey());
            Long queued = t.txQueuedAt.get(e.getKey());
            if (o.outcome() == EventTracker.SENT && enq != null && queued != null) {
                txSplit[0].recordValue(Math.min(Math.max(0, queued - enq), MAX_LATENCY_MS));
                txSplit[1].recordValue(
                        Math.min(Math.max(0, o.atMillis() - queued), MAX_LATENCY_MS));
            }
            if (o.outcome() == EventTracker.SENT && enq != null) {
                long lat = Math.max(0, o.atMillis() - enq);
                latency[TX].recordValue(Math.min(lat, MAX_LATENCY_MS));
                firstSent = Math.min(firstSent, o.atMillis());
                lastSent = Math.max(lastSent, o.atMillis());
                int b = bucket(o.atMillis(), seconds);
                sentPerSec[TX][b]++;
                perSec(latPerSec[TX], b).recordValue(Math.min(lat, MAX_LATENCY_MS));
            }
        }
        for (Long enq : t.txEnqueuedAt.values()) {
            bump(enqPerSec, enq);
        }

        // Timeline, one point per second of event time.
        for (int s = 0; s < seconds; s++) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("t", s);
            p.put("enqueuedPerSec", enqPerSec[s]);
            p.put("marketingSentPerSec", sentPerSec[MK][s]);
            p.put("transactionalSentPerSec", sentPerSec[TX][s]);
            for (int lane = 0; lane < 2; lane++) {
                Histogram h = latPerSec[lane][s];
                p.put(LANES[lane] + "P50Ms", h == null ? null : h.getValueAtPercentile(50));
                p.put(LANES[lane] + "P99Ms", h == null ? null : h.getValueAtPercentile(99));
            }
            timeline.add(p);
        }

        // Rates per stage.
        long sent = outcomes[TX][EventTracker.SENT] + outcomes[MK][EventTracker.SENT];
        long done = Arrays.stream(outcomes[TX]).sum() + Arrays.stream(outcomes[MK]).sum();
        stage(
                "enqueue: campaign -> Kafka (producer acks)",
                mkEnqueued,
                mkProduceStartMs,
                mkProduceEndMs);
        stage("enqueue: transactional -> POST /v1/emails (202)", txAccepted, txStartMs, txEndMs);
        stage("relay accepted (SENT event time), both lanes", sent, firstSent, lastSent);
        stage(
                "outcomes committed to email.events (read_committed)",
                done,
                t.firstOutcomeWallMs,
                t.lastOutcomeWallMs);
        pgStage();
        stage("end to end: first enqueue -> last outcome", done, startMs, lastOutcome);
        rates.put("sustainedRelayPerSec", sustained(sentPerSec, sent));

        // Process.
        double sumMachine = 0;
        double sumCores = 0;
        double maxCores = 0;
        long maxRss = 0;
        long maxPss = 0;
        long maxHeap = 0;
        for (Map<String, Object> s : samples) {
            double c =
                    ((Number) s.get("jvmCores")).doubleValue()
                            + ((Number) s.get("postgresCores")).doubleValue();
            sumCores += c;
            sumMachine += ((Number) s.get("machineCpuPct")).doubleValue();
            maxCores = Math.max(maxCores, c);
            maxRss = Math.max(maxRss, ((Number) s.get("jvmRssMb")).longValue());
            maxPss = Math.max(maxPss, ((Number) s.get("postgresPssMb")).longValue());
            maxHeap = Math.max(maxHeap, ((Number) s.get("heapUsedMb")).longValue());
        }
        process.put("machineCores", cores);
        process.put("avgCoresUsed", round(samples.isEmpty() ? 0 : sumCores / samples.size(), 2));
        process.put("maxCoresUsed", round(maxCores, 2));
        // The whole machine, other processes included: how much the stack could have had.
        process.put(
                "avgMachineCpuPct", round(samples.isEmpty() ? 0 : sumMachine / samples.size(), 1));
        process.put("maxJvmRssMb", maxRss);
        process.put("maxJvmHeapUsedMb", maxHeap);
        process.put("maxPostgresPssMb", maxPss);
        process.put(
                "what",
                cfg.inProcess()
                        ? "this JVM (Kafka, Flink, edge, harness) + the PostgreSQL server"
                        : cfg.stackPid > 0
                                ? "process "
                                        + cfg.stackPid
                                        + " + the PostgreSQL server of --pg-data-dir"
                                : "the harness JVM only (give --stack-pid for the stack's)");

        // Reconciliation.
        long enqueued = mkEnqueued + txAccepted;
        long suppressed =
                outcomes[TX][EventTracker.SUPPRESSED] + outcomes[MK][EventTracker.SUPPRESSED];
        long failed = outcomes[TX][EventTracker.FAILED] + outcomes[MK][EventTracker.FAILED];
        long cancelled =
                outcomes[TX][EventTracker.CANCELLED] + outcomes[MK][EventTracker.CANCELLED];
        long pending = enqueued - done;
        reconciliation.put("enqueued", enqueued);
        reconciliation.put("sent", sent);
        reconciliation.put("suppressed", suppressed);
        reconciliation.put("failed", failed);
        reconciliation.put("cancelled", cancelled);
        reconciliation.put("pending", pending);
        reconciliation.put("enqueuedEqualsOutcomes", pending == 0);
        reconciliation.put("duplicateOutcomeEvents", t.duplicateOutcomes.get());
        reconciliation.put("deferredEvents", t.deferredEvents.get());
        reconciliation.put("relayAcceptedJobs", relayAccepted);
        reconciliation.put("relayDuplicates", relayDuplicates);
        reconciliation.put(
                "relayAcceptedEqualsSent", relayAccepted == null ? null : relayAccepted == sent);
        Map<String, Object> lanes = new LinkedHashMap<>();
        boolean pgOk = true;
        boolean expectedOk = true;
        for (int lane = 0; lane < 2; lane++) {
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("events", outcomeMap(outcomes[lane]));
            l.put("expectedFromWorkload", outcomeMap(expected[lane]));
            Map<String, Long> pg =
                    pgByStatus == null ? Map.of() : pgByStatus.getOrDefault(LANES[lane], Map.of());
            l.put("postgres", pg);
            Map<String, Long> pgAsOutcomes = pgOutcomes(pg);
            boolean match = pgAsOutcomes.equals(outcomeMap(outcomes[lane]));
            l.put("postgresMatchesEvents", match);
            pgOk &= match;
            expectedOk &= outcomeMap(outcomes[lane]).equals(outcomeMap(expected[lane]));
            lanes.put(LANES[lane], l);
        }
        reconciliation.put("lanes", lanes);
        reconciliation.put("postgresMatchesEvents", pgOk);
        reconciliation.put("outcomesMatchWorkload", expectedOk);
        balanced =
                pending == 0
                        && t.duplicateOutcomes.get() == 0
                        && (relayDuplicates == null || relayDuplicates == 0)
                        && pgOk;
        reconciliation.put("balanced", balanced);
    }

    private static int expectedOutcome(Workload.Kind k) {
        return switch (k) {
            case SUPPRESSED -> EventTracker.SUPPRESSED;
            case UNKNOWN -> EventTracker.FAILED;
            default -> EventTracker.SENT;
        };
    }

    private static Map<String, Long> outcomeMap(long[] o) {
        Map<String, Long> m = new TreeMap<>();
        m.put("SENT", o[EventTracker.SENT]);
        m.put("SUPPRESSED", o[EventTracker.SUPPRESSED]);
        m.put("FAILED", o[EventTracker.FAILED]);
        m.put("CANCELLED", o[EventTracker.CANCELLED]);
        return m;
    }

    /** PostgreSQL statuses folded into outcomes: SENT and what follows it count as SENT. */
    private static Map<String, Long> pgOutcomes(Map<String, Long> pg) {
        Map<String, Long> m = new TreeMap<>();
        m.put("SENT", 0L);
        m.put("SUPPRESSED", 0L);
        m.put("FAILED", 0L);
        m.put("CANCELLED", 0L);
        pg.forEach(
                (status, count) -> {
                    String key =
                            switch (status) {
                                case "SENT", "DELIVERED", "BOUNCED", "COMPLAINED" -> "SENT";
                                default -> status;
                            };
                    m.merge(key, count, Long::sum);
                });
        return m;
    }

    private int bucket(long atMs, int seconds) {
        return (int) Math.max(0, Math.min(seconds - 1, (atMs - startMs) / 1000));
    }

    private void bump(long[] perSec, long atMs) {
        perSec[bucket(atMs, perSec.length)]++;
    }

    private static Histogram perSec(Histogram[] hs, int b) {
        if (hs[b] == null) {
            hs[b] = hist();
        }
        return hs[b];
    }

    private void stage(String name, long count, long fromMs, long toMs) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("count", count);
        double secs = toMs > fromMs && fromMs > 0 ? (toMs - fromMs) / 1000.0 : 0;
        s.put("seconds", round(secs, 2));
        s.put("perSec", secs > 0 ? Math.round(count / secs) : null);
        rates.put(name, s);
    }

    private void pgStage() {
        long first = -1;
        long last = -1;
        long max = 0;
        for (Map<String, Object> s : samples) {
            long v = ((Number) s.get("pgSentOrLater")).longValue();
            double ts = ((Number) s.get("t")).doubleValue();
            if (v > 0 && first < 0) {
                first = (long) (ts * 1000);
            }
            if (v > max) {
                max = v;
                last = (long) (ts * 1000);
            }
        }
        stage(
                "PostgreSQL email_job at SENT+ (campaign, sampled every 3 s)",
                max,
                first < 0 ? 0 : startMs + first,
                last < 0 ? 0 : startMs + last);
    }

    /** Median per-second SENT count between 10 % and 90 % of all SENT: the steady rate. */
    private static Long sustained(long[][] perSec, long total) {
        if (total < 100) {
            return null;
        }
        long[] all = new long[perSec[0].length];
        for (int i = 0; i < all.length; i++) {
            all[i] = perSec[0][i] + perSec[1][i];
        }
        long acc = 0;
        int from = -1;
        int to = -1;
        for (int i = 0; i < all.length; i++) {
            acc += all[i];
            if (from < 0 && acc >= total * 0.1) {
                from = i;
            }
            if (to < 0 && acc >= total * 0.9) {
                to = i;
            }
        }
        if (from < 0 || to < from) {
            return null;
        }
        long[] window = Arrays.copyOfRange(all, from, to + 1);
        Arrays.sort(window);
        return window[window.length / 2];
    }

    private Map<String, Object> latencyMap(Histogram h) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", h.getTotalCount());
        if (h.getTotalCount() > 0) {
            m.put("p50", h.getValueAtPercentile(50));
            m.put("p95", h.getValueAtPercentile(95));
            m.put("p99", h.getValueAtPercentile(99));
            m.put("max", h.getMaxValue());
            m.put("mean", round(h.getMean(), 1));
        }
        return m;
    }

    // ---- output -------------------------------------------------------------------------------

    Map<String, Object> toMap() {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", run);
        r.put("startedAt", Instant.ofEpochMilli(startMs).toString());
        r.put("stopReason", stopReason);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("marketing", cfg.marketing);
        c.put("marketingRate", cfg.marketingRate);
        c.put("transactionalRate", cfg.txRate);
        c.put("templateKb", cfg.templateKb);
        c.put("bounceShare", cfg.bounceShare);
        c.put("complaintShare", cfg.complaintShare);
        c.put("unknownShare", cfg.unknownShare);
        c.put("suppressedShare", cfg.suppressedShare);
        c.put("domains", cfg.domains);
        c.put("inProcessStack", cfg.inProcess());
        c.put("parallelism", cfg.parallelism);
        c.put("partitions", cfg.partitions);
        c.put("stateBackend", cfg.stateBackend);
        c.put("checkpointIntervalMs", cfg.checkpointInterval.toMillis());
        c.put("jobOptions", cfg.jobOptions);
        r.put("config", c);
        Map<String, Object> env = new LinkedHashMap<>();
        env.put("cores", cores);
        env.put("java", System.getProperty("java.version"));
        env.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
        env.put("stackStartMs", stackStartMs);
        env.put("jobs", jobs);
        r.put("environment", env);
        Map<String, Object> enq = new LinkedHashMap<>();
        enq.put("marketing", mkEnqueued);
        enq.put("marketingSendErrors", mkSendErrors);
        enq.put("transactionalPosted", txPosted);
        enq.put("transactionalAccepted", txAccepted);
        enq.put("transactionalRejected", txRejected);
        enq.put("suppressionsLoaded", suppressedLoaded);
        r.put("enqueued", enq);
        r.put("rates", rates);
        Map<String, Object> lat = new LinkedHashMap<>();
        lat.put("what", "enqueue -> relay acceptance (SENT event time), milliseconds");
        lat.put("transactional", latencyMap(latency[TX]));
        lat.put("marketing", latencyMap(latency[MK]));
        lat.put("transactionalEnqueueToQueued", latencyMap(txSplit[0]));
        lat.put("transactionalQueuedToRelay", latencyMap(txSplit[1]));
        lat.put("postgresSentAtMinusCreatedAt", pgLatency);
        r.put("latencyMs", lat);
        r.put("process", process);
        r.put("reconciliation", reconciliation);
        r.put("timeline", timeline);
        r.put("samples", samples);
        return r;
    }

    Path writeJson(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Json.MAPPER.writer(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), toMap());
        return file;
    }

    void print(PrintStream out) {
        String line = "=".repeat(96);
        out.println(line);
        out.printf("Load run %s: %s%n", run, stopReason);
        out.println(line);
        out.println("Throughput per stage");
        rates.forEach(
                (name, v) -> {
                    if (v instanceof Map<?, ?> m) {
                        out.printf(
                                Locale.ROOT,
                                "  %-58s %,10d in %8.1f s = %s/s%n",
                                name,
                                ((Number) m.get("count")).longValue(),
                                ((Number) m.get("seconds")).doubleValue(),
                                m.get("perSec") == null
                                        ? "-"
                                        : String.format("%,d", (Long) m.get("perSec")));
                    } else {
                        out.printf(
                                "  %-58s %s/s%n",
                                "sustained relay rate (median second, 10-90 %)", v);
                    }
                });
        out.println("Enqueue -> relay latency (ms)      count      p50      p95      p99      max");
        for (int lane = 0; lane < 2; lane++) {
            Histogram h = latency[lane];
            if (h.getTotalCount() == 0) {
                out.printf("  %-30s %8d        -        -        -        -%n", LANES[lane], 0);
            } else {
                out.printf(
                        "  %-30s %8d %8d %8d %8d %8d%n",
                        LANES[lane],
                        h.getTotalCount(),
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(95),
                        h.getValueAtPercentile(99),
                        h.getMaxValue());
            }
        }
        String[] split = {"    of which enqueue -> QUEUED", "    of which QUEUED -> relay"};
        for (int i = 0; i < 2; i++) {
            Histogram h = txSplit[i];
            if (h.getTotalCount() > 0) {
                out.printf(
                        "%-32s %8d %8d %8d %8d %8d%n",
                        split[i],
                        h.getTotalCount(),
                        h.getValueAtPercentile(50),
                        h.getValueAtPercentile(95),
                        h.getValueAtPercentile(99),
                        h.getMaxValue());
            }
        }
        out.printf(
                "Process: %s%n  cores used avg %s / max %s of %d (whole machine busy %s %% on"
                        + " average); JVM RSS max %s MB (heap max %s MB); PostgreSQL PSS max %s MB%n",
                process.get("what"),
                process.get("avgCoresUsed"),
                process.get("maxCoresUsed"),
                cores,
                process.get("avgMachineCpuPct"),
                process.get("maxJvmRssMb"),
                process.get("maxJvmHeapUsedMb"),
                process.get("maxPostgresPssMb"));
        out.printf(
                "Reconciliation: enqueued %,d = sent %,d + suppressed %,d + failed %,d + cancelled %,d"
                        + " (pending %,d)%n",
                reconciliation.get("enqueued"),
                reconciliation.get("sent"),
                reconciliation.get("suppressed"),
                reconciliation.get("failed"),
                reconciliation.get("cancelled"),
                reconciliation.get("pending"));
        out.printf(
                "  relay accepted %s, duplicates at the sandbox relay %s, duplicate outcome events %s%n",
                reconciliation.get("relayAcceptedJobs") == null
                        ? "n/a (stack not in this JVM)"
                        : reconciliation.get("relayAcceptedJobs"),
                reconciliation.get("relayDuplicates") == null
                        ? "n/a"
                        : reconciliation.get("relayDuplicates"),
                reconciliation.get("duplicateOutcomeEvents"));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Object>> lanes =
                (Map<String, Map<String, Object>>) reconciliation.get("lanes");
        lanes.forEach(
                (lane, l) ->
                        out.printf(
                                "  %-13s events %s | PostgreSQL %s | matches %s | expected %s%n",
                                lane,
                                l.get("events"),
                                l.get("postgres"),
                                l.get("postgresMatchesEvents"),
                                l.get("expectedFromWorkload")));
        out.printf(
                "  BALANCED: %s; outcomes as the workload predicts: %s%n",
                balanced, reconciliation.get("outcomesMatchWorkload"));
        out.println(line);
    }

    // ---- the chart ----------------------------------------------------------------------------

    Path writeSvg(Path file) throws IOException {
        int w = 960;
        int ph = 220;
        StringBuilder s = new StringBuilder();
        int panels = 4;
        int h = 60 + panels * (ph + 50);
        s.append(
                String.format(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                        w, h));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(
                String.format(
                        "<text x=\"20\" y=\"28\" font-size=\"16\" font-weight=\"bold\">Sendline load run %s: %,d marketing + %,d transactional</text>%n",
                        run, mkEnqueued, txAccepted));
        List<Series> rate =
                List.of(
                        series("marketing sent/s", "#1f77b4", "marketingSentPerSec"),
                        series("transactional sent/s", "#ff7f0e", "transactionalSentPerSec"));
        panel(s, 60, w, ph, "emails accepted by the relay per second (by event time)", rate, false);
        List<Series> backlog =
                List.of(
                        sumSeries(
                                "enqueued",
                                "#999999",
                                "marketingEnqueued",
                                "transactionalEnqueued"),
                        sumSeries(
                                "outcome committed",
                                "#2ca02c",
                                "marketingDone",
                                "transactionalDone"));
        panel(
                s,
                60 + 3 * (ph + 50),
                w,
                ph,
                "cumulative: enqueued vs. outcome committed (the gap is the backlog)",
                backlog,
                false);
        List<Series> lat =
                List.of(
                        series("marketing p50", "#9ecae1", "marketingP50Ms"),
                        series("marketing p99", "#1f77b4", "marketingP99Ms"),
                        series("transactional p50", "#fdae6b", "transactionalP50Ms"),
                        series("transactional p99", "#e6550d", "transactionalP99Ms"));
        panel(
                s,
                60 + ph + 50,
                w,
                ph,
                "enqueue -> relay latency, ms (log scale), by second sent",
                lat,
                true);
        List<Series> cpu = new ArrayList<>();
        cpu.add(sampleSeries("JVM cores", "#2ca02c", "jvmCores"));
        cpu.add(sampleSeries("PostgreSQL cores", "#9467bd", "postgresCores"));
        panel(
                s,
                60 + 2 * (ph + 50),
                w,
                ph,
                "CPU, cores used (machine has " + cores + ")",
                cpu,
                false);
        s.append("</svg>\n");
        Files.createDirectories(file.getParent());
        Files.writeString(file, s.toString());
        return file;
    }

    private record Series(String name, String color, double[] x, Double[] y) {}

    private Series series(String name, String color, String key) {
        double[] x = new double[timeline.size()];
        Double[] y = new Double[timeline.size()];
        for (int i = 0; i < timeline.size(); i++) {
            x[i] = i;
            Object v = timeline.get(i).get(key);
            y[i] = v == null ? null : ((Number) v).doubleValue();
        }
        return new Series(name, color, x, y);
    }

    private Series sampleSeries(String name, String color, String key) {
        double[] x = new double[samples.size()];
        Double[] y = new Double[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            x[i] = ((Number) samples.get(i).get("t")).doubleValue();
            Object v = samples.get(i).get(key);
            y[i] = v == null ? null : ((Number) v).doubleValue();
        }
        return new Series(name, color, x, y);
    }

    private Series sumSeries(String name, String color, String a, String b) {
        double[] x = new double[samples.size()];
        Double[] y = new Double[samples.size()];
        for (int i = 0; i < samples.size(); i++) {
            Map<String, Object> row = samples.get(i);
            x[i] = ((Number) row.get("t")).doubleValue();
            y[i] = ((Number) row.get(a)).doubleValue() + ((Number) row.get(b)).doubleValue();
        }
        return new Series(name, color, x, y);
    }

    private static void panel(
            StringBuilder s,
            int top,
            int w,
            int h,
            String title,
            List<Series> series,
            boolean log) {
        int left = 70;
        int right = w - 20;
        int bottom = top + h;
        double maxX = 1;
        double maxY = log ? 10 : 1;
        for (Series se : series) {
            for (int i = 0; i < se.x.length; i++) {
                maxX = Math.max(maxX, se.x[i]);
                if (se.y[i] != null) {
                    maxY = Math.max(maxY, se.y[i]);
                }
            }
        }
        maxY = niceCeil(maxY, log);
        s.append(
                String.format(
                        "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
                        left, top - 8, esc(title)));
        s.append(
                String.format(
                        "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#ccc\"/>%n",
                        left, top, right - left, h));
        int grid = log ? (int) Math.round(Math.log10(maxY)) : 4;
        for (int g = 0; g <= grid; g++) {
            double v = log ? Math.pow(10, g) : maxY * g / 4.0;
            double y = yPos(v, maxY, top, h, log);
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>%n",
                            left,
                            y,
                            right,
                            y,
                            left - 6,
                            y + 4,
                            fmt(v)));
        }
        for (int g = 0; g <= 5; g++) {
            double v = maxX * g / 5.0;
            double x = left + (right - left) * v / maxX;
            s.append(
                    String.format(
                            Locale.ROOT,
                            "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%.0f s</text>%n",
                            x,
                            bottom + 16,
                            v));
        }
        int lx = left + 10;
        for (Series se : series) {
            StringBuilder path = new StringBuilder();
            boolean pen = false;
            for (int i = 0; i < se.x.length; i++) {
                if (se.y[i] == null || (log && se.y[i] <= 0)) {
                    pen = false;
                    continue;
                }
                double x = left + (right - left) * se.x[i] / maxX;
                double y = yPos(se.y[i], maxY, top, h, log);
                path.append(pen ? " L" : " M")
                        .append(String.format(Locale.ROOT, "%.1f %.1f", x, y));
                pen = true;
            }
            if (path.length() > 0) {
                s.append(
                        String.format(
                                "<path d=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n",
                                path.toString().trim(), se.color));
            }
            s.append(
                    String.format(
                            "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
                            lx, top + 8, se.color, lx + 14, top + 17, esc(se.name)));
            lx += 34 + 7 * se.name.length();
        }
    }

    private static double yPos(double v, double maxY, int top, int h, boolean log) {
        double f = log ? Math.log10(Math.max(1, v)) / Math.log10(maxY) : v / maxY;
        return top + h - h * Math.max(0, Math.min(1, f));
    }

    private static double niceCeil(double v, boolean log) {
        if (log) {
            return Math.pow(10, Math.ceil(Math.log10(Math.max(10, v))));
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    private static String fmt(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return v == Math.rint(v)
                ? String.format(Locale.ROOT, "%.0f", v)
                : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
