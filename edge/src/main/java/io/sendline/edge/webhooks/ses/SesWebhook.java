package io.sendline.edge.webhooks.ses;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.edge.webhooks.Webhooks;
import io.sendline.schemas.RelayEvent;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /webhooks/ses}: SES notifications delivered by SNS. Verifies the SNS signature,
 * accepts only the configured topics, confirms subscriptions, and publishes the normalised events
 * of each notification once (SNS MessageId dedupe).
 */
public final class SesWebhook {

    private static final Logger LOG = LoggerFactory.getLogger(SesWebhook.class);

    private final SnsSignatureVerifier verifier;
    private final SubscriptionConfirmer confirmer;
    private final SesEventMapper mapper;
    private final RelayEventSink sink;
    private final Set<String> topicArns;
    private final long maxBody;
    private final Clock clock;

    public SesWebhook(
            SnsSignatureVerifier verifier,
            SubscriptionConfirmer confirmer,
            SesEventMapper mapper,
            RelayEventSink sink,
            Set<String> topicArns,
            long maxBody,
            Clock clock) {
        this.verifier = verifier;
        this.confirmer = confirmer;
        this.mapper = mapper;
        this.sink = sink;
        this.topicArns = topicArns;
        this.maxBody = maxBody;
        this.clock = clock;
    }

    public Route route() {
        return new Route(
                "POST",
                "/webhooks/ses",
                Route.Access.PUBLIC,
                Route.Execution.WORKER,
                maxBody,
                this::handle);
    }

    CompletionStage<Response> handle(Call call) {
        // SNS posts JSON as text/plain: the content type is not checked.
        JsonNode root = JsonBodies.parse(call.body());
        if (!root.isObject()) {
            throw ApiException.invalid("body", "an SNS message is a JSON object");
        }
        SnsMessage m = SnsMessage.of(root);
        if (m.type() == null) {
            throw ApiException.invalid("Type", "not an SNS message");
        }
        // The topic first: messages from other topics never make the edge fetch a certificate.
        if (m.topicArn() == null || !topicArns.contains(m.topicArn())) {
            throw Webhooks.rejected("messages from this SNS topic are not accepted");
        }
        verifier.verify(m);
        switch (m.type()) {
            case SnsMessage.SUBSCRIPTION_CONFIRMATION -> {
                URI url = SnsUrls.subscribeUrl(m.subscribeUrl());
                if (url == null) {
                    throw Webhooks.rejected("SubscribeURL is not on sns.<region>.amazonaws.com");
                }
                try {
                    confirmer.confirm(url);
                } catch (IOException e) {
                    LOG.warn("Could not confirm the SNS subscription: {}", e.toString());
                    throw ApiException.unavailable("could not confirm the subscription");
                }
                LOG.info("Confirmed the SNS subscription to {}", m.topicArn());
                return CompletableFuture.completedFuture(Webhooks.ok(0));
            }
            case SnsMessage.UNSUBSCRIBE_CONFIRMATION -> {
                LOG.warn("SNS reports the edge was unsubscribed from {}", m.topicArn());
                return CompletableFuture.completedFuture(Webhooks.ok(0));
            }
            case SnsMessage.NOTIFICATION -> {
                JsonNode message;
                try {
                    message =
                            JsonBodies.parse(
                                    m.message().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (ApiException e) {
                    throw ApiException.invalid("Message", "the SNS Message is not SES JSON");
                }
                List<RelayEvent> events;
                try {
                    events = mapper.map(m.messageId(), message, clock.instant());
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("Message", e.getMessage());
                }
                return sink.publish(events).thenApply(Webhooks::ok);
            }
            default -> throw ApiException.invalid("Type", "unknown SNS message type");
        }
    }
}
