package io.sendline.embedded;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/**
 * JUnit 5 helpers for Flink tests that use flink-test-utils' {@link MiniClusterExtension}.
 *
 * <p>{@code new MiniClusterExtension()} has a single slot, so a job at parallelism 2 would never be
 * scheduled (STACK.md). Use {@code @RegisterExtension static final MiniClusterExtension FLINK =
 * FlinkTestClusters.miniClusterExtension(1, 2);} instead. Needs flink-test-utils on the test
 * classpath (declared optional here, so the local stack does not carry JUnit).
 */
public final class FlinkTestClusters {

    private FlinkTestClusters() {}

    /** A MiniCluster extension with {@code taskManagers} × {@code slotsPerTm} slots. */
    public static MiniClusterExtension miniClusterExtension(int taskManagers, int slotsPerTm) {
        return miniClusterExtension(taskManagers, slotsPerTm, new Configuration());
    }

    /** As {@link #miniClusterExtension(int, int)}, with extra cluster configuration. */
    public static MiniClusterExtension miniClusterExtension(
            int taskManagers, int slotsPerTm, Configuration conf) {
        return new MiniClusterExtension(
                new MiniClusterResourceConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumberTaskManagers(taskManagers)
                        .setNumberSlotsPerTaskManager(slotsPerTm)
                        .build());
    }
}
