package io.sendline.schemas;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * One version of a template: the payload of the compacted topic {@code email.templates}, keyed
 * {@code templateId:version} so that every version stays readable for jobs that pin one.
 *
 * @param templateId stable id chosen by the caller, e.g. {@code password-reset}
 * @param version 1, 2, ... a new version on every change
 * @param name human name
 * @param subject Pebble template of the subject
 * @param html Pebble template of the HTML body
 * @param text Pebble template of the plain-text body, or null to derive it from the HTML
 * @param createdAt when this version was created
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EmailTemplate(
        String templateId,
        int version,
        String name,
        String subject,
        String html,
        String text,
        Instant createdAt) {

    /** The Kafka key of this version on {@code email.templates}. */
    public String key() {
        return templateId + ":" + version;
    }
}
