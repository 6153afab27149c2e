package io.sendline.compose;

/**
 * The source text of one template version.
 *
 * @param templateId template id
 * @param version version number
 * @param subject Pebble template of the subject
 * @param html Pebble template of the HTML part
 * @param text Pebble template of the plain-text part, or null to derive it from the HTML
 */
public record TemplateSource(
        String templateId, int version, String subject, String html, String text) {}
