package io.sendline.schemas;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.util.TokenBuffer;
import java.io.IOException;

/**
 * Writes a String that holds JSON text (see {@link RawJsonDeserializer}) as that JSON value, not as
 * a quoted string. Streams get the text verbatim (no re-parsing on the hot path); tree conversions
 * ({@code valueToTree}, {@code convertValue}) get it parsed, so that the tree has a real object
 * where {@code @JsonRawValue} would leave an opaque raw node.
 */
public final class RawJsonSerializer extends JsonSerializer<String> {
    @Override
    public void serialize(String value, JsonGenerator gen, SerializerProvider serializers)
            throws IOException {
        if (gen instanceof TokenBuffer) {
            gen.writeTree(Json.MAPPER.readTree(value));
        } else {
            gen.writeRawValue(value);
        }
    }
}
