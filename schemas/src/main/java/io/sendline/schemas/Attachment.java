package io.sendline.schemas;

/**
 * Reference to an attachment stored once by content hash outside the job record (PostgreSQL table
 * {@code email_attachment}); the send pipeline fetches the bytes at send time so Kafka records stay
 * small.
 *
 * @param filename file name shown to the recipient
 * @param contentType MIME type, e.g. {@code application/pdf}
 * @param sha256 lowercase hex SHA-256 of the content, the storage key
 * @param size content length in bytes
 */
public record Attachment(String filename, String contentType, String sha256, long size) {}
