package io.sendline.stack;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The registry of jobs the local stack runs: every job that exists in this build. A job module that
 * is not written yet is simply not {@link StackJob#available() available}, and the stack starts
 * without it.
 */
public final class StackJobs {

    private StackJobs() {}

    /** Every job the stack knows how to start, in start order. */
    public static List<StackJob> all() {
        return List.of(new SendPipelineJob());
    }

    /** The jobs of {@link #all()} whose code is on the classpath. */
    public static List<StackJob> available() {
        return all().stream().filter(StackJob::available).toList();
    }

    /**
     * send-pipeline: {@code SendPipeline.build(env, SendPipelineOptions)} then {@code
     * executeAsync}. Looked up by name so the stack builds while the job's module is being written.
     */
    static final class SendPipelineJob implements StackJob {
        static final String NAME = "send-pipeline";
        private static final String PIPELINE = "io.sendline.send.SendPipeline";
        private static final String OPTIONS = "io.sendline.send.SendPipelineOptions";

        @Override
        public String name() {
            return NAME;
        }

        @Override
        public boolean available() {
            try {
                Class<?> p = Class.forName(PIPELINE, false, StackJobs.class.getClassLoader());
                Class<?> o = Class.forName(OPTIONS, false, StackJobs.class.getClassLoader());
                p.getMethod("build", StreamExecutionEnvironment.class, o);
                return true;
            } catch (ClassNotFoundException | NoSuchMethodException | LinkageError e) {
                return false;
            }
        }

        /** The options the stack gives the job (before the user's own). */
        static Map<String, String> options(StackJobContext ctx) {
            Map<String, String> o = new LinkedHashMap<>();
            o.put("kafka.bootstrap-servers", ctx.bootstrapServers());
            o.put("kafka.topic-prefix", ctx.topicPrefix());
            o.put("jdbc.url", ctx.jdbcUrl());
            o.put("jdbc.user", ctx.jdbcUser());
            o.put("jdbc.password", ctx.jdbcPassword());
            o.put("parallelism", Integer.toString(ctx.parallelism()));
            o.put("checkpoint.interval", ctx.checkpointInterval() + "ms");
            o.put("checkpoint.dir", ctx.checkpointDir());
            o.putAll(ctx.options());
            return o;
        }

        @Override
        public JobClient start(StackJobContext ctx) throws Exception {
            ClassLoader cl = StackJobs.class.getClassLoader();
            Class<?> pipeline = Class.forName(PIPELINE, true, cl);
            Class<?> optionsType = Class.forName(OPTIONS, true, cl);
            Object builder = optionsType.getMethod("builder").invoke(null);
            Method setAll = builder.getClass().getMethod("setAll", Map.class);
            setAll.invoke(builder, options(ctx));
            Object options;
            try {
                options = builder.getClass().getMethod("build").invoke(builder);
            } catch (InvocationTargetException e) {
                throw new IllegalArgumentException(
                        "send-pipeline options rejected: " + e.getCause().getMessage(),
                        e.getCause());
            }
            pipeline.getMethod("build", StreamExecutionEnvironment.class, optionsType)
                    .invoke(null, ctx.env(), options);
            return ctx.env().executeAsync(NAME);
        }
    }
}
