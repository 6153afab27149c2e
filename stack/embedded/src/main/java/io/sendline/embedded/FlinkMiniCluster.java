package io.sendline.embedded;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.dag.Pipeline;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DeploymentOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.PipelineExecutor;
import org.apache.flink.core.execution.PipelineExecutorFactory;
import org.apache.flink.core.execution.PipelineExecutorServiceLoader;
import org.apache.flink.runtime.client.JobStatusMessage;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.MiniClusterJobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Flink MiniCluster (JobManager and TaskManagers in this JVM, REST API and web UI served) for
 * integration tests and the local stack.
 *
 * <p>Jobs are submitted through {@link #env(Configuration)}: the returned environment is built from
 * the job's own configuration, so checkpointing, state backend and restart settings in it apply (an
 * EXACTLY_ONCE KafkaSink commits only on checkpoints, see STACK.md).
 */
public final class FlinkMiniCluster implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FlinkMiniCluster.class);

    private static final String EXECUTOR_NAME = "sendline-minicluster";

    private final MiniCluster miniCluster;
    private final String webUrl;
    private final int taskManagers;
    private final int slotsPerTaskManager;

    private FlinkMiniCluster(MiniCluster miniCluster, String webUrl, int tms, int slots) {
        this.miniCluster = miniCluster;
        this.webUrl = webUrl;
        this.taskManagers = tms;
        this.slotsPerTaskManager = slots;
    }

    /**
     * Starts a cluster with {@code taskManagers} × {@code slotsPerTm} slots; the REST API and web
     * UI listen on loopback {@code restPort} (0 = a random free port). Returns once the REST API
     * answers and lists every TaskManager, so the web UI is usable and jobs can be scheduled.
     */
    public static FlinkMiniCluster start(int taskManagers, int slotsPerTm, int restPort) {
        return start(taskManagers, slotsPerTm, restPort, new Configuration());
    }

    /** As {@link #start(int, int, int)}, with extra cluster configuration. */
    public static FlinkMiniCluster start(
            int taskManagers, int slotsPerTm, int restPort, Configuration clusterConf) {
        if (taskManagers < 1 || slotsPerTm < 1) {
            throw new IllegalArgumentException("need at least 1 TaskManager with 1 slot");
        }
        if (restPort < 0 || restPort > 65535) {
            throw new IllegalArgumentException("restPort must be 0..65535, got " + restPort);
        }
        long t0 = System.nanoTime();
        Configuration conf = new Configuration(clusterConf);
        conf.set(RestOptions.ADDRESS, "localhost");
        conf.set(RestOptions.BIND_ADDRESS, "localhost");
        conf.set(RestOptions.BIND_PORT, String.valueOf(restPort));
        conf.set(TaskManagerOptions.NUM_TASK_SLOTS, slotsPerTm);
        MiniClusterConfiguration cfg =
                new MiniClusterConfiguration.Builder()
                        .setConfiguration(conf)
                        .setNumTaskManagers(taskManagers)
                        .setNumSlotsPerTaskManager(slotsPerTm)
                        .build();
        MiniCluster mc = new MiniCluster(cfg);
        try {
            mc.start();
            String url = mc.getRestAddress().get(60, TimeUnit.SECONDS).toString();
            url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
            awaitRestReady(url, taskManagers, Duration.ofSeconds(60));
            LOG.info(
                    "Flink MiniCluster ({} TM x {} slots) ready, web UI {} in {} ms",
                    taskManagers,
                    slotsPerTm,
                    url,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return new FlinkMiniCluster(mc, url, taskManagers, slotsPerTm);
        } catch (Exception e) {
            try {
                mc.close();
            } catch (Exception suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new IllegalStateException(
                    "Could not start the Flink MiniCluster (REST port " + restPort + ")", e);
        }
    }

    /**
     * Waits until the REST API answers {@code /overview} with every TaskManager registered. The
     * REST endpoint is bound before the dispatcher has won its leader election and before the
     * TaskManagers have registered: until then it answers 503 and the web UI shows no slots.
     */
    private static void awaitRestReady(String url, int taskManagers, Duration timeout)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest overview =
                HttpRequest.newBuilder(URI.create(url + "/overview"))
                        .timeout(Duration.ofSeconds(5))
                        .build();
        java.util.regex.Pattern registered =
                java.util.regex.Pattern.compile("\"taskmanagers\"\\s*:\\s*" + taskManagers + "\\b");
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(overview, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200 && registered.matcher(r.body()).find()) {
                    return;
                }
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "Flink REST API at " + url + " not ready in " + timeout + ": " + last);
    }

    /**
     * A fresh environment whose jobs run on this cluster, configured from {@code jobConf}
     * (checkpoint interval and mode, state backend, restart strategy, parallelism ...). {@code
     * execute()} blocks until the job ends; {@code executeAsync()} returns a {@link JobClient}.
     */
    public StreamExecutionEnvironment env(Configuration jobConf) {
        Configuration conf = new Configuration(jobConf);
        conf.set(DeploymentOptions.TARGET, EXECUTOR_NAME);
        conf.set(DeploymentOptions.ATTACHED, true);
        return new StreamExecutionEnvironment(
                new Executors(miniCluster), conf, Thread.currentThread().getContextClassLoader());
    }

    /** Base URL of the REST API and web UI, e.g. {@code http://localhost:8081}. */
    public String webUrl() {
        return webUrl;
    }

    /** REST / web UI port. */
    public int restPort() {
        return URI.create(webUrl).getPort();
    }

    /** Total slots (TaskManagers × slots each): the highest parallelism a job can run at. */
    public int totalSlots() {
        return taskManagers * slotsPerTaskManager;
    }

    /** The underlying cluster, e.g. to terminate a TaskManager and watch a job recover. */
    public MiniCluster miniCluster() {
        return miniCluster;
    }

    /** Status of every job the cluster knows (running or finished). */
    public List<JobStatusMessage> jobs() {
        try {
            return List.copyOf(miniCluster.listJobs().get(30, TimeUnit.SECONDS));
        } catch (Exception e) {
            throw new IllegalStateException("Could not list jobs", e);
        }
    }

    /** Cancels every job that is not finished yet and waits for them to stop. */
    public void cancelAllJobs() {
        for (JobStatusMessage job : jobs()) {
            if (!job.getJobState().isGloballyTerminalState()) {
                try {
                    miniCluster.cancelJob(job.getJobId()).get(60, TimeUnit.SECONDS);
                } catch (Exception e) {
                    LOG.warn("Cancelling job {} failed", job.getJobName(), e);
                }
            }
        }
        // Cancellation is asynchronous: wait until every job reached a terminal state.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline
                && jobs().stream().anyMatch(j -> !j.getJobState().isGloballyTerminalState())) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Stops the cluster (running jobs are cancelled with it). */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        try {
            miniCluster.close();
        } catch (Exception e) {
            LOG.warn("Stopping the Flink MiniCluster failed", e);
        }
        LOG.info(
                "Flink MiniCluster stopped in {} ms",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    /** Hard-wires job submission to one MiniCluster (what flink-test-utils does for tests). */
    private static final class Executors
            implements PipelineExecutorServiceLoader, PipelineExecutorFactory, PipelineExecutor {
        private final MiniCluster miniCluster;

        Executors(MiniCluster miniCluster) {
            this.miniCluster = miniCluster;
        }

        @Override
        public PipelineExecutorFactory getExecutorFactory(Configuration configuration) {
            return this;
        }

        @Override
        public Stream<String> getExecutorNames() {
            return Stream.of(EXECUTOR_NAME);
        }

        @Override
        public String getName() {
            return EXECUTOR_NAME;
        }

        @Override
        public boolean isCompatibleWith(Configuration configuration) {
            return true;
        }

        @Override
        public PipelineExecutor getExecutor(Configuration configuration) {
            return this;
        }

        @Override
        public CompletableFuture<JobClient> execute(
                Pipeline pipeline, Configuration configuration, ClassLoader userCodeClassLoader)
                throws Exception {
            SavepointRestoreSettings restore =
                    pipeline instanceof StreamGraph
                            ? ((StreamGraph) pipeline).getSavepointRestoreSettings()
                            : SavepointRestoreSettings.none();
            StreamGraph graph = PipelineExecutorUtils.getStreamGraph(pipeline, configuration);
            if (graph.getSavepointRestoreSettings() == SavepointRestoreSettings.none()) {
                graph.setSavepointRestoreSettings(restore);
            }
            return miniCluster
                    .submitJob(graph)
                    .thenApply(
                            result ->
                                    new MiniClusterJobClient(
                                            result.getJobID(),
                                            miniCluster,
                                            userCodeClassLoader,
                                            MiniClusterJobClient.JobFinalizationBehavior.NOTHING));
        }
    }
}
