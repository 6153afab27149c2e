package io.sendline.edge.http;

/**
 * One thing wrong with a request: which field (a JSON path such as {@code to[0]} or {@code
 * headers.X-Foo}) and what is wrong with it. Messages never echo personal data such as addresses.
 *
 * @param field the field, or {@code body} for the whole request
 * @param message what is wrong
 */
public record FieldError(String field, String message) {}
