package io.sendline.compose;

/**
 * One template version compiled once: Pebble templates for subject, HTML (CSS already inlined) and
 * text (given or derived). Immutable and safe to share between threads.
 */
public interface CompiledTemplate {
    String templateId();

    int version();
}
