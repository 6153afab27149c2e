package io.sendline.edge.http;

import java.util.Objects;

/**
 * One route of the edge: method, path template ({@code /v1/emails/{id}}, a parameter may carry a
 * literal suffix as in {@code {sig}.gif}), who may call it, where it runs and how big its body may
 * be. The list of routes is the source of truth that the OpenAPI document is checked against.
 *
 * @param method HTTP method
 * @param template path template
 * @param access whether an API key is required
 * @param execution IO thread (never blocks) or worker thread (may block on JDBC)
 * @param maxBodyBytes largest accepted body; 0 for routes that take no body
 * @param endpoint the code
 */
public record Route(
        String method,
        String template,
        Access access,
        Execution execution,
        long maxBodyBytes,
        Endpoint endpoint) {

    /** Who may call a route. */
    public enum Access {
        PUBLIC,
        API_KEY
    }

    /** Where a route's code runs. */
    public enum Execution {
        /** On the IO thread: for short, non-blocking work (tracking hot path). */
        IO_THREAD,
        /** On a worker thread: for work that may block (JDBC, certificate fetch). */
        WORKER
    }

    public Route {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(template, "template");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(execution, "execution");
        Objects.requireNonNull(endpoint, "endpoint");
        if (!template.startsWith("/")) {
            throw new IllegalArgumentException("template must start with /: " + template);
        }
    }

    /** A route that takes no request body. */
    public static Route get(String template, Access access, Execution execution, Endpoint e) {
        return new Route("GET", template, access, execution, 0, e);
    }
}
