package io.sendline.compose;

/**
 * An attachment by reference: the bytes are stored once by content hash outside the job record and
 * fetched at send time through an {@link AttachmentStore}, so Kafka records stay small.
 *
 * @param filename file name shown to the recipient
 * @param contentType MIME type, e.g. {@code application/pdf}
 * @param sha256 lower-case hex SHA-256 of the content, the storage key
 * @param size content length in bytes (checked against the fetched bytes)
 */
public record AttachmentRef(String filename, String contentType, String sha256, long size) {}
