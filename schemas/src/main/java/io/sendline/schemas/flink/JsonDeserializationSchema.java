package io.sendline.schemas.flink;

import io.sendline.schemas.Json;
import java.io.IOException;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Parses JSON values into a wire record with {@link Json#MAPPER}. For trusted internal topics
 * (written only by Sendline's own jobs): a malformed record fails with an {@link IOException},
 * which fails the job. Topics that outside producers write to are read with {@link
 * RawRecordDeserializationSchema} and {@link ParseOrDeadLetter} instead.
 *
 * <p>Use with {@code KafkaRecordDeserializationSchema.valueOnly(JsonDeserializationSchema.of(
 * EmailTemplate.class))}. Null values (tombstones) are skipped.
 */
public class JsonDeserializationSchema<T> implements DeserializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;

    public JsonDeserializationSchema(Class<T> type) {
        this.type = type;
    }

    /** A schema for the given wire record type. */
    public static <T> JsonDeserializationSchema<T> of(Class<T> type) {
        return new JsonDeserializationSchema<>(type);
    }

    @Override
    public T deserialize(byte[] message) throws IOException {
        if (message == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(message, type);
        } catch (IOException e) {
            // Jackson's own message quotes the payload; keep it in the cause only.
            throw new IOException(
                    "malformed " + type.getSimpleName() + " (" + message.length + " bytes)", e);
        }
    }

    @Override
    public boolean isEndOfStream(T nextElement) {
        return false;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
