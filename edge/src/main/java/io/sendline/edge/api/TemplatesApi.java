package io.sendline.edge.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.compose.TemplateSource;
import io.sendline.edge.EdgeConfig;
import io.sendline.edge.db.TemplateStore;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.kafka.EventPublisher;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.Topics;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The template API. A template is validated by compiling it, stored as a new immutable version when
 * its content changed, and published to the compacted topic {@code email.templates} keyed {@code
 * templateId:version} (before the database commit, so the send pipeline can render every version
 * the API ever reported).
 */
public final class TemplatesApi {

    private static final Pattern TEMPLATE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Set<String> FIELDS =
            Set.of("templateId", "name", "subject", "html", "text");

    private final EdgeConfig config;
    private final TemplateStore store;
    private final TemplateCatalog catalog;
    private final TemplateValidator validator;
    private final EventPublisher publisher;
    private final Clock clock;

    public TemplatesApi(
            EdgeConfig config,
            TemplateStore store,
            TemplateCatalog catalog,
            TemplateValidator validator,
            EventPublisher publisher,
            Clock clock) {
        this.config = config;
        this.store = store;
        this.catalog = catalog;
        this.validator = validator;
        this.publisher = publisher;
        this.clock = clock;
    }

    /** The routes of this API. */
    public List<Route> routes() {
        long body = config.limits().maxBodyBytes();
        return List.of(
                new Route(
                        "POST",
                        "/v1/templates",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        body,
                        this::create),
                new Route(
                        "PUT",
                        "/v1/templates/{templateId}",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        body,
                        this::put),
                Route.get(
                        "/v1/templates/{templateId}",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        this::latest),
                Route.get(
                        "/v1/templates/{templateId}/versions/{version}",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        this::version));
    }

    CompletionStage<Response> create(Call call) throws SQLException {
        JsonNode root = JsonBodies.parse(call);
        String id = root.path("templateId").isTextual() ? root.get("templateId").textValue() : null;
        EmailTemplate draft = draft(root, id, true);
        try {
            TemplateStore.Saved saved = store.save(draft, true, false, this::publish);
            catalog.learn(saved.template().templateId(), saved.template().version());
            return done(Response.json(201, saved.template()));
        } catch (TemplateStore.AlreadyExists e) {
            throw ApiException.conflict(
                    "template "
                            + id
                            + " exists; PUT /v1/templates/"
                            + id
                            + " stores a new version");
        } catch (TemplateStore.Missing e) {
            throw new IllegalStateException(e);
        }
    }

    CompletionStage<Response> put(Call call) throws SQLException {
        String id = call.param("templateId");
        JsonNode root = JsonBodies.parse(call);
        if (root.has("templateId")
                && !(root.get("templateId").isTextual()
                        && id.equals(root.get("templateId").textValue()))) {
            throw ApiException.invalid("templateId", "differs from the templateId in the path");
        }
        EmailTemplate draft = draft(root, id, false);
        try {
            TemplateStore.Saved saved = store.save(draft, false, false, this::publish);
            catalog.learn(saved.template().templateId(), saved.template().version());
            return done(Response.json(saved.created() ? 201 : 200, saved.template()));
        } catch (TemplateStore.AlreadyExists | TemplateStore.Missing e) {
            throw new IllegalStateException(e);
        }
    }

    CompletionStage<Response> latest(Call call) throws SQLException {
        String id = call.param("templateId");
        if (!TEMPLATE_ID.matcher(id).matches()) {
            throw ApiException.notFound("no such template");
        }
        Optional<EmailTemplate> t = store.latest(id);
        return done(
                Response.json(200, t.orElseThrow(() -> ApiException.notFound("no such template"))));
    }

    CompletionStage<Response> version(Call call) throws SQLException {
        String id = call.param("templateId");
        int v;
        try {
            v = Integer.parseInt(call.param("version"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no such template version");
        }
        if (!TEMPLATE_ID.matcher(id).matches() || v < 1) {
            throw ApiException.notFound("no such template version");
        }
        Optional<EmailTemplate> t = store.version(id, v);
        return done(
                Response.json(
                        200,
                        t.orElseThrow(() -> ApiException.notFound("no such template version"))));
    }

    private EmailTemplate draft(JsonNode root, String id, boolean idFromBody) {
        if (!root.isObject()) {
            throw ApiException.invalid("body", "a JSON object is expected");
        }
        List<FieldError> errors = new ArrayList<>();
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                errors.add(new FieldError(f, "unknown field"));
            }
        }
        if (id == null || !TEMPLATE_ID.matcher(id).matches()) {
            if (!idFromBody) {
                throw ApiException.notFound("no such template");
            }
            errors.add(
                    new FieldError("templateId", "required, must match [a-z0-9][a-z0-9._-]{0,63}"));
        }
        String name = string(root, "name", 256, false, errors);
        String subject = string(root, "subject", EmailRequestParser.MAX_SUBJECT, true, errors);
        String html = string(root, "html", EmailRequestParser.MAX_HTML, true, errors);
        String text = string(root, "text", EmailRequestParser.MAX_TEXT, false, errors);
        if (subject != null && (subject.indexOf('\n') >= 0 || subject.indexOf('\r') >= 0)) {
            errors.add(new FieldError("subject", "must not contain CR or LF"));
        }
        if (errors.isEmpty()) {
            Optional<String> problem =
                    validator.problem(new TemplateSource(id, 1, subject, html, text));
            problem.ifPresent(
                    p -> errors.add(new FieldError("template", "does not compile: " + p)));
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
        return new EmailTemplate(id, 0, name, subject, html, text, clock.instant());
    }

    private static String string(
            JsonNode root, String field, int max, boolean required, List<FieldError> errors) {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            if (required) {
                errors.add(new FieldError(field, "required"));
            }
            return null;
        }
        if (!n.isTextual()) {
            errors.add(new FieldError(field, "must be a string"));
            return null;
        }
        if (n.textValue().length() > max) {
            errors.add(new FieldError(field, "longer than " + max + " characters"));
            return null;
        }
        if (required && n.textValue().isBlank()) {
            errors.add(new FieldError(field, "must not be blank"));
            return null;
        }
        return n.textValue();
    }

    /** Publishes inside the store's transaction and waits for the broker (worker thread). */
    private Void publish(EmailTemplate t) {
        try {
            publisher.send(Topics.TEMPLATES, t.key(), t).get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ApiException a
                    ? a
                    : ApiException.unavailable("the broker did not accept the template");
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the broker did not acknowledge the template in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
    }

    private static CompletionStage<Response> done(Response r) {
        return CompletableFuture.completedFuture(r);
    }
}
