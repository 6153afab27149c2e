package io.sendline.edge.webhooks.sendgrid;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.edge.webhooks.Webhooks;
import java.time.Clock;
import java.util.concurrent.CompletionStage;

/** {@code POST /webhooks/sendgrid}: SendGrid's signed Event Webhook. */
public final class SendGridWebhook {

    private final SendGridSignatureVerifier verifier;
    private final SendGridEventMapper mapper;
    private final RelayEventSink sink;
    private final long maxBody;
    private final Clock clock;

    /**
     * @param verifier null when no verification key is configured: every call is refused
     */
    public SendGridWebhook(
            SendGridSignatureVerifier verifier,
            SendGridEventMapper mapper,
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
                "/webhooks/sendgrid",
                Route.Access.PUBLIC,
                Route.Execution.WORKER,
                maxBody,
                this::handle);
    }

    CompletionStage<Response> handle(Call call) {
        if (verifier == null) {
            throw Webhooks.rejected("the SendGrid webhook is not configured");
        }
        // Verify over the raw bytes before parsing anything.
        verifier.verify(
                call.header(SendGridSignatureVerifier.SIGNATURE_HEADER),
                call.header(SendGridSignatureVerifier.TIMESTAMP_HEADER),
                call.body());
        JsonNode root = JsonBodies.parse(call.body());
        try {
            return sink.publish(mapper.map(root, clock.instant())).thenApply(Webhooks::ok);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("body", e.getMessage());
        }
    }
}
