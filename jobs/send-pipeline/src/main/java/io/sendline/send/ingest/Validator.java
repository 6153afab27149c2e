package io.sendline.send.ingest;

import java.io.Serializable;
import java.util.List;

/**
 * Checks a parsed record; the problems become the dead-letter reason.
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface Validator<T> extends Serializable {
    /** The problems of a record, empty when it is usable. Never contains personal data. */
    List<String> problems(T value);
}
