package io.sendline.send.render;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;

/**
 * Which template version a job is rendered with: the version it pins, else the newest version known
 * at send time (so a template edit reaches jobs that are still scheduled). Plain rules, no Flink.
 */
public final class TemplateChoice {

    private TemplateChoice() {}

    /** Looks a template version up by its key {@code templateId:version}. */
    @FunctionalInterface
    public interface Lookup {
        EmailTemplate get(String key) throws Exception;
    }

    /** Looks the newest known version of a template id up, or null. */
    @FunctionalInterface
    public interface Newest {
        Integer get(String templateId) throws Exception;
    }

    /** The key of a template version, as on the templates topic. */
    public static String key(String templateId, int version) {
        return templateId + ":" + version;
    }

    /**
     * The version the job is to be rendered with, or null when it has not arrived (yet).
     *
     * @throws IllegalArgumentException for a job with inline content
     */
    public static EmailTemplate choose(EmailJob job, Lookup lookup, Newest newest)
            throws Exception {
        if (job.templateId() == null) {
            throw new IllegalArgumentException("job has inline content, no template");
        }
        Integer version = job.templateVersion();
        if (version == null) {
            version = newest.get(job.templateId());
            if (version == null) {
                return null;
            }
        }
        return lookup.get(key(job.templateId(), version));
    }

    /** True when {@code arrived} is what a job waiting for its template needs. */
    public static boolean satisfies(EmailJob job, EmailTemplate arrived) {
        return job.templateId() != null
                && job.templateId().equals(arrived.templateId())
                && (job.templateVersion() == null || job.templateVersion() == arrived.version());
    }

    /** The reason a job fails when its template never arrived. */
    public static String missingReason(EmailJob job, long waitedMillis) {
        return "template "
                + job.templateId()
                + (job.templateVersion() == null
                        ? " (any version)"
                        : " version " + job.templateVersion())
                + " not found after waiting "
                + waitedMillis
                + " ms";
    }
}
