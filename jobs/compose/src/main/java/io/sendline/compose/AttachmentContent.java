package io.sendline.compose;

/**
 * An attachment's bytes, fetched at send time by content hash.
 *
 * @param filename file name
 * @param contentType MIME type
 * @param content bytes
 */
public record AttachmentContent(String filename, String contentType, byte[] content) {}
