package io.sendline.schemas.flink;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.schemas.AnalyticsRecord;
import io.sendline.schemas.Attachment;
import io.sendline.schemas.CampaignLaunch;
import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.ControlCommand;
import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.EmailEvent;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.Samples;
import io.sendline.schemas.SuppressionChange;
import java.util.stream.Stream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Flink serializes every wire record with its record/POJO serializer, never Kryo (Kryo is slow and
 * breaks state compatibility when a class changes), and the serializer round-trips real values.
 */
class FlinkTypesTest {

    @ParameterizedTest
    @ValueSource(
            classes = {
                EmailJob.class,
                EmailTemplate.class,
                SuppressionChange.class,
                RelayEvent.class,
                EmailEvent.class,
                AnalyticsRecord.class,
                ControlCommand.class,
                CampaignLaunch.class,
                CancelRequest.class,
                DeadLetter.class,
                Attachment.class,
                RawRecord.class
            })
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
