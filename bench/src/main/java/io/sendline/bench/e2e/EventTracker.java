package io.sendline.bench.e2e;

import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.Json;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Follows {@code email.events} (read_committed, from the offsets at the start of the run) and
 * records, for each of this run's jobs, its outcome (SENT, SUPPRESSED, FAILED, CANCELLED) and when
 * the pipeline says it happened. SENT's time is when the relay accepted the message, so SENT time
 * minus enqueue time is the enqueue-to-relay latency.
 */
final class EventTracker implements AutoCloseable {

    static final byte NONE = 0;
    static final byte SENT = 1;
    static final byte SUPPRESSED = 2;
    static final byte FAILED = 3;
    static final byte CANCELLED = 4;

    /** One transactional job's outcome. */
    record TxOutcome(byte outcome, long atMillis) {}

    private final Workload workload;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Throwable failure;

    // Marketing, indexed by sequence number.
    final AtomicLongArray mkEnqueuedAt;
    final long[] mkOutcomeAt;
    final byte[] mkOutcome;

    // Transactional, by job id (few thousand).
    final Map<String, Long> txEnqueuedAt = new ConcurrentHashMap<>();
    final Map<String, TxOutcome> txOutcomes = new ConcurrentHashMap<>();
    // When the scheduler took each transactional job (its QUEUED event): splits the latency into
    // before the pipeline's scheduler (edge, Kafka, source) and after it (throttle to relay).
    final Map<String, Long> txQueuedAt = new ConcurrentHashMap<>();

    // Counters: [lane][outcome]; lane 0 = transactional, 1 = marketing.
    final AtomicLong[][] counts = new AtomicLong[2][5];
    final AtomicLong deferredEvents = new AtomicLong();
    final AtomicLong duplicateOutcomes = new AtomicLong();
    final AtomicLong eventsRead = new AtomicLong();
    final AtomicLong parseErrors = new AtomicLong();
    volatile long firstOutcomeWallMs;
    volatile long lastOutcomeWallMs;

    EventTracker(Workload workload, String bootstrap, String topic, int marketing) {
        this.workload = workload;
        this.mkEnqueuedAt = new AtomicLongArray(marketing);
        this.mkOutcomeAt = new long[marketing];
        this.mkOutcome = new byte[marketing];
        for (AtomicLong[] lane : counts) {
            for (int i = 0; i < lane.length; i++) {
                lane[i] = new AtomicLong();
            }
        }
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, Integer.toString(32 << 20));
        this.consumer = new KafkaConsumer<>(p);
        consumer.partitionsFor(topic, Duration.ofSeconds(30))
                .forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
        consumer.assign(partitions);
        // Only what this run causes: start at the current end.
        consumer.seekToEnd(partitions);
        partitions.forEach(tp -> consumer.position(tp, Duration.ofSeconds(30)));
        this.thread = new Thread(this::loop, "load-event-tracker");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void loop() {
        try {
            while (running) {
                ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(200));
                for (ConsumerRecord<byte[], byte[]> r : batch) {
                    eventsRead.incrementAndGet();
                    if (r.value() == null) {
                        continue;
                    }
                    EmailEvent e;
                    try {
                        e = Json.fromBytes(r.value(), EmailEvent.class);
                    } catch (RuntimeException ex) {
                        parseErrors.incrementAndGet();
                        continue;
                    }
                    accept(e);
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static byte outcome(EmailEventType t) {
        return switch (t) {
            case SENT -> SENT;
            case SUPPRESSED -> SUPPRESSED;
            case FAILED -> FAILED;
            case CANCELLED -> CANCELLED;
            default -> NONE;
        };
    }

    private void accept(EmailEvent e) {
        if (e.type() == EmailEventType.DEFERRED) {
            if (isOurs(e)) {
                deferredEvents.incrementAndGet();
            }
            return;
        }
        byte o = outcome(e.type());
        if (o == NONE) {
            if (e.type() == EmailEventType.QUEUED
                    && e.emailType() == EmailType.TRANSACTIONAL
                    && e.occurredAt() != null
                    && e.metadata() != null
                    && workload.run.equals(e.metadata().get("loadRun"))) {
                txQueuedAt.putIfAbsent(e.jobId(), e.occurredAt().toEpochMilli());
            }
            return;
        }
        long at =
                e.occurredAt() == null ? System.currentTimeMillis() : e.occurredAt().toEpochMilli();
        if (e.emailType() == EmailType.MARKETING || workload.campaignId.equals(e.campaignId())) {
            long seq = workload.marketingSeq(e.jobId());
            if (seq < 0 || seq >= mkOutcome.length) {
                return;
            }
            int i = (int) seq;
            synchronized (mkOutcome) {
                if (mkOutcome[i] != NONE) {
                    duplicateOutcomes.incrementAndGet();
                    return;
                }
                mkOutcome[i] = o;
                mkOutcomeAt[i] = at;
            }
            counts[1][o].incrementAndGet();
        } else {
            if (e.metadata() == null || !workload.run.equals(e.metadata().get("loadRun"))) {
                return;
            }
            if (txOutcomes.putIfAbsent(e.jobId(), new TxOutcome(o, at)) != null) {
                duplicateOutcomes.incrementAndGet();
                return;
            }
            counts[0][o].incrementAndGet();
        }
        long now = System.currentTimeMillis();
        if (firstOutcomeWallMs == 0) {
            firstOutcomeWallMs = now;
        }
        lastOutcomeWallMs = now;
    }

    private boolean isOurs(EmailEvent e) {
        return workload.campaignId.equals(e.campaignId())
                || (e.metadata() != null && workload.run.equals(e.metadata().get("loadRun")));
    }

    /** Outcomes of a lane (0 = transactional, 1 = marketing) seen so far, all kinds. */
    long done(int lane) {
        long n = 0;
        for (int o = 1; o < 5; o++) {
            n += counts[lane][o].get();
        }
        return n;
    }

    long count(int lane, byte outcome) {
        return counts[lane][outcome].get();
    }

    Throwable failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(10_000);
    }
}
