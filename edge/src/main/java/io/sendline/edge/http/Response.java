package io.sendline.edge.http;

import io.sendline.schemas.Json;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an endpoint answers: status, content type, body and extra headers. Immutable; {@link
 * #withHeader} returns a copy.
 *
 * @param status HTTP status code
 * @param contentType media type of the body, or null when there is no body
 * @param body the body bytes (empty for none)
 * @param headers extra response headers
 */
public record Response(int status, String contentType, byte[] body, Map<String, String> headers) {

    public static final String JSON = "application/json";
    public static final String HTML = "text/html; charset=utf-8";

    private static final byte[] NO_BODY = new byte[0];

    /** A JSON response; {@code value} is serialised with the shared mapper. */
    public static Response json(int status, Object value) {
        return new Response(status, JSON, Json.toBytes(value), Map.of());
    }

    /** A response with the given body. */
    public static Response of(int status, String contentType, byte[] body) {
        return new Response(status, contentType, body, Map.of());
    }

    /** A small HTML page (UTF-8). */
    public static Response html(int status, String html) {
        return new Response(status, HTML, html.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** A response without a body. */
    public static Response empty(int status) {
        return new Response(status, null, NO_BODY, Map.of());
    }

    /** A copy with one more header. */
    public Response withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new Response(status, contentType, body, Map.copyOf(h));
    }
}
