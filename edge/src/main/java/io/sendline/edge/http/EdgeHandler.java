package io.sendline.edge.http;

import io.sendline.edge.auth.ApiKeys;
import io.undertow.io.Receiver;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.SameThreadExecutor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root Undertow handler: routes, authenticates, reads the body (asynchronously, with a size
 * limit), runs the endpoint on the IO thread or a worker, and writes its answer whenever its stage
 * completes, from whichever thread completes it. No thread waits for the broker or the database on
 * the way.
 */
public final class EdgeHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(EdgeHandler.class);
    private static final HttpString WWW_AUTHENTICATE = Headers.WWW_AUTHENTICATE;
    private static final HttpString NOSNIFF = HttpString.tryFromString("X-Content-Type-Options");

    private final Router router;
    private final ApiKeys apiKeys;
    private final Executor workers;
    private final boolean trustForwardedFor;

    public EdgeHandler(
            Router router, ApiKeys apiKeys, Executor workers, boolean trustForwardedFor) {
        this.router = router;
        this.apiKeys = apiKeys;
        this.workers = workers;
        this.trustForwardedFor = trustForwardedFor;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) {
        String method = exchange.getRequestMethod().toString();
        Router.Match match = router.match(method, exchange.getRelativePath());
        Route route = match.route();
        if (route == null) {
            if (match.allowedMethods().isEmpty()) {
                write(exchange, ApiException.notFound("no such resource").toResponse());
            } else {
                Response r =
                        new ApiException(405, "method_not_allowed", "method not allowed")
                                .toResponse()
                                .withHeader("Allow", String.join(", ", match.allowedMethods()));
                write(exchange, r);
            }
            return;
        }
        String keyId = null;
        if (route.access() == Route.Access.API_KEY) {
            Optional<String> id =
                    apiKeys.authenticate(
                            exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION));
            if (id.isEmpty()) {
                write(
                        exchange,
                        new ApiException(
                                        401,
                                        "unauthorized",
                                        "a valid API key is required: Authorization: Bearer <key>")
                                .toResponse()
                                .withHeader(WWW_AUTHENTICATE.toString(), "Bearer"));
                return;
            }
            keyId = id.get();
        }
        Map<String, String> params = match.params();
        if (route.maxBodyBytes() <= 0) {
            run(exchange, route, new Call(exchange, params, null, keyId, trustForwardedFor));
            return;
        }
        long length = exchange.getRequestContentLength();
        long drainCap = drainCap(route);
        if (length > drainCap) {
            tooLarge(exchange, route);
            return;
        }
        // The receiver enforces the route's limit; the entity limit is the larger drain cap, so an
        // over-limit body can be read and thrown away and the client sees the 413 (a client still
        // sending when the connection closes sees only a reset).
        exchange.setMaxEntitySize(drainCap);
        if (length > route.maxBodyBytes()) {
            drainThenTooLarge(exchange, route);
            return;
        }
        String apiKeyId = keyId;
        // Not receiveFullBytes: Undertow copies that one byte by byte into a synchronized
        // ByteArrayOutputStream, which was a third of the CPU of a 500-email batch call.
        exchange.getRequestReceiver()
                .receivePartialBytes(
                        new BodyCollector(
                                route,
                                length,
                                body ->
                                        new Call(
                                                exchange,
                                                params,
                                                body,
                                                apiKeyId,
                                                trustForwardedFor)),
                        (ex, error) -> bodyFailed(ex, route, error));
    }

    /**
     * Collects the chunks of a body into one array (sized by Content-Length when there is one) with
     * bulk copies; over the route's limit it keeps reading but drops the bytes, then answers 413,
     * so the client reads the answer instead of a reset.
     */
    private final class BodyCollector implements Receiver.PartialBytesCallback {
        private final Route route;
        private final java.util.function.Function<byte[], Call> call;
        private byte[] buf;
        private int len;
        private boolean over;

        BodyCollector(
                Route route, long contentLength, java.util.function.Function<byte[], Call> call) {
            this.route = route;
            this.call = call;
            this.buf = new byte[contentLength >= 0 ? (int) contentLength : 8192];
        }

        @Override
        public void handle(HttpServerExchange ex, byte[] data, boolean last) {
            if (!over) {
                if ((long) len + data.length > route.maxBodyBytes()) {
                    over = true;
                    buf = null;
                } else {
                    if (len + data.length > buf.length) {
                        buf =
                                java.util.Arrays.copyOf(
                                        buf,
                                        (int)
                                                Math.min(
                                                        route.maxBodyBytes(),
                                                        Math.max(
                                                                (long) buf.length * 2,
                                                                (long) len + data.length)));
                    }
                    System.arraycopy(data, 0, buf, len, data.length);
                    len += data.length;
                }
            }
            if (last) {
                if (over) {
                    tooLarge(ex, route);
                } else {
                    run(
                            ex,
                            route,
                            call.apply(
                                    len == buf.length ? buf : java.util.Arrays.copyOf(buf, len)));
                }
            }
        }
    }

    private static long drainCap(Route route) {
        return route.maxBodyBytes() * 2 + (1 << 20);
    }

    private static void drainThenTooLarge(HttpServerExchange exchange, Route route) {
        exchange.getRequestReceiver()
                .receivePartialBytes(
                        (ex, data, last) -> {
                            if (last) {
                                tooLarge(ex, route);
                            }
                        },
                        (ex, error) -> tooLarge(ex, route));
    }

    private void bodyFailed(HttpServerExchange exchange, Route route, IOException error) {
        if (error instanceof Receiver.RequestToLargeException) {
            drainThenTooLarge(exchange, route);
        } else if (error instanceof io.undertow.server.RequestTooBigException) {
            tooLarge(exchange, route);
        } else {
            LOG.debug("Reading the request body failed: {}", error.toString());
            exchange.setPersistent(false);
            write(
                    exchange,
                    new ApiException(400, "bad_request", "could not read the request body")
                            .toResponse());
        }
    }

    private static void tooLarge(HttpServerExchange exchange, Route route) {
        // The rest of the body is not read: close the connection after answering.
        exchange.setPersistent(false);
        write(
                exchange,
                new ApiException(
                                413,
                                "payload_too_large",
                                "the request body is larger than "
                                        + route.maxBodyBytes()
                                        + " bytes")
                        .toResponse());
    }

    /**
     * Runs the endpoint; always called "in call" (from the root handler or a receiver callback).
     */
    private void run(HttpServerExchange exchange, Route route, Call call) {
        if (route.execution() == Route.Execution.IO_THREAD) {
            CompletableFuture<Response> f = invoke(route, call);
            if (f.isDone()) {
                complete(exchange, f);
            } else {
                exchange.dispatch(
                        SameThreadExecutor.INSTANCE,
                        () -> f.whenComplete((r, e) -> complete(exchange, f)));
            }
            return;
        }
        exchange.dispatch(
                SameThreadExecutor.INSTANCE,
                () -> {
                    try {
                        workers.execute(
                                () -> {
                                    CompletableFuture<Response> f = invoke(route, call);
                                    f.whenComplete((r, e) -> complete(exchange, f));
                                });
                    } catch (RejectedExecutionException e) {
                        write(
                                exchange,
                                ApiException.unavailable("the edge is overloaded").toResponse());
                    }
                });
    }

    private static CompletableFuture<Response> invoke(Route route, Call call) {
        try {
            CompletionStage<Response> stage = route.endpoint().handle(call);
            return stage.toCompletableFuture();
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private static void complete(HttpServerExchange exchange, CompletableFuture<Response> f) {
        Response response;
        try {
            response = f.join();
        } catch (CompletionException e) {
            response = errorResponse(exchange, e.getCause());
        } catch (RuntimeException e) {
            response = errorResponse(exchange, e);
        }
        write(exchange, response);
    }

    private static Response errorResponse(HttpServerExchange exchange, Throwable t) {
        if (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof ApiException api) {
            return api.toResponse();
        }
        LOG.error(
                "Unhandled error on {} {}",
                exchange.getRequestMethod(),
                exchange.getRelativePath().length() > 80
                        ? "(long path)"
                        : exchange.getRelativePath(),
                t);
        return new ApiException(500, "internal_error", "internal error").toResponse();
    }

    /** Writes a response and ends the exchange; safe from any thread once the call has returned. */
    static void write(HttpServerExchange exchange, Response response) {
        if (exchange.isResponseStarted()) {
            return;
        }
        exchange.setStatusCode(response.status());
        var headers = exchange.getResponseHeaders();
        if (response.contentType() != null) {
            headers.put(Headers.CONTENT_TYPE, response.contentType());
        }
        headers.put(NOSNIFF, "nosniff");
        for (Map.Entry<String, String> h : response.headers().entrySet()) {
            headers.put(HttpString.tryFromString(h.getKey()), h.getValue());
        }
        byte[] body = response.body();
        headers.put(Headers.CONTENT_LENGTH, body.length);
        if (body.length == 0) {
            exchange.endExchange();
        } else {
            exchange.getResponseSender().send(ByteBuffer.wrap(body));
        }
    }
}
