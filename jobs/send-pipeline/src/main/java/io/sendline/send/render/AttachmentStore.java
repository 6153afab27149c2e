package io.sendline.send.render;

import io.sendline.compose.AttachmentContent;
import io.sendline.schemas.Attachment;
import java.io.Serializable;

/**
 * Where the render step fetches attachment bytes at send time: jobs carry only references by
 * content hash, so Kafka records stay small. Implementations are serializable recipes; {@link
 * #open()} builds the live store in the operator.
 */
public interface AttachmentStore extends Serializable {

    /** Opens the store for one subtask. */
    Session open() throws Exception;

    /** A live store, used from one task thread. */
    interface Session extends AutoCloseable {
        /**
         * The content of an attachment.
         *
         * @throws MissingAttachmentException when nothing is stored under its hash
         */
        AttachmentContent fetch(Attachment ref) throws Exception;

        @Override
        void close();
    }

    /** No attachment is stored under the referenced hash. */
    final class MissingAttachmentException extends Exception {
        private static final long serialVersionUID = 1L;

        public MissingAttachmentException(String message) {
            super(message);
        }
    }
}
