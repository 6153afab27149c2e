package io.sendline.bench.common;

import io.sendline.common.address.Addresses;
import io.sendline.common.suppression.SuppressionIndex;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.SuppressionReason;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH companion of {@link SuppressionIndexBench}: suppression lookups at 10 million addresses, in
 * the 300 MB heap of issue 5. Each invocation looks up the next of 1M precomputed hashes (or
 * addresses), so successive lookups hit unrelated buckets, as real jobs do.
 *
 * <pre>
 * java -cp bench/target/classes:... org.openjdk.jmh.Main SuppressionLookupJmh
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xmx300m"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SuppressionLookupJmh {

    private static final int SAMPLES = 1 << 20;

    @Param("10000000")
    public int addresses;

    private SuppressionIndex index;
    private long[] hits;
    private long[] misses;
    private String[] hitAddresses;
    private int i;

    @Setup(Level.Trial)
    public void load() {
        index = SuppressionIndex.create();
        SuppressionReason[] reasons = SuppressionReason.values();
        for (int n = 0; n < addresses; n++) {
            index.add(Addresses.hash64(SuppressionIndexBench.address(n)), reasons[n % 5]);
        }
        index.compactAll();
        SplittableRandom random = new SplittableRandom(7);
        hits = new long[SAMPLES];
        misses = new long[SAMPLES];
        hitAddresses = new String[SAMPLES / 8];
        for (int n = 0; n < SAMPLES; n++) {
            hits[n] = Addresses.hash64(SuppressionIndexBench.address(random.nextInt(addresses)));
            misses[n] = Addresses.hash64("nobody" + n + "@example.org");
        }
        for (int n = 0; n < hitAddresses.length; n++) {
            hitAddresses[n] = SuppressionIndexBench.address(random.nextInt(addresses));
        }
    }

    @Benchmark
    public SuppressionReason lookupHit() {
        i = (i + 1) & (SAMPLES - 1);
        return index.reasonForHash(hits[i]);
    }

    @Benchmark
    public SuppressionReason lookupMiss() {
        i = (i + 1) & (SAMPLES - 1);
        return index.reasonForHash(misses[i]);
    }

    @Benchmark
    public boolean blocksNormalisedAddress() {
        i = (i + 1) & (hitAddresses.length - 1);
        return index.blocks(hitAddresses[i], EmailType.MARKETING);
    }
}
