package io.sendline.schemas.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.Json;
import io.sendline.schemas.Samples;
import io.sendline.schemas.Topics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class SerdeTest {

    private static final byte[] NOT_UTF8 = {(byte) 0xc3, (byte) 0x28, 0x7b};

    @Test
    void rawRecordKeepsEveryByteOfABadRecord() {
        ConsumerRecord<byte[], byte[]> in =
                new ConsumerRecord<>("email.jobs.transactional", 2, 42L, "k".getBytes(), NOT_UTF8);
        List<RawRecord> out = new ArrayList<>();
        new RawRecordDeserializationSchema().deserialize(in, collector(out));

        assertThat(out)
                .singleElement()
                .satisfies(
                        r -> {
                            assertThat(r.topic()).isEqualTo("email.jobs.transactional");
                            assertThat(r.partition()).isEqualTo(2);
                            assertThat(r.offset()).isEqualTo(42L);
                            assertThat(r.keyAsString()).isEqualTo("k");
                            assertThat(r.value()).containsExactly(NOT_UTF8);
                            assertThat(r.toString()).doesNotContain("k\"").contains("3 B");
                        });
    }

    @Test
    void badBytesBecomeADeadLetterWithTheOriginalPayload() throws Exception {
        RawRecord good = raw(0, "job-1", Json.toBytes(Samples.emailJob()));
        RawRecord notJson = raw(1, "job-2", "{not json".getBytes(StandardCharsets.UTF_8));
        RawRecord binary = raw(2, null, NOT_UTF8);
        RawRecord tombstone = raw(3, "job-3", null);

        try (OneInputStreamOperatorTestHarness<RawRecord, EmailJob> h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        ParseOrDeadLetter.of(EmailJob.class, "send-pipeline"))) {
            for (RawRecord r : List.of(good, notJson, binary, tombstone)) {
                h.processElement(r, 0L);
            }
            assertThat(h.extractOutputValues()).containsExactly(Samples.emailJob());
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(2);

            DeadLetter first = dead.get(0);
            assertThat(first.sourceTopic()).isEqualTo("email.jobs.transactional");
            assertThat(first.offset()).isEqualTo(1L);
            assertThat(first.key()).isEqualTo("job-2");
            assertThat(first.payload()).isEqualTo("{not json");
            assertThat(first.payloadBase64()).isFalse();
            assertThat(first.reason()).startsWith("cannot read EmailJob");
            assertThat(first.component()).isEqualTo("send-pipeline");

            DeadLetter second = dead.get(1);
            assertThat(second.payloadBase64()).isTrue();
            assertThat(second.payloadBytes()).containsExactly(NOT_UTF8);
            assertThat(second.key()).isNull();
        }
    }

    @Test
    void validatingParserDeadLettersSchemaViolationsWithReadableReasons() throws Exception {
        String bad =
                Json.toString(Samples.emailJob())
                        .replace("\"to\":\"ada@bücher.de\"", "\"to\":\"nobody\"")
                        .replace("\"TRANSACTIONAL\"", "\"URGENT\"");
        try (OneInputStreamOperatorTestHarness<RawRecord, EmailJob> h =
                ProcessFunctionTestHarnesses.forProcessFunction(
                        ParseOrDeadLetter.of(EmailJob.class, "send-pipeline").validating())) {
            h.processElement(raw(0, "j", bad.getBytes(StandardCharsets.UTF_8)), 0L);
            h.processElement(raw(1, "j", Json.toBytes(Samples.inlineJob())), 0L);
            h.processElement(raw(2, "j", "[1,".getBytes(StandardCharsets.UTF_8)), 0L);

            assertThat(h.extractOutputValues()).containsExactly(Samples.inlineJob());
            List<DeadLetter> dead = deadLetters(h);
            assertThat(dead).hasSize(2);
            assertThat(dead.get(0).reason()).contains("$.to").contains("$.type");
            assertThat(dead.get(0).payload()).isEqualTo(bad);
            assertThat(dead.get(1).reason()).startsWith("$: malformed JSON");
        }
    }

    @Test
    void plainDeserializerParsesTrustedTopicsAndFailsLoudlyOnGarbage() throws Exception {
        JsonDeserializationSchema<EmailTemplate> schema =
                JsonDeserializationSchema.of(EmailTemplate.class);
        assertThat(schema.deserialize(Json.toBytes(Samples.emailTemplate())))
                .isEqualTo(Samples.emailTemplate());
        assertThat(schema.deserialize(null)).isNull();
        assertThat(schema.getProducedType().getTypeClass()).isEqualTo(EmailTemplate.class);
        assertThatThrownBy(() -> schema.deserialize("{\"version\":\"x\"".getBytes()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("EmailTemplate")
                .hasMessageNotContaining("\"x\"");
    }

    @Test
    void serializerWritesKeyAndJson() throws Exception {
        JsonKafkaSerializer<EmailEvent> serializer =
                roundTripJava(JsonKafkaSerializer.of(Topics.EVENTS.topic(), EmailEvent::jobId));
        EmailEvent event = Samples.emailEvent();
        ProducerRecord<byte[], byte[]> record = serializer.serialize(event, null, 1234L);

        assertThat(record.topic()).isEqualTo("email.events");
        assertThat(new String(record.key(), StandardCharsets.UTF_8)).isEqualTo(event.jobId());
        assertThat(record.timestamp()).isEqualTo(1234L);
        assertThat(record.partition()).isNull();
        assertThat(Json.fromBytes(record.value(), EmailEvent.class)).isEqualTo(event);
    }

    @Test
    void routedSerializerPicksTheTopicPerRecordAndAllowsNullKeys() throws Exception {
        JsonKafkaSerializer<EmailJob> serializer =
                roundTripJava(
                        JsonKafkaSerializer.<EmailJob>routed(
                                j ->
                                        (j.type() == io.sendline.schemas.EmailType.MARKETING
                                                        ? Topics.JOBS_MARKETING
                                                        : Topics.JOBS_TRANSACTIONAL)
                                                .topic(),
                                j -> null));
        ProducerRecord<byte[], byte[]> rec = serializer.serialize(Samples.inlineJob(), null, null);
        assertThat(rec.topic()).isEqualTo("email.jobs.marketing");
        assertThat(rec.key()).isNull();
        // variables stay a nested object on the wire
        assertThat(Json.MAPPER.readTree(rec.value()).get("variables").isObject()).isTrue();
    }

    @Test
    void deadLetterOfKeepsNonUtf8KeysAndCutsLongReasons() {
        DeadLetter dl =
                DeadLetter.of(
                        "t", 0, 1, NOT_UTF8, "x".getBytes(), "r".repeat(10_000), "c", Samples.T0);
        assertThat(dl.key()).startsWith("base64:");
        assertThat(dl.reason()).hasSize(DeadLetter.MAX_REASON);
        assertThat(dl.payload()).isEqualTo("x");
    }

    @SuppressWarnings("unchecked")
    private static <T> T roundTripJava(T serializable) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(serializable);
        }
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            return (T) in.readObject();
        }
    }

    private static List<DeadLetter> deadLetters(OneInputStreamOperatorTestHarness<?, ?> h) {
        List<DeadLetter> out = new ArrayList<>();
        var queue = h.getSideOutput(ParseOrDeadLetter.DEAD_LETTERS);
        if (queue != null) {
            queue.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }

    private static RawRecord raw(long offset, String key, byte[] value) {
        return new RawRecord(
                "email.jobs.transactional",
                0,
                offset,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                value,
                1L);
    }

    private static <T> Collector<T> collector(List<T> out) {
        return new Collector<>() {
            @Override
            public void collect(T record) {
                out.add(record);
            }

            @Override
            public void close() {}
        };
    }
}
