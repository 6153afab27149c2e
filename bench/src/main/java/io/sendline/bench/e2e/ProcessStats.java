package io.sendline.bench.e2e;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU and memory of the processes under load: this JVM (the whole stack when it runs in-process:
 * Kafka, Flink, the edge) through {@code com.sun.management.OperatingSystemMXBean} and {@code
 * /proc/self}, plus its child processes (the embedded PostgreSQL server and its backends) or, for a
 * stack running elsewhere on this machine, the process given by pid and its children, through
 * {@code /proc}.
 */
final class ProcessStats {

    /**
     * One reading. Cores: CPU time used per wall-clock time since the previous reading (2.0 = both
     * cores of this machine busy). Memory of the children is their proportional set size (PSS), so
     * PostgreSQL's shared buffers are not counted once per backend.
     */
    record Sample(
            double mainCores,
            double childCores,
            double machineCpuPct,
            long mainRssBytes,
            long childPssBytes,
            long heapUsedBytes) {}

    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private final long pid;
    private final com.sun.management.OperatingSystemMXBean os;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private long lastMainCpu;
    private long lastWall;
    private Map<Long, Long> lastChildTicks = new HashMap<>();

    /** {@code pid} 0 = this JVM. */
    ProcessStats(long pid) {
        this.pid = pid == 0 ? ProcessHandle.current().pid() : pid;
        this.os =
                (com.sun.management.OperatingSystemMXBean)
                        ManagementFactory.getOperatingSystemMXBean();
        this.lastMainCpu = mainCpuNanos();
        this.lastWall = System.nanoTime();
        sampleChildren();
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private boolean self() {
        return pid == ProcessHandle.current().pid();
    }

    Sample sample() {
        long cpu = mainCpuNanos();
        long wall = System.nanoTime();
        long dt = Math.max(1, wall - lastWall);
        double mainCores = Math.max(0, (cpu - lastMainCpu) / (double) dt);
        long[] children = sampleChildren();
        double childCores = children[0] / (double) dt;
        lastMainCpu = cpu;
        lastWall = wall;
        double machine = os.getCpuLoad();
        long heap = self() ? memory.getHeapMemoryUsage().getUsed() : 0;
        return new Sample(
                mainCores,
                childCores,
                machine < 0 ? 0 : machine * 100,
                status(pid, "VmRSS:"),
                children[1],
                heap);
    }

    private long mainCpuNanos() {
        return self() ? os.getProcessCpuTime() : ticks(pid) * NANOS_PER_TICK;
    }

    /** CPU nanoseconds the children used since the last call, and their summed PSS. */
    private long[] sampleChildren() {
        Map<Long, Long> now = new HashMap<>();
        long delta = 0;
        long pss = 0;
        List<ProcessHandle> children =
                ProcessHandle.of(pid).map(h -> h.descendants().toList()).orElse(List.of());
        for (ProcessHandle h : children) {
            long t = ticks(h.pid());
            if (t < 0) {
                continue;
            }
            now.put(h.pid(), t);
            delta += t - lastChildTicks.getOrDefault(h.pid(), 0L);
            pss += smapsPss(h.pid());
        }
        lastChildTicks = now;
        return new long[] {Math.max(0, delta) * NANOS_PER_TICK, pss};
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The fields after the command name, which may contain spaces, in parentheses.
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long smapsPss(long pid) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
                if (line.startsWith("Pss:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return status(pid, "VmRSS:");
        }
        return 0;
    }

    private static long status(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or the process is gone.
        }
        return 0;
    }
}
