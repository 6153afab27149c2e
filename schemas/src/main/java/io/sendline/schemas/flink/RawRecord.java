package io.sendline.schemas.flink;

import io.sendline.schemas.DeadLetter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A Kafka record exactly as it was read, bytes untouched: what {@link
 * RawRecordDeserializationSchema} produces so that parsing happens in an operator that can send
 * what it cannot parse to the dead-letter topic (see {@link ParseOrDeadLetter}) instead of failing
 * the job. Flink serializes it as a record (no Kryo).
 *
 * @param topic source topic
 * @param partition source partition
 * @param offset source offset
 * @param key key bytes, or null
 * @param value value bytes, or null for a tombstone
 * @param timestamp Kafka record timestamp (epoch milliseconds)
 */
public record RawRecord(
        String topic, int partition, long offset, byte[] key, byte[] value, long timestamp) {

    /** The key as UTF-8 text, or null when there is none. */
    public String keyAsString() {
        return key == null ? null : new String(key, StandardCharsets.UTF_8);
    }

    /** A dead letter keeping this record's coordinates, key and bytes. */
    public DeadLetter toDeadLetter(String reason, String component, Instant at) {
        return DeadLetter.of(topic, partition, offset, key, value, reason, component, at);
    }

    // Arrays compare by content: records are compared in tests and by Flink's state checks.
    @Override
    public boolean equals(Object o) {
        return o instanceof RawRecord r
                && partition == r.partition
                && offset == r.offset
                && timestamp == r.timestamp
                && Objects.equals(topic, r.topic)
                && Arrays.equals(key, r.key)
                && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(topic, partition, offset, timestamp);
        h = 31 * h + Arrays.hashCode(key);
        return 31 * h + Arrays.hashCode(value);
    }

    /** Coordinates and sizes only: the bytes may hold personal data and must not reach logs. */
    @Override
    public String toString() {
        return "RawRecord["
                + topic
                + "-"
                + partition
                + "@"
                + offset
                + ", key "
                + (key == null ? "null" : key.length + " B")
                + ", value "
                + (value == null ? "null" : value.length + " B")
                + "]";
    }
}
