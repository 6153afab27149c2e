package io.sendline.send.render;

import io.sendline.schemas.EmailJob;
import java.util.Arrays;
import java.util.Objects;

/**
 * A job that passed the suppression check and was composed at send time: what the dispatch stage
 * hands to the relay of the job's pool. Render and dispatch are chained (same parallelism, forward
 * edge), so the MIME bytes are not serialized between them in the normal case.
 *
 * @param job the job (its attempt, pool and type drive dispatch and its events)
 * @param messageId the Message-ID header value, without angle brackets
 * @param envelopeFrom SMTP MAIL FROM
 * @param recipient SMTP RCPT TO (ASCII domain)
 * @param mime the complete RFC 5322 message
 */
public record RenderedEmail(
        EmailJob job, String messageId, String envelopeFrom, String recipient, byte[] mime) {

    @Override
    public boolean equals(Object o) {
        return o instanceof RenderedEmail r
                && Objects.equals(job, r.job)
                && Objects.equals(messageId, r.messageId)
                && Objects.equals(envelopeFrom, r.envelopeFrom)
                && Objects.equals(recipient, r.recipient)
                && Arrays.equals(mime, r.mime);
    }

    @Override
    public int hashCode() {
        return Objects.hash(job, messageId, envelopeFrom, recipient) * 31 + Arrays.hashCode(mime);
    }

    /** No addresses, no body: only the job id and size. */
    @Override
    public String toString() {
        return "RenderedEmail["
                + (job == null ? null : job.jobId())
                + ", "
                + (mime == null ? 0 : mime.length)
                + " B]";
    }
}
