package io.sendline.schemas.flink;

import java.io.Serializable;
import java.util.function.Function;

/**
 * A {@link Function} that Flink can ship to task managers. A method reference or lambda assigned to
 * this type is compiled as serializable ({@code EmailEvent::jobId} works), which a plain {@code
 * Function} is not.
 */
@FunctionalInterface
public interface SerializableFunction<T, R> extends Function<T, R>, Serializable {}
