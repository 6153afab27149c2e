package io.sendline.bench.e2e;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Settings of one {@link LoadHarness} run, from {@code --name value} arguments. Every run is
 * bounded in count and in time, and talks only to loopback addresses.
 */
final class LoadConfig {

    // Workload
    int marketing = 200_000;
    double marketingRate = 0; // 0 = as fast as the producer can
    double txRate = 20;
    int txCount = -1; // -1 = while the campaign runs, at least txSeconds
    int txSeconds = 30;
    int templateKb = 20;
    double bounceShare = 0.01;
    double complaintShare = 0.001;
    double unknownShare = 0.002;
    double suppressedShare = 0.005;
    int domains = 50;
    int txConnections = 8;
    // Warm-up before the measured run: marketing jobs (transactional: one per 40, at least 20).
    int warmup = 2_000;

    // Limits
    Duration timeout = Duration.ofMinutes(20);
    Duration idleTimeout = Duration.ofSeconds(90);

    // Where: an in-process local stack (default) or a running one
    String edgeUrl;
    String apiKey;
    String bootstrap;
    String jdbcUrl;
    String jdbcUser = "postgres";
    String jdbcPassword = "postgres";
    String topicPrefix = "";
    String flinkUrl;
    long stackPid;
    Path pgDataDir;
    Path stackDataDir = Path.of("target/load-stack-data");
    int parallelism = 2;
    int partitions = 4;
    String stateBackend = "rocksdb";
    Duration checkpointInterval = Duration.ofSeconds(2);
    final Map<String, String> jobOptions = new LinkedHashMap<>();

    Path reportDir = Path.of("target/load-report");
    boolean progressBar = true;
    boolean requireJobs = true;

    boolean inProcess() {
        return edgeUrl == null;
    }

    static LoadConfig parse(String[] argv) {
        LoadConfig c = new LoadConfig();
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i];
            if (name.equals("--no-progress")) {
                c.progressBar = false;
                continue;
            }
            if (!name.startsWith("--") || i + 1 >= argv.length) {
                throw new IllegalArgumentException("expected --name value, got " + name);
            }
            String v = argv[++i];
            switch (name.substring(2)) {
                case "marketing" -> c.marketing = Integer.parseInt(v.replace("_", ""));
                case "marketing-rate" -> c.marketingRate = Double.parseDouble(v);
                case "tx-rate" -> c.txRate = Double.parseDouble(v);
                case "tx-count" -> c.txCount = Integer.parseInt(v);
                case "tx-seconds" -> c.txSeconds = Integer.parseInt(v);
                case "tx-connections" -> c.txConnections = Integer.parseInt(v);
                case "warmup" -> c.warmup = Integer.parseInt(v.replace("_", ""));
                case "template-kb" -> c.templateKb = Integer.parseInt(v);
                case "bounce-share" -> c.bounceShare = Double.parseDouble(v);
                case "complaint-share" -> c.complaintShare = Double.parseDouble(v);
                case "unknown-share" -> c.unknownShare = Double.parseDouble(v);
                case "suppressed-share" -> c.suppressedShare = Double.parseDouble(v);
                case "domains" -> c.domains = Integer.parseInt(v);
                case "timeout" -> c.timeout = Duration.ofSeconds(Long.parseLong(v));
                case "idle-timeout" -> c.idleTimeout = Duration.ofSeconds(Long.parseLong(v));
                case "edge-url" -> c.edgeUrl = v;
                case "api-key" -> c.apiKey = v;
                case "bootstrap" -> c.bootstrap = v;
                case "jdbc-url" -> c.jdbcUrl = v;
                case "jdbc-user" -> c.jdbcUser = v;
                case "jdbc-password" -> c.jdbcPassword = v;
                case "topic-prefix" -> c.topicPrefix = v;
                case "flink-url" -> c.flinkUrl = v;
                case "stack-pid" -> c.stackPid = Long.parseLong(v);
                case "pg-data-dir" -> c.pgDataDir = Path.of(v);
                case "stack-data" -> c.stackDataDir = Path.of(v);
                case "parallelism" -> c.parallelism = Integer.parseInt(v);
                case "partitions" -> c.partitions = Integer.parseInt(v);
                case "state-backend" -> c.stateBackend = v;
                case "checkpoint-interval-ms" ->
                        c.checkpointInterval = Duration.ofMillis(Long.parseLong(v));
                case "set" -> {
                    int eq = v.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got " + v);
                    }
                    c.jobOptions.put(v.substring(0, eq), v.substring(eq + 1));
                }
                case "report-dir" -> c.reportDir = Path.of(v);
                case "require-jobs" -> c.requireJobs = Boolean.parseBoolean(v);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        c.validate();
        return c;
    }

    private void validate() {
        List<String> p = new ArrayList<>();
        if (marketing < 0 || marketing > 20_000_000) {
            p.add("--marketing must be 0..20,000,000");
        }
        if (txRate < 0 || txRate > 5_000) {
            p.add("--tx-rate must be 0..5000 per second");
        }
        double shares = bounceShare + complaintShare + unknownShare + suppressedShare;
        if (bounceShare < 0 || complaintShare < 0 || unknownShare < 0 || suppressedShare < 0) {
            p.add("shares must not be negative");
        }
        if (shares > 0.5) {
            p.add("bounce + complaint + unknown + suppressed shares must be <= 0.5");
        }
        if (timeout.toMinutes() > 120) {
            p.add("--timeout is at most 7200 s");
        }
        if (!inProcess()) {
            if (apiKey == null || bootstrap == null || jdbcUrl == null) {
                p.add("with --edge-url also give --api-key, --bootstrap and --jdbc-url");
            } else {
                loopbackOnly(p, "--edge-url", URI.create(edgeUrl).getHost());
                for (String hp : bootstrap.split(",")) {
                    loopbackOnly(p, "--bootstrap", hp.substring(0, hp.lastIndexOf(':')));
                }
                loopbackOnly(p, "--jdbc-url", URI.create(jdbcUrl.substring(5)).getHost());
            }
        }
        if (!p.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", p));
        }
    }

    /** The harness only ever drives a stack on this machine. */
    private static void loopbackOnly(List<String> problems, String flag, String host) {
        try {
            if (host == null || !InetAddress.getByName(host).isLoopbackAddress()) {
                problems.add(flag + " must name a loopback address (localhost, 127.0.0.1)");
            }
        } catch (UnknownHostException e) {
            problems.add(flag + ": unknown host " + host);
        }
    }

    static String usage() {
        return """
                usage: bin/load [options]
                workload:
                  --marketing N            campaign recipients produced to email.jobs.marketing (200000)
                  --marketing-rate R       records/s for the campaign producer (0 = flat out)
                  --tx-rate R              transactional emails/s through POST /v1/emails (20)
                  --tx-count N             transactional emails in all (default: while the campaign runs)
                  --tx-seconds S           transactional-only run length when --marketing 0 (30)
                  --template-kb K          size of the marketing template's HTML (20)
                  --bounce-share F         hard bounces, bounce+..@simulator.sendline.dev (0.01)
                  --complaint-share F      complaints, complaint+..@simulator.sendline.dev (0.001)
                  --unknown-share F        synchronous 550s, unknown+..@simulator.sendline.dev (0.002)
                  --suppressed-share F     recipients on the suppression list beforehand (0.005)
                  --domains N              recipient domains of the campaign (50)
                  --warmup N               marketing jobs (and N/40, at least 20, transactional) sent and
                                           finished before the measured run, not counted (2000; 0 = none)
                limits: --timeout S (1200), --idle-timeout S (90)
                stack (default: started in this JVM on free ports, data in target/load-stack-data):
                  --parallelism N (2) --partitions N (4) --state-backend rocksdb|hashmap
                  --checkpoint-interval-ms MS (2000) --set key=value (job option)
                a running stack instead (loopback only):
                  --edge-url URL --api-key KEY --bootstrap HOST:PORT --jdbc-url URL
                  [--jdbc-user U --jdbc-password P --topic-prefix P --flink-url URL]
                  [--stack-pid PID --pg-data-dir DIR: whose CPU and memory to report]
                output: --report-dir DIR (target/load-report), --no-progress
                --require-jobs false: run even when a job fails to start (to test the harness)
                """;
    }
}
