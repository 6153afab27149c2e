package io.sendline.edge.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.edge.EdgeConfig;
import io.sendline.edge.db.SuppressionStore;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.kafka.EventPublisher;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.schemas.Topics;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The suppression API: add, list (paged by address), get, remove. Changes are stored in {@code
 * email_suppression} and published to the compacted {@code email.suppressions} topic, keyed by the
 * normalised address, before the commit. Only unsubscribes and manual entries may be removed:
 * removing a hard bounce or a complaint is refused with 409.
 */
public final class SuppressionsApi {

    static final int DEFAULT_PAGE = 100;
    static final int MAX_PAGE = 1000;

    private final EdgeConfig config;
    private final SuppressionStore store;
    private final EventPublisher publisher;
    private final Clock clock;

    public SuppressionsApi(
            EdgeConfig config, SuppressionStore store, EventPublisher publisher, Clock clock) {
        this.config = config;
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The routes of this API. */
    public List<Route> routes() {
        return List.of(
                new Route(
                        "POST",
                        "/v1/suppressions",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        64 * 1024,
                        this::add),
                Route.get(
                        "/v1/suppressions",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        this::list),
                Route.get(
                        "/v1/suppressions/{address}",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        this::get),
                new Route(
                        "DELETE",
                        "/v1/suppressions/{address}",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        0,
                        this::remove));
    }

    /** Wire shape of one entry. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EntryView(
            String address,
            SuppressionReason reason,
            String scope,
            String source,
            String jobId,
            Instant addedAt) {
        static EntryView of(SuppressionStore.Entry e) {
            return new EntryView(
                    e.address(), e.reason(), e.scope(), e.source(), e.jobId(), e.addedAt());
        }
    }

    /** One page of the list. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PageView(List<EntryView> items, String next) {}

    CompletionStage<Response> add(Call call) throws SQLException {
        JsonNode root = JsonBodies.parse(call);
        List<FieldError> errors = new ArrayList<>();
        if (!root.isObject()) {
            throw ApiException.invalid("body", "a JSON object is expected");
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("address") && !f.equals("reason")) {
                errors.add(new FieldError(f, "unknown field"));
            }
        }
        String address = null;
        if (!root.path("address").isTextual()) {
            errors.add(new FieldError("address", "required, a string"));
        } else {
            try {
                address = Addresses.normalise(root.get("address").textValue());
            } catch (InvalidAddressException e) {
                errors.add(new FieldError("address", e.getMessage()));
            }
        }
        SuppressionReason reason = SuppressionReason.MANUAL;
        JsonNode r = root.get("reason");
        if (r != null && !r.isNull()) {
            try {
                reason = SuppressionReason.valueOf(r.asText().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(
                        new FieldError(
                                "reason",
                                "must be one of MANUAL, UNSUBSCRIBE, HARD_BOUNCE, COMPLAINT,"
                                        + " SOFT_BOUNCE_LIMIT"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        SuppressionStore.Entry e =
                store.add(
                        address,
                        reason,
                        "api:" + call.apiKeyId(),
                        null,
                        clock.instant(),
                        entry -> publish(entry, SuppressionChange.Action.ADD, entry.source()));
        return CompletableFuture.completedFuture(Response.json(200, EntryView.of(e)));
    }

    CompletionStage<Response> list(Call call) throws SQLException {
        int limit = DEFAULT_PAGE;
        String l = call.query("limit");
        if (l != null) {
            try {
                limit = Integer.parseInt(l);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_PAGE) {
                throw ApiException.invalid("limit", "must be 1.." + MAX_PAGE);
            }
        }
        SuppressionReason reason = null;
        String rq = call.query("reason");
        if (rq != null) {
            try {
                reason = SuppressionReason.valueOf(rq.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("reason", "unknown reason");
            }
        }
        String after = call.query("after");
        SuppressionStore.Page page = store.list(after, limit, reason);
        return CompletableFuture.completedFuture(
                Response.json(
                        200,
                        new PageView(
                                page.entries().stream().map(EntryView::of).toList(), page.next())));
    }

    CompletionStage<Response> get(Call call) throws SQLException {
        String address = pathAddress(call);
        SuppressionStore.Entry e =
                store.get(address)
                        .orElseThrow(() -> ApiException.notFound("address is not suppressed"));
        return CompletableFuture.completedFuture(Response.json(200, EntryView.of(e)));
    }

    CompletionStage<Response> remove(Call call) throws SQLException {
        String address = pathAddress(call);
        SuppressionStore.Removal result =
                store.remove(
                        address,
                        entry ->
                                publish(
                                        entry,
                                        SuppressionChange.Action.REMOVE,
                                        "api:" + call.apiKeyId()));
        return switch (result) {
            case REMOVED -> CompletableFuture.completedFuture(Response.empty(204));
            case NOT_FOUND -> throw ApiException.notFound("address is not suppressed");
            case NOT_REMOVABLE ->
                    throw ApiException.conflict(
                            "hard bounces and complaints are never removed from the suppression list");
        };
    }

    private static String pathAddress(Call call) {
        try {
            return Addresses.normalise(call.param("address"));
        } catch (InvalidAddressException e) {
            throw ApiException.invalid("address", e.getMessage());
        }
    }

    private void publish(SuppressionStore.Entry e, SuppressionChange.Action action, String source) {
        SuppressionChange change =
                new SuppressionChange(
                        e.address(), action, e.reason(), source, e.jobId(), clock.instant());
        try {
            publisher.send(Topics.SUPPRESSIONS, e.address(), change).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException ex) {
            throw ex.getCause() instanceof ApiException a
                    ? a
                    : ApiException.unavailable("the broker did not accept the change");
        } catch (TimeoutException ex) {
            throw ApiException.unavailable("the broker did not acknowledge the change in time");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
    }
}
