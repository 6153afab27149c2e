package io.sendline.send.events;

import io.sendline.schemas.EmailJob;

/**
 * What the dispatch stage emits (an async function has a single output, no side outputs): either an
 * event of the job (SENT, DEFERRED, FAILED ...) or a job to put on the retry topic with its
 * not-before time. Exactly one of the two is set.
 *
 * @param event an event of the job, or null
 * @param retry the next attempt of the job for {@code email.jobs.retry}, or null
 */
public record SendOutcome(JobEvent event, EmailJob retry) {

    /** An outcome that is an event. */
    public static SendOutcome of(JobEvent event) {
        return new SendOutcome(event, null);
    }

    /** An outcome that is a retry. */
    public static SendOutcome retry(EmailJob next) {
        return new SendOutcome(null, next);
    }
}
