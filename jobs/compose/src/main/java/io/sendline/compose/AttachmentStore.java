package io.sendline.compose;

import java.io.IOException;

/**
 * Where attachment bytes live, keyed by the SHA-256 of their content (e.g. the {@code
 * email_attachment} table). The composer checks that the bytes it gets have that hash and size.
 */
@FunctionalInterface
public interface AttachmentStore {

    /**
     * The content stored under {@code sha256}, or null when there is none.
     *
     * @throws IOException when the store cannot be read (the message may be retried)
     */
    byte[] fetch(String sha256) throws IOException;

    /** A store that has nothing: messages with attachment references fail. */
    AttachmentStore NONE = sha256 -> null;
}
