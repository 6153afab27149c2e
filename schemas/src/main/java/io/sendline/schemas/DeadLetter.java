package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * A record no job could use: the payload of {@code email.dead-letter}. Nothing is lost: the
 * original bytes are kept (UTF-8 text, or base64 when not valid UTF-8) with the reason.
 *
 * @param sourceTopic topic the record came from
 * @param partition its partition
 * @param offset its offset
 * @param key its key as text, if any
 * @param payload original value
 * @param payloadBase64 true when {@code payload} is base64 of non-UTF-8 bytes
 * @param reason what is wrong with it
 * @param component which job or service refused it
 * @param at when
 */
// partition and offset are -1 for records that did not come from Kafka (e.g. refused at the edge).
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeadLetter(
        String sourceTopic,
        int partition,
        long offset,
        String key,
        String payload,
        boolean payloadBase64,
        String reason,
        String component,
        Instant at) {

    /** Longest reason kept; longer ones are cut (the schema allows 8192 characters). */
    public static final int MAX_REASON = 8192;

    /**
     * A dead letter for a record as it was read: the value is kept as text when it is valid UTF-8,
     * else as base64; a key that is not valid UTF-8 is kept as {@code base64:<base64>}.
     */
    public static DeadLetter of(
            String sourceTopic,
            int partition,
            long offset,
            byte[] key,
            byte[] value,
            String reason,
            String component,
            Instant at) {
        String keyText = null;
        if (key != null) {
            String k = utf8OrNull(key);
            keyText = k != null ? k : "base64:" + Base64.getEncoder().encodeToString(key);
        }
        String payload = null;
        boolean base64 = false;
        if (value != null) {
            payload = utf8OrNull(value);
            if (payload == null) {
                payload = Base64.getEncoder().encodeToString(value);
                base64 = true;
            }
        }
        String why = reason == null || reason.isEmpty() ? "unknown" : reason;
        if (why.length() > MAX_REASON) {
            why = why.substring(0, MAX_REASON - 1) + "…";
        }
        return new DeadLetter(
                sourceTopic, partition, offset, keyText, payload, base64, why, component, at);
    }

    /** The original value bytes (decoding base64 when {@link #payloadBase64()}); null if none. */
    public byte[] payloadBytes() {
        if (payload == null) {
            return null;
        }
        return payloadBase64
                ? Base64.getDecoder().decode(payload)
                : payload.getBytes(StandardCharsets.UTF_8);
    }

    private static String utf8OrNull(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
