package io.sendline.schemas.flink;

import io.sendline.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes wire records to Kafka as JSON ({@link Json#MAPPER}) with a UTF-8 key taken from the
 * record, e.g. {@code JsonKafkaSerializer.of(Topics.EVENTS.topic(), EmailEvent::jobId)}. The key
 * decides the partition, so all records of one job (or address, or scope) stay in order. A null key
 * leaves the partition to the producer.
 */
public final class JsonKafkaSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final SerializableFunction<T, String> topic;
    private final SerializableFunction<T, String> key;

    private JsonKafkaSerializer(
            SerializableFunction<T, String> topic, SerializableFunction<T, String> key) {
        this.topic = Objects.requireNonNull(topic, "topic");
        this.key = Objects.requireNonNull(key, "key");
    }

    /** Every record to {@code topic}, keyed by {@code key}. */
    public static <T> JsonKafkaSerializer<T> of(String topic, SerializableFunction<T, String> key) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isBlank()) {
            throw new IllegalArgumentException("topic must not be blank");
        }
        return new JsonKafkaSerializer<>(t -> topic, key);
    }

    /**
     * Each record to the topic chosen for it (e.g. transactional and marketing jobs to their own
     * topics), keyed by {@code key}.
     */
    public static <T> JsonKafkaSerializer<T> routed(
            SerializableFunction<T, String> topic, SerializableFunction<T, String> key) {
        return new JsonKafkaSerializer<>(topic, key);
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        String target = topic.apply(element);
        if (target == null) {
            throw new IllegalStateException("no topic for " + element.getClass().getSimpleName());
        }
        String k = key.apply(element);
        return new ProducerRecord<>(
                target,
                null,
                timestamp,
                k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                Json.toBytes(element));
    }
}
