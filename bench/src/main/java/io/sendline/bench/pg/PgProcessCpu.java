package io.sendline.bench.pg;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time of a PostgreSQL server and all its processes (postmaster, backends, WAL writer,
 * checkpointer, autovacuum), read from {@code /proc/<pid>/stat}. The postmaster is found from the
 * server's own {@code data_directory} ({@code postmaster.pid}), like the load harness finds it by
 * its {@code -D} argument. Backends that exited are counted through the postmaster's {@code
 * cutime}/{@code cstime} (the kernel adds a reaped child's time there), so closing connections
 * loses nothing.
 */
final class PgProcessCpu {

    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ is 100 on Linux

    private final long postmaster;

    private PgProcessCpu(long postmaster) {
        this.postmaster = postmaster;
    }

    /** The server behind {@code c} (a superuser connection to a local server). */
    static PgProcessCpu of(Connection c) throws SQLException, IOException {
        String dir;
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW data_directory")) {
            rs.next();
            dir = rs.getString(1);
        }
        long pid = Long.parseLong(Files.readAllLines(Path.of(dir, "postmaster.pid")).get(0).trim());
        return new PgProcessCpu(pid);
    }

    /** CPU nanoseconds used so far by the server: its live processes plus reaped backends. */
    long cpuNanos() {
        long ticks = ticks(postmaster, true);
        Map<Long, Long> seen = new HashMap<>();
        ProcessHandle.of(postmaster)
                .ifPresent(
                        h ->
                                h.descendants()
                                        .forEach(d -> seen.put(d.pid(), ticks(d.pid(), false))));
        for (long t : seen.values()) {
            ticks += Math.max(0, t);
        }
        return ticks * NANOS_PER_TICK;
    }

    /** CPU ticks per process name (cmdline), for a breakdown; reaped backends under "reaped". */
    Map<String, Long> byProcess() {
        Map<String, Long> out = new java.util.TreeMap<>();
        out.put("postmaster+reaped", ticks(postmaster, true));
        ProcessHandle.of(postmaster)
                .ifPresent(
                        h ->
                                h.descendants()
                                        .forEach(
                                                d -> {
                                                    String name = name(d.pid());
                                                    out.merge(
                                                            name,
                                                            Math.max(0, ticks(d.pid(), false)),
                                                            Long::sum);
                                                }));
        return out;
    }

    private static String name(long pid) {
        try {
            String cmd =
                    new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")))
                            .replace('\0', ' ')
                            .trim();
            // "postgres: postgres postgres 127.0.0.1(5432) idle" -> drop the client port and state
            return cmd.replaceAll("\\(\\d+\\).*", "").replaceAll("\\s+", " ");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    private static long ticks(long pid, boolean withChildren) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long t = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime + stime
            if (withChildren) {
                t += Long.parseLong(f[13]) + Long.parseLong(f[14]); // cutime + cstime
            }
            return t;
        } catch (IOException | RuntimeException e) {
            return -1; // gone meanwhile
        }
    }
}
