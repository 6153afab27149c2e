package io.sendline.bench.compose;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The JMH benchmarks' operations timed by the thread's CPU time instead of the wall clock: on a
 * shared machine whose other processes keep both cores busy, JMH's wall-clock throughput measures
 * the scheduler, while CPU time per operation still tells what one core can do. Prints a table of
 * CPU µs per message and messages per CPU-second, plus the wall-clock rate for comparison.
 *
 * <pre>
 * java -cp bench/target/classes:$(cat cp.txt) io.sendline.bench.compose.ComposeCpuTime [seconds]
 * </pre>
 */
public final class ComposeCpuTime {

    private interface Op {
        Object run() throws Exception;
    }

    private record Case(String name, Op op) {}

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 3;
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Case> cases = new ArrayList<>();
        for (String t : new String[] {"marketing", "transactional"}) {
            ComposeBenchmark b = new ComposeBenchmark();
            b.template = t;
            b.setUp();
            cases.add(new Case("compose " + t, b::compose));
            cases.add(new Case("compose+DKIM " + t, b::composeDkim));
            if (t.equals("marketing")) {
                cases.add(new Case("compile " + t + " (once per version)", b::compile));
            }
        }
        RsaSignBenchmark rsa = new RsaSignBenchmark();
        rsa.setUp();
        cases.add(new Case("bare RSA-2048 sign", rsa::rsa2048Sign));

        long sink = 0;
        for (Case c : cases) {
            // warm-up: as long as one case's whole measurement
            long warmEnd = mx.getCurrentThreadCpuTime() + (long) (seconds * 1e9);
            while (mx.getCurrentThreadCpuTime() < warmEnd) {
                for (int i = 0; i < 20; i++) {
                    sink += System.identityHashCode(c.op.run());
                }
            }
        }
        // Rounds interleave the cases, so that a change in the machine's load hits all of them
        // alike (the DKIM ratio compares two cases).
        int rounds = 7;
        double[][] cpuPerOp = new double[cases.size()][rounds];
        double[][] wallPerOp = new double[cases.size()][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int k = 0; k < cases.size(); k++) {
                Case c = cases.get(k);
                long cpu0 = mx.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                long end = cpu0 + (long) (seconds * 1e9 / rounds);
                long n = 0;
                while (mx.getCurrentThreadCpuTime() < end) {
                    for (int i = 0; i < 20; i++) {
                        sink += System.identityHashCode(c.op.run());
                    }
                    n += 20;
                }
                cpuPerOp[k][round] = (mx.getCurrentThreadCpuTime() - cpu0) / (double) n;
                wallPerOp[k][round] = (System.nanoTime() - wall0) / (double) n;
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%-40s %12s %14s %14s%n",
                "operation",
                "CPU µs/op",
                "ops/CPU-s",
                "ops/wall-s");
        double[] median = new double[cases.size()];
        for (int k = 0; k < cases.size(); k++) {
            Arrays.sort(cpuPerOp[k]);
            Arrays.sort(wallPerOp[k]);
            median[k] = cpuPerOp[k][rounds / 2];
            System.out.printf(
                    Locale.ROOT,
                    "%-40s %12.1f %14.0f %14.0f%n",
                    cases.get(k).name,
                    median[k] / 1000,
                    1e9 / median[k],
                    1e9 / wallPerOp[k][rounds / 2]);
        }
        double bareRsa = median[cases.size() - 1];
        for (int k = 0; k < cases.size(); k++) {
            if (cases.get(k).name.startsWith("compose+DKIM")) {
                System.out.printf(
                        Locale.ROOT,
                        "%s: %.0f%% of the bare RSA-2048 rate%n",
                        cases.get(k).name,
                        100 * bareRsa / median[k]);
            }
        }
        System.out.println(
                "(median of " + rounds + " interleaved rounds; checksum " + (sink & 0xff) + ")");
    }
}
