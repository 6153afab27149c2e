package io.sendline.stack;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * What a {@link StackJob} needs to build itself against the local stack's parts.
 *
 * @param envFactory makes the environment on the stack's MiniCluster: see {@link
 *     #env(Configuration)}
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
 * @param topicCreator creates a topic the job needs beyond the catalogue (delete policy, the
 *     stack's partition count); an existing topic is left alone
 * @param options job options from the stack's configuration: relay ({@code relay.pool.*}), pacing
 *     ({@code pacing.*}) and anything given with {@code --set key=value}
 */
public record StackJobContext(
        Function<Configuration, StreamExecutionEnvironment> envFactory,
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
        Consumer<String> topicCreator,
        Map<String, String> options) {

    /**
     * An environment on the stack's MiniCluster configured with the job's own settings ({@code
     * jobConf}, e.g. its state backend), overridden by the stack's: checkpoint interval and
     * directory, restart strategy, parallelism and the savepoint to restore, if any.
     */
    public StreamExecutionEnvironment env(Configuration jobConf) {
        return envFactory.apply(jobConf);
    }
}
