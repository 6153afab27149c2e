package io.sendline.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real, single-node Kafka broker (KRaft, broker and controller combined) running in this JVM, for
 * integration tests and the local stack.
 *
 * <p>{@link #start()} uses Kafka's own {@code KafkaClusterTestKit}: random port, throw-away log
 * directory. {@link #start(int, Path)} runs a {@code KafkaRaftServer} on a fixed port with a log
 * directory kept between runs (formatted on first use), which is what the local stack needs.
 *
 * <p>Both are configured so that transactions work on one broker (replication factor and min ISR of
 * the internal topics set to 1, see STACK.md): without that {@code initTransactions} hangs and an
 * EXACTLY_ONCE Flink KafkaSink never commits. Listeners bind to loopback only.
 */
public final class EmbeddedKafka implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafka.class);

    /** Node id of the single combined broker/controller. */
    private static final int NODE_ID = 1;

    private final KafkaClusterTestKit testKit;
    private final KafkaRaftServer server;
    private final String bootstrapServers;
    private final Admin admin;

    private EmbeddedKafka(KafkaClusterTestKit testKit, KafkaRaftServer server, String bootstrap) {
        this.testKit = testKit;
        this.server = server;
        this.bootstrapServers = bootstrap;
        Properties adminProps = new Properties();
        adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        this.admin = Admin.create(adminProps);
    }

    /**
     * Broker settings shared by both start modes. Small partition counts for the internal topics
     * keep the first consumer group and the first transaction fast on a small machine.
     */
    private static Map<String, String> brokerSettings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("offsets.topic.replication.factor", "1");
        s.put("offsets.topic.num.partitions", "4");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        s.put("transaction.state.log.num.partitions", "4");
        s.put("min.insync.replicas", "1");
        s.put("default.replication.factor", "1");
        // Consumer groups in tests start at once instead of waiting 3 s for more members.
        s.put("group.initial.rebalance.delay.ms", "0");
        // The default (15 min) is what Flink's transaction.timeout.ms must stay below.
        s.put("transaction.max.timeout.ms", "900000");
        return s;
    }

    /**
     * Starts a broker on a random loopback port with a temporary log directory that is deleted on
     * {@link #close()}.
     */
    public static EmbeddedKafka start() {
        long t0 = System.nanoTime();
        KafkaClusterTestKit kit = null;
        try {
            TestKitNodes nodes =
                    new TestKitNodes.Builder()
                            .setCombined(true)
                            .setNumBrokerNodes(1)
                            .setNumControllerNodes(1)
                            .build();
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
            brokerSettings().forEach(builder::setConfigProp);
            kit = builder.build();
            kit.format();
            kit.startup();
            kit.waitForReadyBrokers();
            EmbeddedKafka kafka = new EmbeddedKafka(kit, null, kit.bootstrapServers());
            LOG.info(
                    "Kafka broker ready at {} in {} ms",
                    kafka.bootstrapServers,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return kafka;
        } catch (Exception e) {
            closeQuietly(kit);
            throw new IllegalStateException("Could not start the embedded Kafka broker", e);
        }
    }

    /**
     * Starts a broker listening on {@code localhost:port} whose data lives in {@code logDir} and is
     * kept between runs (the directory is formatted the first time). The KRaft controller listens
     * on a free ephemeral loopback port chosen at start: with a static quorum its address is not
     * persisted, so it may change from run to run.
     */
    public static EmbeddedKafka start(int port, Path logDir) {
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
        Objects.requireNonNull(logDir, "logDir");
        long t0 = System.nanoTime();
        KafkaRaftServer server = null;
        try {
            Path dir = logDir.toAbsolutePath();
            Files.createDirectories(dir);
            int controllerPort = freePort();
            Map<String, String> props = new HashMap<>(brokerSettings());
            props.put("node.id", String.valueOf(NODE_ID));
            props.put("process.roles", "broker,controller");
            props.put(
                    "listeners",
                    "PLAINTEXT://localhost:" + port + ",CONTROLLER://localhost:" + controllerPort);
            props.put("advertised.listeners", "PLAINTEXT://localhost:" + port);
            props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
            props.put("inter.broker.listener.name", "PLAINTEXT");
            props.put("controller.listener.names", "CONTROLLER");
            props.put("controller.quorum.voters", NODE_ID + "@localhost:" + controllerPort);
            props.put("log.dirs", dir.toString());
            KafkaConfig config = new KafkaConfig(props, false);

            if (!Files.exists(dir.resolve("meta.properties"))) {
                new Formatter()
                        .setNodeId(NODE_ID)
                        .setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(dir.toString()))
                        .setMetadataLogDirectory(dir.toString())
                        .setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                        .setIgnoreFormatted(true)
                        .run();
                LOG.info("Formatted new Kafka log directory {}", dir);
            }
            server = new KafkaRaftServer(config, Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(null, server, "localhost:" + port);
            kafka.awaitReady(Duration.ofSeconds(60));
            LOG.info(
                    "Kafka broker ready at {} (data in {}) in {} ms",
                    kafka.bootstrapServers,
                    dir,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            return kafka;
        } catch (Exception e) {
            if (server != null) {
                server.shutdown();
                server.awaitShutdown();
            }
            throw new IllegalStateException(
                    "Could not start Kafka on port " + port + " with data in " + logDir, e);
        }
    }

    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("Kafka broker did not become ready in " + timeout, last);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    /** An admin client owned by this broker wrapper (closed with it; do not close it yourself). */
    public Admin admin() {
        return admin;
    }

    /**
     * Creates a topic with replication factor 1; {@code compacted} sets {@code
     * cleanup.policy=compact}. Creating a topic that already exists is not an error (the local
     * stack keeps its topics between runs).
     */
    public void createTopic(String name, int partitions, boolean compacted) {
        createTopics(Map.of(name, compacted), partitions);
    }

    /**
     * Creates every topic of {@code topics} (name → compacted) with {@code partitions} partitions;
     * existing topics are left alone. Pass the Sendline catalogue like this: {@code
     * Arrays.stream(Topics.values()).collect(toMap(t -> t.name(prefix), Topics::compacted))}.
     */
    public void createTopics(Map<String, Boolean> topics, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        }
        List<NewTopic> newTopics = new ArrayList<>();
        topics.forEach(
                (name, compacted) -> {
                    NewTopic t = new NewTopic(name, partitions, (short) 1);
                    if (compacted) {
                        t.configs(Map.of("cleanup.policy", "compact"));
                    }
                    newTopics.add(t);
                });
        admin.createTopics(newTopics)
                .values()
                .forEach(
                        (name, future) -> {
                            try {
                                future.get(60, TimeUnit.SECONDS);
                            } catch (ExecutionException e) {
                                if (!(e.getCause() instanceof TopicExistsException)) {
                                    throw new IllegalStateException(
                                            "Could not create topic " + name, e.getCause());
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(
                                        "Could not create topic " + name, e);
                            }
                        });
    }

    /** Same as {@link #createTopics(Map, int)} for topics that are all delete-policy. */
    public void createTopics(Collection<String> names, int partitions) {
        createTopics(
                names.stream().collect(Collectors.toMap(n -> n, n -> false, (a, b) -> a)),
                partitions);
    }

    /** Describes a topic (partitions, leaders); handy in tests. */
    public TopicDescription describeTopic(String name) {
        try {
            return admin.describeTopics(List.of(name))
                    .allTopicNames()
                    .get(30, TimeUnit.SECONDS)
                    .get(name);
        } catch (Exception e) {
            throw new IllegalStateException("Could not describe topic " + name, e);
        }
    }

    /** Producer settings: byte[] key and value, acks=all, idempotent. */
    public Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return p;
    }

    /**
     * Consumer settings: byte[] key and value, {@code read_committed} (records of aborted or open
     * transactions stay invisible), from the earliest offset, no auto-commit.
     */
    public Properties consumerProps(String groupId) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return p;
    }

    /** Sends the records and waits until each is acknowledged. */
    @SafeVarargs
    public final void send(ProducerRecord<byte[], byte[]>... records) {
        send(List.of(records));
    }

    /** Sends the records and waits until each is acknowledged. */
    public void send(List<ProducerRecord<byte[], byte[]>> records) {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>(records.size());
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(r));
            }
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get(60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            throw new IllegalStateException("Could not send records", e);
        }
    }

    /**
     * Reads a topic from the beginning with {@code read_committed} until at least {@code expected}
     * records arrived and every partition is read up to its last committed offset, or until {@code
     * timeout}. Returns everything committed that it saw (possibly more than expected, so callers
     * can assert "no duplicates"; fewer if the timeout hit). Uses manual assignment, no consumer
     * group.
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(
            String topic, int expected, Duration timeout) {
        Properties props = consumerProps("sendline-readall");
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions =
                    consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                            .map(p -> new TopicPartition(topic, p.partition()))
                            .collect(Collectors.toList());
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                batch.forEach(out::add);
                if (out.size() >= expected && caughtUp(consumer, partitions)) {
                    break;
                }
            }
        }
        return out;
    }

    private static boolean caughtUp(
            KafkaConsumer<byte[], byte[]> consumer, List<TopicPartition> partitions) {
        // For a read_committed consumer endOffsets is the last stable offset.
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
        for (TopicPartition tp : partitions) {
            if (consumer.position(tp, Duration.ofSeconds(10)) < end.get(tp)) {
                return false;
            }
        }
        return true;
    }

    /** Stops the broker (and deletes the temporary log directory in {@link #start()} mode). */
    @Override
    public void close() {
        long t0 = System.nanoTime();
        try {
            admin.close(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warn("Closing the Kafka admin client failed", e);
        }
        if (testKit != null) {
            closeQuietly(testKit);
        }
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
        }
        LOG.info(
                "Kafka broker {} stopped in {} ms",
                bootstrapServers,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    }

    private static void closeQuietly(KafkaClusterTestKit kit) {
        if (kit == null) {
            return;
        }
        try {
            kit.close();
        } catch (Exception e) {
            LOG.warn("Closing the Kafka test kit failed", e);
        }
    }
}
