package io.sendline.send.ingest;

import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.EmailJob;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What makes a job record usable by the send pipeline beyond its JSON Schema (which already checks
 * shapes, lengths and character sets): addresses that normalise, content to render, variables that
 * are an object. Plain rules without Flink; messages name the field and never echo addresses.
 */
public final class JobRules {

    /** The schema allows '.' in pool names too; the pacing configuration does not. */
    private static final Pattern POOL = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private JobRules() {}

    /** Problems of an email job, empty when it can be sent. */
    public static List<String> problems(EmailJob job) {
        List<String> p = new ArrayList<>();
        if (job.jobId() == null || job.jobId().isBlank()) {
            p.add("jobId is missing");
        }
        if (job.type() == null) {
            p.add("type is missing (TRANSACTIONAL or MARKETING)");
        }
        if (job.pool() == null || !POOL.matcher(job.pool()).matches()) {
            p.add("pool is missing or malformed");
        }
        address(p, "to", job.to(), true);
        address(p, "from", job.from(), true);
        address(p, "replyTo", job.replyTo(), false);
        if (job.templateId() == null) {
            if (job.html() == null || job.html().isBlank()) {
                p.add("either templateId or inline html is required");
            }
            if (job.subject() == null || job.subject().isBlank()) {
                p.add("inline content needs a subject");
            }
        } else if (job.templateId().isBlank()) {
            p.add("templateId is blank");
        }
        if (job.templateVersion() != null && job.templateVersion() < 1) {
            p.add("templateVersion must be >= 1");
        }
        if (job.attempt() < 0) {
            p.add("attempt must be >= 0");
        }
        if (job.variables() != null && !job.variables().startsWith("{")) {
            p.add("variables must be a JSON object");
        }
        return p;
    }

    /** Problems of a cancel request. */
    public static List<String> problems(CancelRequest c) {
        List<String> p = new ArrayList<>();
        if (c.jobId() == null || c.jobId().isBlank()) {
            p.add("jobId is missing");
        }
        return p;
    }

    private static void address(List<String> p, String field, String value, boolean required) {
        if (value == null) {
            if (required) {
                p.add(field + " is missing");
            }
            return;
        }
        try {
            Addresses.normalise(value);
        } catch (InvalidAddressException e) {
            p.add(field + ": " + e.getMessage());
        }
    }
}
