package io.sendline.schemas.flink;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads every Kafka record as a {@link RawRecord} and never fails: a malformed payload must not
 * stop the job or be skipped silently, so parsing is left to {@link ParseOrDeadLetter}, which
 * routes failures to the dead-letter topic.
 *
 * <pre>{@code
 * KafkaSource.<RawRecord>builder()
 *     .setTopics(Topics.JOBS_TRANSACTIONAL.topic())
 *     .setDeserializer(new RawRecordDeserializationSchema())
 *     ...
 * }</pre>
 */
public final class RawRecordDeserializationSchema
        implements KafkaRecordDeserializationSchema<RawRecord> {

    private static final long serialVersionUID = 1L;

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<RawRecord> out) {
        out.collect(
                new RawRecord(
                        record.topic(),
                        record.partition(),
                        record.offset(),
                        record.key(),
                        record.value(),
                        record.timestamp()));
    }

    @Override
    public TypeInformation<RawRecord> getProducedType() {
        return TypeInformation.of(RawRecord.class);
    }
}
