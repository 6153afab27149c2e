package io.sendline.stack;

import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What a {@link StackJob} needs to build itself against the local stack's parts.
 *
 * @param env environment on the stack's MiniCluster, already configured with checkpointing, state
 *     backend and restart strategy (and the savepoint to restore, if any)
 * @param bootstrapServers Kafka bootstrap servers
 * @param topicPrefix prefix of every catalogue topic ("" by default)
 * @param jdbcUrl PostgreSQL JDBC URL
 * @param jdbcUser PostgreSQL user
 * @param jdbcPassword PostgreSQL password
 * @param parallelism parallelism of the job's operators
 * @param checkpointInterval checkpoint interval in milliseconds
 * @param checkpointDir checkpoint directory URI
 * @param trackingBaseUrl base URL of tracking links (the edge)
 * @param trackingSecret HMAC secret of tracking links, shared with the edge
 * @param options job options from the stack's configuration: relay ({@code relay.pool.*}), pacing
 *     ({@code pacing.*}) and anything given with {@code --set key=value}
 */
public record StackJobContext(
        StreamExecutionEnvironment env,
        String bootstrapServers,
        String topicPrefix,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        int parallelism,
        long checkpointInterval,
        String checkpointDir,
        String trackingBaseUrl,
        String trackingSecret,
        Map<String, String> options) {}
