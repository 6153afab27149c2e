package io.sendline.edge.http;

import java.util.concurrent.CompletionStage;

/**
 * The code behind one route. It returns a stage so that it can answer when the broker or the
 * database has answered, without holding a thread; throwing {@link ApiException} (directly or
 * through the stage) answers with that error.
 */
@FunctionalInterface
public interface Endpoint {
    CompletionStage<Response> handle(Call call) throws Exception;
}
