package io.sendline.send.ingest;

import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.SuppressionChange;
import java.util.ArrayList;
import java.util.List;

/**
 * What makes a template or a suppression change from the compacted topics usable beyond its JSON
 * Schema. A change that breaks these rules goes to the dead-letter topic instead of silently
 * changing (or failing to change) what the pipeline sends. Messages never echo addresses.
 */
public final class ReferenceRules {

    private ReferenceRules() {}

    /** Problems of a template version, empty when it can be used. */
    public static List<String> problems(EmailTemplate t) {
        List<String> p = new ArrayList<>();
        if (t.templateId() == null || t.templateId().isBlank()) {
            p.add("templateId is missing");
        } else if (t.templateId().indexOf(':') >= 0) {
            p.add("templateId must not contain ':' (the topic key is templateId:version)");
        }
        if (t.version() < 1) {
            p.add("version must be >= 1");
        }
        if (t.subject() == null || t.subject().isBlank()) {
            p.add("subject is missing");
        }
        if (t.html() == null || t.html().isBlank()) {
            p.add("html is missing");
        }
        return p;
    }

    /** Problems of a suppression change, empty when it can be applied. */
    public static List<String> problems(SuppressionChange c) {
        List<String> p = new ArrayList<>();
        if (c.action() == null) {
            p.add("action is missing (ADD or REMOVE)");
        }
        if (c.action() == SuppressionChange.Action.ADD && c.reason() == null) {
            p.add("an ADD needs a reason");
        }
        try {
            Addresses.normalise(c.address());
        } catch (InvalidAddressException e) {
            p.add("address: " + e.getMessage());
        }
        return p;
    }
}
