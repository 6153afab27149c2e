package io.sendline.edge.api;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.loader.StringLoader;
import io.sendline.compose.TemplateSource;
import java.util.Optional;

/**
 * Compiles each part of a template with Pebble (the composition library's engine) without rendering
 * it. Used when no {@code Composer} is given to the edge.
 */
public final class PebbleTemplateValidator implements TemplateValidator {

    private final PebbleEngine engine =
            new PebbleEngine.Builder()
                    .loader(new StringLoader())
                    .cacheActive(false)
                    .strictVariables(true)
                    .build();

    @Override
    public Optional<String> problem(TemplateSource source) {
        String[][] parts = {
            {"subject", source.subject()}, {"html", source.html()}, {"text", source.text()}
        };
        for (String[] part : parts) {
            if (part[1] == null) {
                continue;
            }
            try {
                engine.getLiteralTemplate(part[1]);
            } catch (PebbleException e) {
                return Optional.of(part[0] + ": " + describe(e));
            } catch (RuntimeException e) {
                return Optional.of(part[0] + ": does not compile");
            }
        }
        return Optional.empty();
    }

    private static String describe(PebbleException e) {
        String m = e.getPebbleMessage() != null ? e.getPebbleMessage() : e.getMessage();
        return e.getLineNumber() != null ? m + " (line " + e.getLineNumber() + ")" : m;
    }
}
