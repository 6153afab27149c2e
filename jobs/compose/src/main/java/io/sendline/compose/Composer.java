package io.sendline.compose;

/**
 * Turns a compiled template and one job's data into a complete, signed MIME message.
 *
 * <p>The API the send pipeline relies on; {@code ComposerConfig} configures tracking, unsubscribe
 * and DKIM. Expensive work (Pebble compile, CSS inlining, text derivation) happens once per
 * template version in {@link #compile}; {@link #compose} is the per-message hot path.
 */
public interface Composer {

    /**
     * Compiles one template version (subject, HTML, text) once; the result is immutable and
     * thread-safe.
     */
    CompiledTemplate compile(TemplateSource source) throws CompositionException;

    /** Renders, tracks and builds the MIME message of one recipient. */
    ComposedMessage compose(CompiledTemplate template, MessageSpec spec)
            throws CompositionException;
}
