package io.sendline.edge.api;

import io.sendline.compose.Composer;
import io.sendline.compose.CompositionException;
import io.sendline.compose.TemplateSource;
import java.util.Optional;

/**
 * Checks that a template version compiles before it is stored, so that a broken template is refused
 * at the API (400) instead of failing every email at send time. The edge compiles with the same
 * composition library the send pipeline uses ({@link #of(Composer)}).
 */
@FunctionalInterface
public interface TemplateValidator {

    /** What is wrong with the template, or empty when it compiles. */
    Optional<String> problem(TemplateSource source);

    /** Validation by {@link Composer#compile}: exactly what the send pipeline will do. */
    static TemplateValidator of(Composer composer) {
        return source -> {
            try {
                composer.compile(source);
                return Optional.empty();
            } catch (CompositionException e) {
                return Optional.of(e.getMessage());
            } catch (RuntimeException e) {
                return Optional.of("template does not compile: " + e.getMessage());
            }
        };
    }
}
