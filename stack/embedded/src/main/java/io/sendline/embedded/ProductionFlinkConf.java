package io.sendline.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.state.rocksdb.RocksDBOptions;

/**
 * The repository's production cluster configuration ({@code flink-conf/config.yaml}) for jobs run
 * in tests: so that an ITCase runs its job with the settings production uses (RocksDB and its
 * options, incremental exactly-once checkpoints with the unaligned fallback, exponential-delay
 * restarts, {@code pipeline.generic-types: false}, so any Kryo fallback fails the test), with only
 * what cannot work on a test machine scaled down.
 *
 * <pre>{@code
 * Configuration conf = ProductionFlinkConf.forTest(tempDir, 2);
 * StreamExecutionEnvironment env = flink.env(conf); // FlinkMiniCluster
 * }</pre>
 */
public final class ProductionFlinkConf {

    /** The file, relative to the repository root. */
    public static final String FILE = "flink-conf/config.yaml";

    private ProductionFlinkConf() {}

    /**
     * The {@code flink-conf} directory, found in the working directory or above it (Maven runs a
     * module's tests in the module's directory).
     */
    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(FILE))) {
                return p.resolve(FILE).getParent();
            }
        }
        throw new IllegalStateException(FILE + " not found in or above the working directory");
    }

    /** The file as Flink's own loader reads it, unchanged. */
    public static Configuration load() {
        return GlobalConfiguration.loadConfiguration(dir().toString());
    }

    /**
     * The production settings for a job in a test: checkpoints, savepoints and RocksDB's working
     * files under {@code scratchDir}, a checkpoint every 300 ms without a pause in between (so a
     * test sees commits quickly), and {@code parallelism}. Everything else as in production.
     */
    public static Configuration forTest(Path scratchDir, int parallelism) {
        Configuration conf = load();
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(
                CheckpointingOptions.CHECKPOINTS_DIRECTORY,
                scratchDir.resolve("checkpoints").toUri().toString());
        conf.set(
                CheckpointingOptions.SAVEPOINT_DIRECTORY,
                scratchDir.resolve("savepoints").toUri().toString());
        conf.set(RocksDBOptions.LOCAL_DIRECTORIES, scratchDir.resolve("rocksdb").toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(300));
        conf.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ZERO);
        return conf;
    }
}
