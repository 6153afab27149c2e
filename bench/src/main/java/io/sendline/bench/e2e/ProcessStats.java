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
 * /proc/self}, or another process by pid, plus the PostgreSQL server (found by its data directory:
 * {@code pg_ctl} detaches it from the JVM) and its backends, through {@code /proc}.
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
    private final String pgDataDir;
    private long postmaster = -1;

    /**
     * {@code pid} 0 = this JVM; {@code pgDataDir} the PostgreSQL data directory whose server to
     * count too, or null.
     */
    ProcessStats(long pid, Path pgDataDir) {
        this.pid = pid == 0 ? ProcessHandle.current().pid() : pid;
        this.pgDataDir =
                pgDataDir == null ? null : pgDataDir.toAbsolutePath().normalize().toString();
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

    private static final int PSS_EVERY = 5;
    private long childSamples;
    private long lastChildPss;

    /** CPU nanoseconds the children used since the last call, and their summed PSS. */
    private long[] sampleChildren() {
        Map<Long, Long> now = new HashMap<>();
        long delta = 0;
        long pss = 0;
        List<ProcessHandle> children = new java.util.ArrayList<>();
        long pm = postmaster();
        if (pm > 0) {
            ProcessHandle.of(pm)
                    .ifPresent(
                            h -> {
                                children.add(h);
                                children.addAll(h.descendants().toList());
                            });
        }
        // PSS makes the kernel walk every page table of every backend (~3 % of the machine when
        // read each second during a run): memory moves slowly, so it is read every 5th sample.
        boolean readPss = childSamples++ % PSS_EVERY == 0;
        for (ProcessHandle h : children) {
            long t = ticks(h.pid());
            if (t < 0) {
                continue;
            }
            now.put(h.pid(), t);
            delta += t - lastChildTicks.getOrDefault(h.pid(), 0L);
            if (readPss) {
                pss += smapsPss(h.pid());
            }
        }
        lastChildTicks = now;
        if (readPss) {
            lastChildPss = pss;
        }
        return new long[] {Math.max(0, delta) * NANOS_PER_TICK, lastChildPss};
    }

    /** The PostgreSQL server started with {@code -D <pgDataDir>}, or -1. */
    private long postmaster() {
        if (pgDataDir == null) {
            return -1;
        }
        if (postmaster > 0
                && ProcessHandle.of(postmaster).map(ProcessHandle::isAlive).orElse(false)) {
            return postmaster;
        }
        postmaster = -1;
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String cmd =
                            new String(Files.readAllBytes(p.resolve("cmdline"))).replace('\0', ' ');
                    if (cmd.contains("postgres") && cmd.contains("-D " + pgDataDir + " ")) {
                        postmaster = Long.parseLong(name);
                        break;
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return postmaster;
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
