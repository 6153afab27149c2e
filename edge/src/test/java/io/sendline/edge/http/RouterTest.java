package io.sendline.edge.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RouterTest {

    static final Endpoint E = c -> CompletableFuture.completedFuture(Response.empty(200));
    final Router router = new Router();

    RouterTest() {
        router.add(
                Route.get(
                        "/o/{jobId}/{sig}.gif", Route.Access.PUBLIC, Route.Execution.IO_THREAD, E));
        router.add(Route.get("/v1/emails/{id}", Route.Access.API_KEY, Route.Execution.WORKER, E));
        router.add(
                new Route(
                        "POST",
                        "/v1/emails/{id}/cancel",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        10,
                        E));
        router.add(
                new Route(
                        "POST", "/v1/emails", Route.Access.API_KEY, Route.Execution.WORKER, 10, E));
    }

    @Test
    void matchesParametersAndSuffixes() {
        Router.Match m = router.match("GET", "/o/job-1/abc.gif");
        assertThat(m.route().template()).isEqualTo("/o/{jobId}/{sig}.gif");
        assertThat(m.params()).containsEntry("jobId", "job-1").containsEntry("sig", "abc");
        assertThat(router.match("GET", "/o/job-1/.gif").route()).isNull();
        assertThat(router.match("GET", "/o/job-1/abc.png").route()).isNull();
        assertThat(router.match("GET", "/o//abc.gif").route()).isNull();
        assertThat(router.match("POST", "/v1/emails/x/cancel").params()).containsEntry("id", "x");
    }

    @Test
    void tellsMethodNotAllowedFromNotFound() {
        assertThat(router.match("DELETE", "/v1/emails/x").allowedMethods()).containsExactly("GET");
        assertThat(router.match("GET", "/v1/nothing").allowedMethods()).isEmpty();
        assertThat(router.match("GET", "/v1/emails").allowedMethods()).containsExactly("POST");
    }

    @Test
    void refusesDuplicateRoutes() {
        assertThatThrownBy(
                        () ->
                                router.add(
                                        Route.get(
                                                "/v1/emails/{id}",
                                                Route.Access.API_KEY,
                                                Route.Execution.WORKER,
                                                E)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
