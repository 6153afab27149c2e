package io.sendline.schemas.flink;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.Attachment;
import io.sendline.schemas.Samples;
import io.sendline.schemas.Topics;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Flink serializes every wire record with its record/POJO serializer, never Kryo (Kryo is slow and
 * breaks state compatibility when a class changes), and the serializer round-trips real values.
 */
class FlinkTypesTest {

    /** Every topic payload, plus the nested and internal types that travel inside jobs. */
    static Stream<Class<?>> flinkTypes() {
        return Stream.concat(
                Arrays.stream(Topics.values()).map(Topics::payload).distinct(),
                Stream.of(Attachment.class, RawRecord.class));
    }

    @ParameterizedTest
    @MethodSource("flinkTypes")
    void serializedAsPojoWithoutKryo(Class<?> type) {
        assertSerializedAsPojoWithoutKryo(type);
    }

    static Stream<Arguments> samples() {
        return Stream.concat(
                        Samples.all().stream(),
                        Stream.of(
                                new RawRecord(
                                        "t", 1, 2L, null, new byte[] {1, 2, (byte) 0xff}, 3L)))
                .map(s -> Arguments.of(s.getClass().getSimpleName(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    @SuppressWarnings({"unchecked", "rawtypes"})
    void flinkSerializerRoundTripsSamples(String name, Object sample) throws Exception {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // Kryo would throw instead of being used silently
        TypeSerializer serializer =
                TypeInformation.of((Class) sample.getClass()).createSerializer(config);
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(sample, out);
        Object back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back).isEqualTo(sample);
    }
}
