package io.sendline.stack;

import io.sendline.send.SendPipeline;
import io.sendline.send.SendPipelineOptions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The registry of jobs the local stack runs: every job that exists in this build. A later job adds
 * its starter to {@link #all()}; a starter whose job is not usable yet reports {@link
 * StackJob#available()} false and the stack starts without it.
 */
public final class StackJobs {

    private StackJobs() {}

    /** Every job the stack knows how to start, in start order. */
    public static List<StackJob> all() {
        return List.of(new SendPipelineJob());
    }

    /** The jobs of {@link #all()} that this build can run. */
    public static List<StackJob> available() {
        return all().stream().filter(StackJob::available).toList();
    }

    /** send-pipeline: {@code SendPipeline.build(env, options)}, then {@code executeAsync}. */
    static final class SendPipelineJob implements StackJob {
        static final String NAME = "send-pipeline";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean available() {
            return true;
        }

        /** The options the stack gives the job (the user's {@code --set} ones last). */
        static SendPipelineOptions options(StackJobContext ctx) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put(SendPipelineOptions.BOOTSTRAP_SERVERS, ctx.bootstrapServers());
            o.put(SendPipelineOptions.TOPIC_PREFIX, ctx.topicPrefix());
            o.put(SendPipelineOptions.JDBC_URL, ctx.jdbcUrl());
            o.put(SendPipelineOptions.JDBC_USER, ctx.jdbcUser());
            o.put(SendPipelineOptions.JDBC_PASSWORD, ctx.jdbcPassword());
            o.put(SendPipelineOptions.PARALLELISM, Integer.toString(ctx.parallelism()));
            o.put(SendPipelineOptions.CHECKPOINT_INTERVAL, ctx.checkpointInterval() + "ms");
            o.put(SendPipelineOptions.CHECKPOINT_DIR, ctx.checkpointDir());
            // Tracking links are made by the job and checked by the edge: same base URL, secret.
            o.put("compose.tracking.base-url", ctx.trackingBaseUrl());
            o.put("compose.tracking.secret", ctx.trackingSecret());
            o.putAll(ctx.options());
            try {
                return SendPipelineOptions.builder().setAll(o).build();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        "send-pipeline options rejected: " + e.getMessage(), e);
            }
        }

        @Override
        public JobClient start(StackJobContext ctx) throws Exception {
            SendPipelineOptions options = options(ctx);
            // Pacing feedback from dispatch to the throttle: the job's own topic.
            ctx.topicCreator().accept(options.pacingTopic());
            StreamExecutionEnvironment env = ctx.env(SendPipeline.jobConfiguration(options));
            SendPipeline.build(env, options);
            return env.executeAsync(NAME);
        }
    }
}
