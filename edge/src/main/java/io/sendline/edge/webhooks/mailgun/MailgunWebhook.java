package io.sendline.edge.webhooks.mailgun;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /webhooks/mailgun}: Mailgun's JSON webhooks ({@code signature} + {@code event-data}).
 */
public final class MailgunWebhook {

    private final MailgunSignatureVerifier verifier;
    private final MailgunEventMapper mapper;
    private final RelayEventSink sink;
    private final long maxBody;
    private final Clock clock;

    /**
     * @param verifier null when no signing key is configured: every call is refused
     */
    public MailgunWebhook(
            MailgunSignatureVerifier verifier,
            MailgunEventMapper mapper,
            RelayEventSink sink,
            long maxBody,
            Clock clock) {
        this.verifier = verifier;
        this.mapper = mapper;
        this.sink = sink;
        this.maxBody = maxBody;
        this.clock = clock;
    }

    public Route route() {
        return new Route(
                "POST",
                "/webhooks/mailgun",
                Route.Access.PUBLIC,
                Route.Execution.WORKER,
                maxBody,
                this::handle);
    }

    CompletionStage<Response> handle(Call call) {
        if (verifier == null) {
            throw Webhooks.rejected("the Mailgun webhook is not configured");
        }
        JsonNode root = JsonBodies.parse(call.body());
        JsonNode sig = root.path("signature");
        String token = Webhooks.text(sig, "token");
        verifier.verify(Webhooks.text(sig, "timestamp"), token, Webhooks.text(sig, "signature"));
        RelayEvent event;
        try {
            event = mapper.map(root.get("event-data"), clock.instant());
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("event-data", e.getMessage());
        }
        if (event == null) {
            return CompletableFuture.completedFuture(Webhooks.ok(0));
        }
        return sink.publish(List.of(event))
                .whenComplete(
                        (n, error) -> {
                            if (error != null) {
                                verifier.release(token);
                            }
                        })
                .thenApply(Webhooks::ok);
    }
}
