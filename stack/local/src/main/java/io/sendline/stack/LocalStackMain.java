package io.sendline.stack;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * {@code bin/stack}: starts the {@link LocalStack}, prints what runs where, and runs until Ctrl-C,
 * which stops it cleanly (jobs with a savepoint first, the broker last but one).
 *
 * <pre>
 * LocalStackMain [--data-dir .stack-data] [--fresh] [--no-restore] [--no-savepoint]
 *                [--kafka-port 9092] [--postgres-port 15432] [--flink-port 8081] [--edge-port 8080]
 *                [--free-ports] [--partitions 4] [--parallelism 2] [--slots 8]
 *                [--checkpoint-interval 2s] [--state-backend rocksdb|hashmap]
 *                [--api-key KEY] [--set key=value]...
 * </pre>
 *
 * The API key comes from {@code --api-key}, else {@code SENDLINE_API_KEY}, else one generated on
 * the first run and kept in the data directory.
 */
public final class LocalStackMain {

    private LocalStackMain() {}

    public static void main(String[] args) throws Exception {
        // Before any logger exists: the stack's own log configuration (quiet console, full file).
        Path dataDir = Path.of(".stack-data");
        boolean fresh = false;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data-dir") && i + 1 < args.length) {
                dataDir = Path.of(args[i + 1]);
            }
            fresh |= args[i].equals("--fresh");
        }
        // Before the first logger opens its file in there.
        if (fresh) {
            deleteTree(dataDir);
        }
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "sendline-stack-log4j2.properties");
        }
        Path logDir = dataDir.toAbsolutePath().resolve("logs");
        System.setProperty("sendline.stack.logdir", logDir.toString());
        // Where Flink's web UI looks for the JobManager's log (as flink-dist's scripts set it).
        System.setProperty("log.file", logDir.resolve("stack.log").toString());
        LocalStack.Builder b = LocalStack.builder();
        String apiKey = System.getenv("SENDLINE_API_KEY");
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--help", "-h" -> {
                    usage(System.out);
                    return;
                }
                case "--fresh" -> {
                    // handled above
                }
                case "--no-restore" -> b.restore(false);
                case "--no-savepoint" -> b.savepointOnStop(false);
                case "--free-ports" -> b.freePorts();
                case "--data-dir" -> dataDir = Path.of(value(args, ++i, a));
                case "--kafka-port" -> b.kafkaPort(Integer.parseInt(value(args, ++i, a)));
                case "--postgres-port" -> b.postgresPort(Integer.parseInt(value(args, ++i, a)));
                case "--flink-port" -> b.flinkPort(Integer.parseInt(value(args, ++i, a)));
                case "--edge-port" -> b.edgePort(Integer.parseInt(value(args, ++i, a)));
                case "--partitions" -> b.partitions(Integer.parseInt(value(args, ++i, a)));
                case "--parallelism" -> b.parallelism(Integer.parseInt(value(args, ++i, a)));
                case "--slots" -> b.slots(Integer.parseInt(value(args, ++i, a)));
                case "--checkpoint-interval" -> b.checkpointInterval(duration(value(args, ++i, a)));
                case "--state-backend" -> b.stateBackend(value(args, ++i, a));
                case "--api-key" -> apiKey = value(args, ++i, a);
                case "--set" -> {
                    String kv = value(args, ++i, a);
                    int eq = kv.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--set needs key=value, got " + kv);
                    }
                    b.jobOption(kv.substring(0, eq), kv.substring(eq + 1));
                }
                default -> {
                    System.err.println("unknown argument: " + a);
                    usage(System.err);
                    System.exit(2);
                }
            }
        }
        LocalStack stack = b.dataDir(dataDir).apiKey(apiKey).build();
        System.out.println(
                "Starting the Sendline local stack (logs: "
                        + dataDir.resolve("logs/stack.log")
                        + ") ...");
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    System.out.println("\nStopping the local stack ...");
                                    stack.close();
                                    System.out.println("Stopped.");
                                    stopped.countDown();
                                },
                                "local-stack-shutdown"));
        try {
            stack.start();
        } catch (RuntimeException e) {
            System.err.println("The local stack did not start: " + rootMessage(e));
            System.err.println("See " + dataDir.resolve("logs/stack.log") + " for details.");
            System.exit(1);
        }
        System.out.print(stack.describe());
        System.out.println("Try it:");
        System.out.println("  export SENDLINE_API_KEY=" + stack.apiKey());
        System.out.println(
                "  curl -s -X POST "
                        + stack.edgeUrl()
                        + "/v1/emails -H \"Authorization: Bearer $SENDLINE_API_KEY\""
                        + " -H 'Content-Type: application/json' \\\n"
                        + "    -d '{\"to\":\"success@simulator.sendline.dev\",\"from\":\"hello@example.com\","
                        + "\"subject\":\"Hi\",\"html\":\"<p>Hello</p>\"}'");
        System.out.println("Ctrl-C stops the stack.");
        stopped.await();
    }

    private static String rootMessage(Throwable t) {
        StringBuilder s = new StringBuilder(String.valueOf(t.getMessage()));
        Throwable c = t.getCause();
        while (c != null && c != t) {
            s.append(" <- ").append(c.getMessage());
            t = c;
            c = c.getCause();
        }
        return s.toString();
    }

    private static String value(String[] args, int i, String flag) {
        if (i >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value");
        }
        return args[i];
    }

    static Duration duration(String s) {
        String v = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (v.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
            return Duration.ofMillis(
                    (long) (Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
        }
        if (v.endsWith("min")) {
            return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 3)));
        }
        return Duration.ofMillis(Long.parseLong(v));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(
                dir,
                new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                            throws IOException {
                        Files.delete(file);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e)
                            throws IOException {
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
    }

    private static void usage(PrintStream out) {
        out.println(
                """
                usage: bin/stack [--no-build | --build] [options]
                  --data-dir DIR            where data is kept (default .stack-data)
                  --fresh                   delete the data directory first
                  --no-restore              start jobs afresh instead of from their last savepoint
                  --no-savepoint            cancel jobs on Ctrl-C instead of stopping with a savepoint
                  --kafka-port N            default 9092
                  --postgres-port N         default 15432
                  --flink-port N            Flink web UI / REST, default 8081
                  --edge-port N             HTTP edge, default 8080
                  --free-ports              pick every port free
                  --partitions N            partitions per topic, default 4
                  --parallelism N           job parallelism, default 2
                  --slots N                 MiniCluster task slots, default 8
                  --checkpoint-interval D   default 2s
                  --state-backend B         rocksdb (default) or hashmap
                  --api-key KEY             default $SENDLINE_API_KEY, else generated once
                  --set key=value           a job option, e.g. --set pacing.pool.marketing.rate=5000
                """);
    }
}
