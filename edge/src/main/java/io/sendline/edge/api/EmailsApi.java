package io.sendline.edge.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.EdgeConfig;
import io.sendline.edge.db.AcceptWriter;
import io.sendline.edge.db.AcceptWriter.Acceptance;
import io.sendline.edge.db.AcceptWriter.AttachmentRow;
import io.sendline.edge.db.JobQueries;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.kafka.EventPublisher;
import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.Json;
import io.sendline.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The email API: submit one email or a batch (one job per recipient), read an email's status and
 * events, cancel a scheduled email.
 *
 * <p>Accepting is: validate → record the jobs (status QUEUED) and the Idempotency-Key in PostgreSQL
 * (group-committed by {@link AcceptWriter}) → publish each job to its topic → answer 202 once the
 * broker acknowledged every job. Nothing holds a thread while waiting.
 */
public final class EmailsApi {

    static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    /** Up to this many jobs are published on the thread that recorded them. */
    static final int INLINE_PUBLISH_JOBS = 50;

    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[!-~]{1,255}");

    private final EdgeConfig config;
    private final EmailRequestParser parser;
    private final AcceptWriter writer;
    private final JobQueries jobs;
    private final EventPublisher publisher;
    private final Executor workers;
    private final Clock clock;

    public EmailsApi(
            EdgeConfig config,
            EmailRequestParser parser,
            AcceptWriter writer,
            JobQueries jobs,
            EventPublisher publisher,
            Executor workers,
            Clock clock) {
        this.config = config;
        this.parser = parser;
        this.writer = writer;
        this.jobs = jobs;
        this.publisher = publisher;
        this.workers = workers;
        this.clock = clock;
    }

    /** The routes of this API. */
    public List<Route> routes() {
        long body = config.limits().maxBodyBytes();
        return List.of(
                new Route(
                        "POST",
                        "/v1/emails",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        body,
                        this::send),
                new Route(
                        "POST",
                        "/v1/emails/batch",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        config.limits().maxBatchBodyBytes(),
                        this::batch),
                Route.get(
                        "/v1/emails/{id}", Route.Access.API_KEY, Route.Execution.WORKER, this::get),
                new Route(
                        "POST",
                        "/v1/emails/{id}/cancel",
                        Route.Access.API_KEY,
                        Route.Execution.WORKER,
                        1024,
                        this::cancel));
    }

    /** Wire shape of one accepted job. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record JobView(String id, String to, String status, Instant scheduledAt) {}

    /** Response of {@code POST /v1/emails}. */
    public record SendResponse(List<JobView> jobs) {}

    /** One result of a batch. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record BatchResult(
            int index, boolean accepted, List<JobView> jobs, List<FieldError> errors) {}

    /** Response of {@code POST /v1/emails/batch}. */
    public record BatchResponse(int accepted, int rejected, List<BatchResult> results) {}

    CompletionStage<Response> send(Call call) {
        JsonNode root = JsonBodies.parse(call);
        String key = idempotencyKey(call);
        EmailRequestParser.ParsedEmail email = parser.parse(root, "");
        String response = Json.toString(new SendResponse(views(email.jobs())));
        return accept(call, key, email.jobs(), email.attachments(), 202, response);
    }

    CompletionStage<Response> batch(Call call) {
        JsonNode root = JsonBodies.parse(call);
        String key = idempotencyKey(call);
        if (!root.isObject() || !root.path("emails").isArray()) {
            throw ApiException.invalid("emails", "the body must be {\"emails\": [ ... ]}");
        }
        JsonNode emails = root.get("emails");
        if (emails.isEmpty()) {
            throw ApiException.invalid("emails", "at least one email is required");
        }
        if (emails.size() > config.limits().maxBatchEmails()) {
            throw ApiException.invalid(
                    "emails", "at most " + config.limits().maxBatchEmails() + " emails per batch");
        }
        List<EmailJob> all = new ArrayList<>();
        List<AttachmentRow> attachments = new ArrayList<>();
        List<BatchResult> results = new ArrayList<>(emails.size());
        int accepted = 0;
        for (int i = 0; i < emails.size(); i++) {
            try {
                EmailRequestParser.ParsedEmail e =
                        parser.parse(emails.get(i), "emails[" + i + "].");
                all.addAll(e.jobs());
                attachments.addAll(e.attachments());
                results.add(new BatchResult(i, true, views(e.jobs()), null));
                accepted++;
            } catch (ApiException e) {
                if (e.status() != 400) {
                    throw e;
                }
                results.add(new BatchResult(i, false, null, e.errors()));
            }
        }
        String response =
                Json.toString(new BatchResponse(accepted, emails.size() - accepted, results));
        if (all.isEmpty() && key == null) {
            return CompletableFuture.completedFuture(
                    Response.of(200, Response.JSON, response.getBytes(StandardCharsets.UTF_8)));
        }
        return accept(call, key, all, attachments, 200, response);
    }

    private CompletionStage<Response> accept(
            Call call,
            String key,
            List<EmailJob> jobList,
            List<AttachmentRow> attachments,
            int status,
            String response) {
        Acceptance a =
                new Acceptance(
                        call.apiKeyId(),
                        key,
                        key == null ? null : requestHash(call),
                        jobList,
                        attachments,
                        status,
                        response);
        // Publishing a large acceptance (serialising every job) runs on a worker, not on the
        // writer thread that completed the future, so the writer goes straight back to committing
        // the next group; a few jobs are cheaper to publish in place than to hand over.
        java.util.concurrent.Executor publishOn =
                jobList.size() > INLINE_PUBLISH_JOBS ? this::onWorker : Runnable::run;
        return writer.submit(a)
                .thenComposeAsync(
                        outcome -> {
                            if (outcome instanceof AcceptWriter.Replay r) {
                                return CompletableFuture.completedFuture(
                                        Response.of(
                                                        r.statusCode(),
                                                        Response.JSON,
                                                        r.responseJson()
                                                                .getBytes(StandardCharsets.UTF_8))
                                                .withHeader("Idempotent-Replayed", "true"));
                            }
                            if (outcome instanceof AcceptWriter.Conflict) {
                                throw new ApiException(
                                        409,
                                        "idempotency_conflict",
                                        "this Idempotency-Key was used with a different request");
                            }
                            return publish(a)
                                    .thenApply(
                                            v ->
                                                    Response.of(
                                                            status,
                                                            Response.JSON,
                                                            response.getBytes(
                                                                    StandardCharsets.UTF_8)));
                        },
                        publishOn);
    }

    /** Runs on a worker, or on the calling thread when the workers' queue is full. */
    private void onWorker(Runnable r) {
        try {
            workers.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.run();
        }
    }

    /** Publishes every job; on any failure, marks the unpublished ones and answers 503. */
    private CompletableFuture<Void> publish(Acceptance a) {
        List<EmailJob> list = a.jobs();
        if (list.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> acks = new ArrayList<>(list.size());
        for (EmailJob j : list) {
            acks.add(
                    publisher.send(
                            j.type() == EmailType.MARKETING
                                    ? Topics.JOBS_MARKETING
                                    : Topics.JOBS_TRANSACTIONAL,
                            j.jobId(),
                            j));
        }
        CompletableFuture<Void> all =
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));
        return all.handle(
                        (v, error) -> {
                            if (error == null) {
                                return CompletableFuture.<Void>completedFuture(null);
                            }
                            List<String> failed = new ArrayList<>();
                            for (int i = 0; i < list.size(); i++) {
                                if (acks.get(i).isCompletedExceptionally()) {
                                    failed.add(list.get(i).jobId());
                                }
                            }
                            boolean nothing = failed.size() == list.size();
                            return CompletableFuture.runAsync(
                                            () -> writer.abandon(a, failed, nothing), workers)
                                    .<Void>thenApply(
                                            x -> {
                                                throw ApiException.unavailable(
                                                        "the broker did not accept the email; retry"
                                                                + " with the same Idempotency-Key");
                                            });
                        })
                .thenCompose(f -> f);
    }

    CompletionStage<Response> get(Call call) throws SQLException {
        String id = call.param("id");
        if (!JOB_ID.matcher(id).matches()) {
            throw ApiException.notFound("no such email");
        }
        JobQueries.JobRecord job =
                jobs.job(id).orElseThrow(() -> ApiException.notFound("no such email"));
        List<JobQueries.EventRecord> events = jobs.events(id);
        return CompletableFuture.completedFuture(Response.json(200, new EmailView(job, events)));
    }

    /** Wire shape of {@code GET /v1/emails/{id}}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EmailView(
            String id,
            String status,
            String type,
            String pool,
            String to,
            String from,
            String templateId,
            Integer templateVersion,
            String campaignId,
            String providerMessageId,
            Instant scheduledAt,
            Instant createdAt,
            Instant sentAt,
            Instant updatedAt,
            JsonNode tags,
            JsonNode metadata,
            String reason,
            int attempt,
            List<JobQueries.EventRecord> events) {
        EmailView(JobQueries.JobRecord j, List<JobQueries.EventRecord> events) {
            this(
                    j.jobId(),
                    j.status(),
                    j.type(),
                    j.pool(),
                    j.to(),
                    j.from(),
                    j.templateId(),
                    j.templateVersion(),
                    j.campaignId(),
                    j.providerMessageId(),
                    j.scheduledAt(),
                    j.createdAt(),
                    j.sentAt(),
                    j.updatedAt(),
                    j.tags(),
                    j.metadata(),
                    j.lastReason(),
                    j.attempt(),
                    events);
        }
    }

    /** Response of the cancel call. */
    public record CancelResponse(String id, String status) {}

    CompletionStage<Response> cancel(Call call) throws SQLException {
        String id = call.param("id");
        if (!JOB_ID.matcher(id).matches()) {
            throw ApiException.notFound("no such email");
        }
        JobQueries.JobRecord job =
                jobs.job(id).orElseThrow(() -> ApiException.notFound("no such email"));
        EmailEventType status = EmailEventType.valueOf(job.status());
        if (status == EmailEventType.CANCELLED) {
            return CompletableFuture.completedFuture(
                    Response.json(200, new CancelResponse(id, "CANCELLED")));
        }
        if (status.rank() >= EmailEventType.SENT.rank()) {
            throw ApiException.conflict("the email can no longer be cancelled: it is " + status);
        }
        Instant now = clock.instant();
        if (job.scheduledAt() == null || !job.scheduledAt().isAfter(now)) {
            throw ApiException.conflict(
                    "only a scheduled email can be cancelled; this one is being sent");
        }
        return publisher
                .send(Topics.JOBS_CANCELLATIONS, id, new CancelRequest(id, now))
                .thenApply(v -> Response.json(202, new CancelResponse(id, "CANCEL_REQUESTED")));
    }

    private static List<JobView> views(List<EmailJob> list) {
        List<JobView> out = new ArrayList<>(list.size());
        for (EmailJob j : list) {
            out.add(new JobView(j.jobId(), j.to(), EmailEventType.QUEUED.name(), j.scheduledAt()));
        }
        return out;
    }

    private static String idempotencyKey(Call call) {
        String key = call.header("Idempotency-Key");
        if (key == null) {
            return null;
        }
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiException.invalid(
                    "Idempotency-Key", "must be 1-255 printable ASCII characters without spaces");
        }
        return key;
    }

    /** SHA-256 of the route and the exact body: "the same request" for Idempotency-Key. */
    static String requestHash(Call call) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update((call.method() + " " + call.path() + "\n").getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md.digest(call.body()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
