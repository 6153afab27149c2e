package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

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
        Instant at) {}
