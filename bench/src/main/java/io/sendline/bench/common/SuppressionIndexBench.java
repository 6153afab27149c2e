package io.sendline.bench.common;

import io.sendline.common.address.Addresses;
import io.sendline.common.suppression.SuppressionIndex;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Measures the send pipeline's suppression index at production size: loads N suppressed addresses
 * (default 10 million), reports the retained heap (heap used after full GCs, before and after the
 * load), the load rate, lookup ns/op for hits and misses (precomputed hashes, and the whole path
 * from a normalised address string including SHA-256), and the cost of writing and reading every
 * bucket as a checkpoint would (length + longs per bucket, as Flink's long[] serializer does).
 *
 * <pre>
 * java -Xmx300m -cp ... io.sendline.bench.common.SuppressionIndexBench [addresses] [buckets]
 * </pre>
 *
 * Run it with {@code -Xmx300m}: the budget of issue 5 is 300 MB of heap per subtask, so finishing
 * at all is part of the result.
 */
public final class SuppressionIndexBench {

    private static final SuppressionReason[] REASONS = SuppressionReason.values();

    private SuppressionIndexBench() {}

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        int buckets =
                args.length > 1 ? Integer.parseInt(args[1]) : SuppressionIndex.DEFAULT_BUCKETS;
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.out.printf(
                "JVM %s, max heap %d MB, %d addresses, %d buckets, load average %.1f on %d cores;"
                        + " times are this thread's CPU time%n",
                System.getProperty("java.version"),
                Runtime.getRuntime().maxMemory() >> 20,
                n,
                buckets,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());

        long before = usedAfterGc(memory);
        SuppressionIndex index = SuppressionIndex.create(buckets);
        long t0 = cpuNanos();
        for (int i = 0; i < n; i++) {
            index.add(Addresses.hash64(address(i)), REASONS[i % REASONS.length]);
        }
        long loadNanos = cpuNanos() - t0;
        t0 = cpuNanos();
        index.compactAll();
        long compactNanos = cpuNanos() - t0;
        long after = usedAfterGc(memory);
        System.out.printf(
                "load: %.1f s (%.0f ns/address incl. SHA-256), compactAll %.0f ms%n",
                loadNanos / 1e9, (double) loadNanos / n, compactNanos / 1e6);
        System.out.printf(
                "retained heap: %.1f MB measured (%.2f bytes/address), %.1f MB estimated; size %d%n",
                (after - before) / 1048576.0,
                (double) (after - before) / n,
                index.heapBytesEstimate() / 1048576.0,
                index.size());

        // Incremental changes on the loaded index, as from the compacted topic (normalise + hash).
        int changes = 200_000;
        t0 = cpuNanos();
        for (int i = 0; i < changes; i++) {
            String a = i % 2 == 0 ? address(n + i) : address(i);
            index.apply(
                    new SuppressionChange(
                            a,
                            i % 2 == 0
                                    ? SuppressionChange.Action.ADD
                                    : SuppressionChange.Action.REMOVE,
                            SuppressionReason.UNSUBSCRIBE,
                            "bench",
                            null,
                            Instant.EPOCH));
        }
        System.out.printf(
                "apply (normalise + hash + add/remove) on the loaded index: %.0f ns/change%n",
                (cpuNanos() - t0) / (double) changes);

        // Lookups: hashes computed outside the timed loop.
        int m = 1 << 20;
        long[] hits = new long[m];
        long[] misses = new long[m];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < m; i++) {
            hits[i] = Addresses.hash64(hitAddress(random, n, changes));
            misses[i] = Addresses.hash64("nobody" + i + "@example.org");
        }
        for (int round = 0; round < 3; round++) {
            lookups(index, hits);
            lookups(index, misses);
        }
        double hitNs = best(index, hits, 5);
        double missNs = best(index, misses, 5);
        System.out.printf("lookup by hash: hit %.0f ns/op, miss %.0f ns/op%n", hitNs, missNs);

        // The whole path from the normalised address: SHA-256 + lookup.
        int s = 1 << 17;
        String[] hitStrings = new String[s];
        for (int i = 0; i < s; i++) {
            hitStrings[i] = hitAddress(random, n, changes);
        }
        double fullNs = Double.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            long t = cpuNanos();
            int blocked = 0;
            for (String a : hitStrings) {
                if (index.blocks(a, EmailType.MARKETING)) {
                    blocked++;
                }
            }
            fullNs = Math.min(fullNs, (cpuNanos() - t) / (double) s);
            if (blocked != s) {
                throw new IllegalStateException("expected every address to be suppressed");
            }
        }
        System.out.printf("blocks(address, type) incl. SHA-256: %.0f ns/op%n", fullNs);

        // As the pipeline does it from a job's raw recipient: normalise (IDN) + SHA-256 + lookup.
        String[] raw = new String[s];
        for (int i = 0; i < s; i++) {
            raw[i] = hitStrings[i].toUpperCase(java.util.Locale.ROOT);
        }
        double rawNs = Double.MAX_VALUE;
        for (int round = 0; round < 8; round++) {
            long t = cpuNanos();
            int blocked = 0;
            for (String a : raw) {
                SuppressionReason r = index.reasonForHash(Addresses.hash64(Addresses.normalise(a)));
                if (r != null && r.blocks(EmailType.MARKETING)) {
                    blocked++;
                }
            }
            rawNs = Math.min(rawNs, (cpuNanos() - t) / (double) s);
            if (blocked != s) {
                throw new IllegalStateException("expected every address to be suppressed");
            }
        }
        System.out.printf("normalise + SHA-256 + lookup from a raw address: %.0f ns/op%n", rawNs);

        // Checkpoint-like write and read of every bucket.
        CountingOutputStream counter = new CountingOutputStream();
        t0 = cpuNanos();
        try (DataOutputStream out = new DataOutputStream(new BufferedOut(counter))) {
            for (int b = 0; b < index.buckets(); b++) {
                long[] entries = index.bucket(b);
                out.writeInt(b);
                out.writeInt(entries.length);
                for (long e : entries) {
                    out.writeLong(e);
                }
            }
        }
        long writeNanos = cpuNanos() - t0;
        System.out.printf(
                "snapshot of all buckets: %.1f MB written in %.0f ms%n",
                counter.count / 1048576.0, writeNanos / 1e6);
        // Restore from a smaller sample to stay within the heap budget (the index is still live).
        ByteArrayOutputStream sample = new ByteArrayOutputStream();
        int sampleBuckets = Math.max(1, index.buckets() / 16);
        try (DataOutputStream out = new DataOutputStream(sample)) {
            for (int b = 0; b < sampleBuckets; b++) {
                long[] entries = index.bucket(b);
                out.writeInt(b);
                out.writeInt(entries.length);
                for (long e : entries) {
                    out.writeLong(e);
                }
            }
        }
        SuppressionIndex restored = SuppressionIndex.create(buckets);
        t0 = cpuNanos();
        try (DataInputStream in =
                new DataInputStream(new java.io.ByteArrayInputStream(sample.toByteArray()))) {
            for (int b = 0; b < sampleBuckets; b++) {
                int id = in.readInt();
                long[] entries = new long[in.readInt()];
                for (int i = 0; i < entries.length; i++) {
                    entries[i] = in.readLong();
                }
                restored.restoreBucket(id, entries);
            }
        }
        long restoreNanos = cpuNanos() - t0;
        System.out.printf(
                "restore (read + validate) %.0f ns/address, i.e. ~%.1f s for the whole index%n",
                restoreNanos / (double) restored.size(),
                restoreNanos / (double) restored.size() * index.size() / 1e9);
        System.out.println(
                "heap used at the end, index still live: " + (usedAfterGc(memory) >> 20) + " MB");
        java.lang.ref.Reference.reachabilityFence(index);
    }

    /**
     * CPU time of this thread: the machine is shared, and wall time would count the time other
     * processes had the core.
     */
    private static long cpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            ManagementFactory.getThreadMXBean();

    /** A synthetic normalised address; 1,000 domains. */
    static String address(int i) {
        return "user" + i + "@domain" + (i % 1000) + ".example.com";
    }

    /** An address loaded and not touched by the change phase (which used i below changes). */
    private static String hitAddress(SplittableRandom random, int n, int changes) {
        return address(changes + random.nextInt(n - changes));
    }

    private static double best(SuppressionIndex index, long[] hashes, int rounds) {
        double best = Double.MAX_VALUE;
        for (int r = 0; r < rounds; r++) {
            best = Math.min(best, lookups(index, hashes));
        }
        return best;
    }

    /** ns per lookup; the result is consumed so the loop cannot be removed. */
    private static double lookups(SuppressionIndex index, long[] hashes) {
        long t = cpuNanos();
        int found = 0;
        for (long h : hashes) {
            if (index.reasonForHash(h) != null) {
                found++;
            }
        }
        double ns = (cpuNanos() - t) / (double) hashes.length;
        if (found == 42) {
            System.out.print("");
        }
        return ns;
    }

    private static long usedAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static final class CountingOutputStream extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }

    private static final class BufferedOut extends java.io.BufferedOutputStream {
        BufferedOut(OutputStream out) {
            super(out, 1 << 16);
        }
    }
}
