package io.sendline.edge.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Response;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Small helpers shared by the webhook receivers. */
public final class Webhooks {

    private static final Pattern ENHANCED =
            Pattern.compile("\\b([245])\\.(\\d{1,3})\\.(\\d{1,3})\\b");

    private Webhooks() {}

    /** 401: the call carries no signature at all. */
    public static ApiException unsigned(String what) {
        return new ApiException(401, "unauthorized", what);
    }

    /** 403: the call is signed, but the signature is wrong, stale or replayed. */
    public static ApiException rejected(String why) {
        return new ApiException(403, "forbidden", why);
    }

    /** The answer to an accepted webhook call. */
    public static Response ok(int published) {
        return Response.json(200, new Accepted(published));
    }

    /**
     * Body of the answer to a webhook call.
     *
     * @param published new events published (duplicates are not counted)
     */
    public record Accepted(int published) {}

    /** The first RFC 3463 enhanced status code in a diagnostic text, or null. */
    public static String enhancedStatus(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = ENHANCED.matcher(text);
        return m.find() ? m.group() : null;
    }

    /** A text field, or null. */
    public static String text(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v == null || v.isNull() || v.isContainerNode() ? null : v.asText();
    }

    /** Parses an ISO-8601 time, or null when absent or malformed. */
    public static Instant instant(String s) {
        if (s == null) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (RuntimeException e) {
            try {
                return Instant.parse(s);
            } catch (RuntimeException e2) {
                return null;
            }
        }
    }

    /** Unix seconds (possibly fractional) as an instant, or null. */
    public static Instant epochSeconds(JsonNode n) {
        if (n == null || !n.isNumber() && !n.isTextual()) {
            return null;
        }
        try {
            double d = n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText());
            long secs = (long) Math.floor(d);
            return Instant.ofEpochSecond(secs, Math.round((d - secs) * 1e9));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Truncates provider text so a huge diagnostic cannot bloat the event. */
    public static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
