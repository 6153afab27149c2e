package io.sendline.send.render;

import io.sendline.compose.Composer;
import java.io.Serializable;

/**
 * Builds the {@link Composer} of a render subtask in {@code open()}. The composer itself holds
 * compiled templates, keys and caches that are not serializable, so operators carry this small
 * serializable recipe instead (built from the {@code compose.*} options in production, or a test's
 * own composer).
 */
@FunctionalInterface
public interface ComposerProvider extends Serializable {
    /** A new composer for one subtask. */
    Composer create() throws Exception;
}
