package io.sendline.send;

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Entry point of the send-pipeline job jar ({@code flink run ... --kafka.bootstrap-servers ...
 * --jdbc.url ...}): parses the options, configures the environment (RocksDB with incremental
 * checkpoints, exactly-once checkpoints at {@code checkpoint.interval}), builds the topology with
 * {@link SendPipeline#build} and runs it. Wiring only.
 */
public final class SendPipelineJob {

    private SendPipelineJob() {}

    public static void main(String[] args) throws Exception {
        SendPipelineOptions options = SendPipelineOptions.fromArgs(args);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.getExecutionEnvironment(
                        SendPipeline.jobConfiguration(options));
        SendPipeline.build(env, options);
        env.execute("send-pipeline");
    }
}
