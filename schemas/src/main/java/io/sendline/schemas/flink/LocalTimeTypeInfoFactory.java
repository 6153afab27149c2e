package io.sendline.schemas.flink;

import java.lang.reflect.Type;
import java.time.LocalTime;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.LocalTimeTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Tells Flink to serialize a {@link LocalTime} record component with its built-in {@code
 * LocalTimeSerializer}: Flink's type extractor does not recognise {@code java.time.LocalTime} on
 * its own and would fall back to Kryo. Used as {@code @TypeInfo(LocalTimeTypeInfoFactory.class)}.
 */
public final class LocalTimeTypeInfoFactory extends TypeInfoFactory<LocalTime> {
    @Override
    public TypeInformation<LocalTime> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return LocalTimeTypeInfo.LOCAL_TIME;
    }
}
