package io.sendline.compose;

/**
 * A message cannot be composed: missing variable, template error, header injection, rendered size
 * over the limit. The message says what is wrong without personal data; the job fails, nothing is
 * retried.
 */
public class CompositionException extends Exception {
    public CompositionException(String message) {
        super(message);
    }

    public CompositionException(String message, Throwable cause) {
        super(message, cause);
    }
}
