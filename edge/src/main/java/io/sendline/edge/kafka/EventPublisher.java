package io.sendline.edge.kafka;

import io.sendline.edge.http.ApiException;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the edge's records to Kafka and reports each broker acknowledgement as a future, so
 * that a handler answers its caller only once the record is safe (acks=all, idempotent producer)
 * without a thread waiting for it.
 */
public final class EventPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventPublisher.class);

    private final Producer<byte[], byte[]> producer;
    private final String prefix;

    public EventPublisher(Producer<byte[], byte[]> producer, String topicPrefix) {
        this.producer = producer;
        this.prefix = topicPrefix == null ? "" : topicPrefix;
    }

    /**
     * The producer settings of the edge: idempotent, acks=all, a few milliseconds of linger so
     * concurrent requests share batches, lz4 (cheap on CPU; the records are small JSON), and a
     * short {@code max.block.ms} so that a missing broker fails requests fast instead of holding
     * threads.
     */
    public static Properties producerProperties(String bootstrap, Map<String, String> overrides) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(128 * 1024));
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64L << 20));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "2000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "sendline-edge");
        p.putAll(overrides);
        return p;
    }

    /** A publisher with its own producer (closed with it). */
    public static EventPublisher create(
            String bootstrap, String prefix, Map<String, String> overrides) {
        return new EventPublisher(
                new KafkaProducer<>(producerProperties(bootstrap, overrides)), prefix);
    }

    /** The full name of a catalogue topic. */
    public String topic(Topics t) {
        return t.name(prefix);
    }

    /**
     * Fetches the metadata of the topics the edge writes, so that the first request does not wait
     * for it (a send on the IO thread must not block).
     */
    public void warmUp(List<Topics> topics, Duration timeout) {
        for (Topics t : topics) {
            try {
                producer.partitionsFor(topic(t));
            } catch (RuntimeException e) {
                LOG.warn("No metadata for topic {} yet: {}", topic(t), e.toString());
            }
        }
    }

    /** Sends one record; the future completes when the broker acknowledged it. */
    public CompletableFuture<Void> send(Topics topic, String key, Object value) {
        return sendBytes(topic(topic), key, Json.toBytes(value));
    }

    /** Sends several records; the future completes when all were acknowledged. */
    public CompletableFuture<Void> sendAll(Topics topic, List<Keyed> records) {
        if (records.size() == 1) {
            return send(topic, records.get(0).key(), records.get(0).value());
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(records.size());
        String name = topic(topic);
        for (Keyed r : records) {
            acks.add(sendBytes(name, r.key(), Json.toBytes(r.value())));
        }
        return CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
    }

    /** A record to send: its key and its payload (serialised as JSON). */
    public record Keyed(String key, Object value) {}

    private CompletableFuture<Void> sendBytes(String topic, String key, byte[] value) {
        CompletableFuture<Void> ack = new CompletableFuture<>();
        try {
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                            value),
                    (metadata, error) -> {
                        if (error == null) {
                            ack.complete(null);
                        } else {
                            LOG.warn("Kafka send to {} failed: {}", topic, error.toString());
                            ack.completeExceptionally(
                                    ApiException.unavailable(
                                            "the broker did not accept the record"));
                        }
                    });
        } catch (RuntimeException e) {
            LOG.warn("Kafka send to {} failed: {}", topic, e.toString());
            ack.completeExceptionally(ApiException.unavailable("the broker is unavailable"));
        }
        return ack;
    }

    /** Flushes pending records and closes the producer. */
    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
