package io.sendline.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.NettyShuffleEnvironmentOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code flink-conf/config.yaml} is read by Flink's own loader, every key in it is an option Flink
 * knows under its current name with a value of the right type (Flink ignores unknown keys silently,
 * so a typo would otherwise go unnoticed), and the settings the operations rely on are what they
 * should be.
 */
class FlinkConfYamlTest {

    /** Flink's option classes that the production config draws from. */
    private static final List<Class<?>> OPTION_CLASSES =
            List.of(
                    CheckpointingOptions.class,
                    StateBackendOptions.class,
                    StateRecoveryOptions.class,
                    RocksDBOptions.class,
                    RestartStrategyOptions.class,
                    CoreOptions.class,
                    PipelineOptions.class,
                    TaskManagerOptions.class,
                    JobManagerOptions.class,
                    NettyShuffleEnvironmentOptions.class);

    private static Configuration conf;

    @BeforeAll
    static void load() {
        Path dir = ProductionFlinkConf.dir();
        conf = GlobalConfiguration.loadConfiguration(dir.toString());
        assertThat(conf.keySet()).as("keys loaded from %s", dir).isNotEmpty();
    }

    @Test
    void everyKeyIsACurrentFlinkOptionWithAValidValue() throws Exception {
        Map<String, ConfigOption<?>> byKey = new HashMap<>();
        Map<String, String> deprecated = new HashMap<>();
        for (Class<?> c : OPTION_CLASSES) {
            for (Field f : c.getFields()) {
                if (Modifier.isStatic(f.getModifiers())
                        && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    byKey.put(o.key(), o);
                    o.fallbackKeys().forEach(k -> deprecated.put(k.getKey(), o.key()));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        for (String key : conf.keySet()) {
            ConfigOption<?> option = byKey.get(key);
            if (option == null) {
                problems.add(
                        deprecated.containsKey(key)
                                ? key + ": deprecated, use " + deprecated.get(key)
                                : key + ": not a Flink option (typo?)");
                continue;
            }
            try {
                conf.get(option); // parses the value into the option's type
            } catch (RuntimeException e) {
                problems.add(key + ": bad value '" + conf.toMap().get(key) + "': " + e);
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void stateLivesInRocksDbWithIncrementalCheckpoints() {
        assertThat(conf.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(conf.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(conf.get(RocksDBOptions.USE_MANAGED_MEMORY)).isTrue();
        assertThat(conf.get(RocksDBOptions.TIMER_SERVICE_FACTORY))
                .isEqualTo(EmbeddedRocksDBStateBackend.PriorityQueueStateType.ROCKSDB);
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).isNotBlank();
    }

    @Test
    void checkpointsAreExactlyOnceRegularAndRetained() {
        assertThat(conf.get(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE))
                .isEqualTo(CheckpointingMode.EXACTLY_ONCE);
        Duration interval = conf.get(CheckpointingOptions.CHECKPOINTING_INTERVAL);
        assertThat(interval).isEqualTo(Duration.ofSeconds(10));
        assertThat(conf.get(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS))
                .isPositive()
                .isLessThan(interval);
        // A KafkaSink transaction must outlive interval + checkpoint + restart back-off; the
        // jobs' transaction.timeout.ms is 10 min (send-pipeline's kafka.transaction-timeout).
        Duration transactionLifetime =
                interval.plus(conf.get(CheckpointingOptions.CHECKPOINTING_TIMEOUT))
                        .plus(
                                conf.get(
                                        RestartStrategyOptions
                                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF));
        assertThat(transactionLifetime).isLessThan(Duration.ofMinutes(10));
        assertThat(conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(conf.get(CheckpointingOptions.MAX_RETAINED_CHECKPOINTS)).isGreaterThan(1);
        assertThat(conf.get(CheckpointingOptions.ENABLE_UNALIGNED)).isTrue();
        assertThat(conf.get(CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
                .isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void restartsBackOffExponentially() {
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY))
                .isEqualTo("exponential-delay");
        assertThat(
                        conf.get(
                                RestartStrategyOptions
                                        .RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF))
                .isEqualTo(Duration.ofSeconds(1));
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF))
                .isEqualTo(Duration.ofMinutes(2));
        // Never gives up: a stopped email pipeline is worse than one that keeps retrying.
        assertThat(conf.get(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void kryoIsRefused() {
        assertThat(conf.get(PipelineOptions.GENERIC_TYPES)).isFalse();
    }

    @Test
    void taskManagerMemoryAddsUp() {
        // Flink's own derivation of the memory components; throws if they do not fit.
        TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(conf);
        assertThat(spec.getTotalProcessMemorySize()).isEqualTo(MemorySize.parse("8g"));
        double managedShare =
                (double) spec.getManagedMemorySize().getBytes()
                        / spec.getTotalFlinkMemorySize().getBytes();
        assertThat(managedShare).isBetween(0.39, 0.41);
        assertThat(conf.get(TaskManagerOptions.NUM_TASK_SLOTS)).isEqualTo(4);
    }
}
