package io.sendline.send.dispatch;

import io.sendline.schemas.Json;
import io.sendline.send.throttle.PacingSignal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes pacing signals to the pacing topic with a plain (non-transactional) Kafka producer, the
 * moment dispatch sees the relay's answer. It sits outside Flink's exactly-once sinks on purpose:
 * an async function cannot emit before its element completes (short retries may take seconds), the
 * signals must reach the throttle at once, and a signal lost or repeated around a failover only
 * shifts pacing a little (the throttle applies each signal with its own time and a cool-down).
 */
public final class KafkaPacingPublisher implements PacingPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaPacingPublisher.class);

    private final String topic;
    private final KafkaProducer<byte[], byte[]> producer;
    private final AtomicLong failures = new AtomicLong();
    // The producer may block (metadata of a missing topic, a full buffer): never on a dispatch
    // thread. Signals queue here and are dropped when the queue is full; they are advisory.
    private final ThreadPoolExecutor sender =
            new ThreadPoolExecutor(
                    1,
                    1,
                    0,
                    TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(1_000),
                    r -> {
                        Thread t = new Thread(r, "pacing-publisher");
                        t.setDaemon(true);
                        return t;
                    },
                    new ThreadPoolExecutor.DiscardPolicy());

    public KafkaPacingPublisher(String bootstrapServers, String topic) {
        this.topic = topic;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "1");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
        // Never hold a dispatch thread for long when the broker is away: drop the signal.
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "sendline-pacing-" + System.identityHashCode(this));
        this.producer = new KafkaProducer<>(p);
    }

    @Override
    public void publish(PacingSignal signal) {
        sender.execute(() -> send(signal));
    }

    private void send(PacingSignal signal) {
        try {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            signal.scope().getBytes(StandardCharsets.UTF_8),
                            Json.toBytes(signal)),
                    (meta, e) -> {
                        if (e != null && failures.incrementAndGet() % 100 == 1) {
                            LOG.warn("pacing signal not published: {}", e.toString());
                        }
                    });
        } catch (RuntimeException e) {
            if (failures.incrementAndGet() % 100 == 1) {
                LOG.warn("pacing signal not published: {}", e.toString());
            }
        }
    }

    @Override
    public void close() {
        sender.shutdown();
        try {
            sender.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(2));
    }
}
