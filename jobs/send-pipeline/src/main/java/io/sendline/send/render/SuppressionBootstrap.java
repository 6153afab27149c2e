package io.sendline.send.render;

import io.sendline.schemas.Json;
import io.sendline.schemas.SuppressionChange;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The suppression list as it stands when the job is submitted: the end offsets of {@code
 * email.suppressions}, captured once at build time. At a fresh start (no checkpoint) each
 * suppression-check subtask reads the topic up to these offsets in {@code open()}, before it judges
 * any job, and the live suppression source starts exactly at them: no gap, no overlap, and no job
 * is checked against a half-loaded list. A restore skips the read (the list is in the state and the
 * source resumes from the checkpoint's offsets).
 *
 * <p>Reading uses {@code read_committed} and the consumer's position (not the last record's
 * offset), so transaction markers at the end of a partition never make it wait forever.
 */
public final class SuppressionBootstrap implements Serializable {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(SuppressionBootstrap.class);

    /** How long the read may make no progress before the task fails. */
    static final Duration STALL = Duration.ofMinutes(2);

    private final String bootstrapServers;
    private final String topic;
    private final HashMap<Integer, Long> endOffsets;

    SuppressionBootstrap(String bootstrapServers, String topic, Map<Integer, Long> endOffsets) {
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.endOffsets = new HashMap<>(endOffsets);
    }

    /**
     * Captures the current end offsets of {@code topic}.
     *
     * @throws IllegalStateException when the topic cannot be described (missing, broker down)
     */
    public static SuppressionBootstrap capture(String bootstrapServers, String topic) {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        try (Admin admin = Admin.create(p)) {
            TopicDescription d =
                    admin.describeTopics(List.of(topic))
                            .allTopicNames()
                            .get(60, TimeUnit.SECONDS)
                            .get(topic);
            Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
            for (TopicPartitionInfo info : d.partitions()) {
                specs.put(new TopicPartition(topic, info.partition()), OffsetSpec.latest());
            }
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
                    admin.listOffsets(specs).all().get(60, TimeUnit.SECONDS);
            Map<Integer, Long> out = new HashMap<>();
            ends.forEach((tp, info) -> out.put(tp.partition(), info.offset()));
            return new SuppressionBootstrap(bootstrapServers, topic, out);
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot read the end offsets of " + topic + " at " + bootstrapServers, e);
        }
    }

    /** Where the live suppression source starts: partition to offset. */
    public Map<TopicPartition, Long> startOffsets() {
        Map<TopicPartition, Long> out = new HashMap<>();
        endOffsets.forEach((p, o) -> out.put(new TopicPartition(topic, p), o));
        return out;
    }

    /** Records up to the captured offsets, summed over partitions (compaction may leave fewer). */
    public long size() {
        return endOffsets.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * Reads every change up to the captured offsets and hands it to {@code sink}; records that are
     * not a suppression change are skipped (the live source dead-letters its own).
     *
     * @return the number of changes handed on
     */
    public long read(Consumer<SuppressionChange> sink) {
        if (size() == 0) {
            return 0;
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        long handed = 0;
        long skipped = 0;
        long t0 = System.nanoTime();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            endOffsets.forEach(
                    (part, end) -> {
                        if (end > 0) {
                            partitions.add(new TopicPartition(topic, part));
                        }
                    });
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<TopicPartition> open = new ArrayList<>(partitions);
            long lastProgress = System.nanoTime();
            long lastPositions = -1;
            while (!open.isEmpty()) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (r.offset() >= endOffsets.get(r.partition()) || r.value() == null) {
                        continue;
                    }
                    try {
                        SuppressionChange c = Json.fromBytes(r.value(), SuppressionChange.class);
                        if (c != null && c.address() != null && c.action() != null) {
                            sink.accept(c);
                            handed++;
                        } else {
                            skipped++;
                        }
                    } catch (RuntimeException e) {
                        skipped++;
                    }
                }
                open.removeIf(tp -> consumer.position(tp) >= endOffsets.get(tp.partition()));
                long positions = 0;
                for (TopicPartition tp : open) {
                    positions += consumer.position(tp);
                }
                if (positions != lastPositions) {
                    lastPositions = positions;
                    lastProgress = System.nanoTime();
                } else if (System.nanoTime() - lastProgress > STALL.toNanos()) {
                    // e.g. the topic was deleted and re-created after the job was built: judging
                    // jobs against a partial list would send to suppressed addresses, so fail.
                    throw new IllegalStateException(
                            "the suppression list "
                                    + topic
                                    + " stopped short of the offsets captured at build time "
                                    + endOffsets
                                    + "; rebuild the job (or restore it from a checkpoint)");
                }
            }
        }
        LOG.info(
                "suppression list of {} read to the job's start offsets: {} changes ({} skipped)"
                        + " in {} ms",
                topic,
                handed,
                skipped,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        return handed;
    }
}
