package io.sendline.edge.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.sendline.schemas.Json;
import java.io.IOException;
import java.util.Locale;

/** Parses JSON request bodies strictly: one value, no duplicate keys, no trailing data. */
public final class JsonBodies {

    private static final ObjectReader READER =
            Json.MAPPER
                    .reader()
                    .with(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBodies() {}

    /**
     * The body as a JSON tree.
     *
     * @throws ApiException 415 when the declared content type is not JSON, 400 when the body is
     *     empty or malformed (the message says where)
     */
    public static JsonNode parse(Call call) {
        String type = call.header("Content-Type");
        if (type != null) {
            String t = type.toLowerCase(Locale.ROOT);
            if (!t.startsWith("application/json") && !t.contains("+json")) {
                throw new ApiException(
                        415, "unsupported_media_type", "the body must be application/json");
            }
        }
        return parse(call.body());
    }

    /** Parses bytes as a JSON tree (400 when empty or malformed). */
    public static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw ApiException.invalid("body", "the body is empty; a JSON object is expected");
        }
        try {
            JsonNode n = READER.readTree(body);
            if (n == null || n.isMissingNode()) {
                throw ApiException.invalid("body", "the body is empty; a JSON object is expected");
            }
            return n;
        } catch (IOException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            int nl = m.indexOf('\n');
            String first = nl < 0 ? m : m.substring(0, nl);
            if (first.length() > 200) {
                first = first.substring(0, 200);
            }
            throw ApiException.invalid("body", "malformed JSON: " + first);
        }
    }
}
