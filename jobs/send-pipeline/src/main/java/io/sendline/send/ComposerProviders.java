package io.sendline.send;

import io.sendline.send.render.ComposerProvider;

/** The production composer, configured from the {@code compose.*} options. */
final class ComposerProviders {

    private ComposerProviders() {}

    static ComposerProvider fromOptions(SendPipelineOptions options) {
        return () -> {
            throw new IllegalStateException("the default composer is not wired yet");
        };
    }
}
