package io.sendline.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local stack on free ports: Flink's REST API lists every job of the build as running, the edge
 * answers, and an email posted to the API reaches the sandbox relay once and is SENT in PostgreSQL
 * (the time it took is logged, not asserted: speed belongs in benchmarks).
 */
class LocalStackITCase {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStackITCase.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path dataDir;

    private static LocalStack stack;

    @BeforeAll
    static void startStack() {
        stack =
                LocalStack.builder()
                        .dataDir(dataDir)
                        .freePorts()
                        .partitions(2)
                        .parallelism(2)
                        .slots(4)
                        .checkpointInterval(Duration.ofSeconds(1))
                        .stateBackend("hashmap")
                        .sandboxLedger("local-stack-itcase")
                        .savepointOnStop(false)
                        .build()
                        .start();
        LOG.info("Local stack for the test:\n{}", stack.describe());
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void flinkRestApiListsEveryJobOfTheBuildAsRunning() throws Exception {
        List<String> expected = StackJobs.available().stream().map(StackJob::name).toList();
        assertThat(stack.failedJobs()).as("jobs that failed to start").isEmpty();
        assertThat(stack.jobNames()).containsExactlyElementsOf(expected);

        JsonNode overview = getJson(stack.flinkUrl() + "/jobs/overview");
        Map<String, String> states = new HashMap<>();
        for (JsonNode job : overview.path("jobs")) {
            states.put(job.path("name").asText(), job.path("state").asText());
        }
        for (String name : expected) {
            assertThat(states).containsEntry(name, "RUNNING");
        }
        // The web UI itself is served, not only the REST API.
        HttpResponse<String> ui = get(stack.flinkUrl() + "/", null);
        assertThat(ui.statusCode()).isEqualTo(200);
        assertThat(ui.body()).containsIgnoringCase("<html");
    }

    @Test
    void edgeAnswersAndChecksTheApiKey() throws Exception {
        assertThat(get(stack.edgeUrl() + "/openapi.yaml", null).statusCode()).isEqualTo(200);
        assertThat(get(stack.edgeUrl() + "/v1/emails/nope", "wrong-key").statusCode())
                .isEqualTo(401);
        assertThat(get(stack.edgeUrl() + "/v1/emails/nope", stack.apiKey()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void postedEmailReachesTheSandboxRelayOnceAndIsSentInPostgres() throws Exception {
        assumeTrue(
                StackJobs.available().stream().anyMatch(j -> j.name().equals("send-pipeline")),
                "send-pipeline is not in this build yet");
        assertThat(stack.failedJobs()).as("jobs that failed to start").isEmpty();
        String body =
                """
                {"to": "success@simulator.sendline.dev", "from": "hello@example.com",
                 "type": "transactional", "subject": "Hi {{ name }}",
                 "html": "<p>Hello {{ name }}</p>", "variables": {"name": "Ada"}}
                """;
        // The first email after the start, then a few more one at a time: the first pays for
        // cold code paths, the others show the steady single-email time.
        List<Long> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            long t0 = System.nanoTime();
            HttpResponse<String> posted =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(stack.edgeUrl() + "/v1/emails"))
                                    .header("Authorization", "Bearer " + stack.apiKey())
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            String jobId = JSON.readTree(posted.body()).path("jobs").get(0).path("id").asText();

            Row row = awaitSent(jobId, Duration.ofSeconds(60));
            long seenMillis = (System.nanoTime() - t0) / 1_000_000;
            assertThat(row).as("email_job row of the posted email reached SENT").isNotNull();
            assertThat(row.rank).isGreaterThanOrEqualTo(4);
            assertThat(stack.sandboxLedger().accepted(jobId)).isEqualTo(1);
            seen.add(seenMillis);
            LOG.info(
                    "Email {} ({}) SENT: seen in PostgreSQL {} ms after the POST; sent_at -"
                            + " created_at = {} ms (issue 5 asks for <= 2000 ms)",
                    i + 1,
                    jobId,
                    seenMillis,
                    row.sentAt == null || row.createdAt == null
                            ? "n/a"
                            : Long.toString(row.sentAt.getTime() - row.createdAt.getTime()));
        }
        assertThat(stack.sandboxLedger().duplicates()).isZero();
        LOG.info("POST -> SENT in PostgreSQL, ms, one email at a time: {}", seen);
    }

    private record Row(String status, int rank, Timestamp createdAt, Timestamp sentAt) {}

    private static Row awaitSent(String jobId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = stack.postgres().connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT status, status_rank, created_at, sent_at FROM email_job"
                                        + " WHERE job_id = ?")) {
            ps.setString(1, jobId);
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getInt(2) >= 4) {
                        return new Row(
                                rs.getString(1),
                                rs.getInt(2),
                                rs.getTimestamp(3),
                                rs.getTimestamp(4));
                    }
                }
                Thread.sleep(10);
            }
        }
        return null;
    }

    private static JsonNode getJson(String url) throws Exception {
        HttpResponse<String> r = get(url, null);
        assertThat(r.statusCode()).as(url).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> get(String url, String apiKey) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (apiKey != null) {
            b.header("Authorization", "Bearer " + apiKey);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
