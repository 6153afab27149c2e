package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.tracking.TrackingLinks;
import io.sendline.edge.support.EdgeStack;
import io.sendline.schemas.Schemas;
import io.sendline.schemas.Topics;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Everything the edge publishes validates against the topic's JSON Schema (the wire contract the
 * Flink jobs parse with), on every topic it writes: jobs of both lanes with every optional field,
 * cancellations, templates, suppressions, relay events from tracking and webhooks.
 */
@ExtendWith(EdgeStack.Extension.class)
class WireContractITCase {

    static final TrackingLinks LINKS =
            new TrackingLinks(EdgeStack.TRACKING_BASE, EdgeStack.TRACKING_SECRET);

    @Test
    @SuppressWarnings("unchecked")
    void everyRecordTheEdgePublishesMatchesItsSchema() {
        EdgeStack s = stack();
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.4 contract".getBytes());
        String tpl = "contract-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(
                        s.postJson(
                                        "/v1/templates",
                                        "{\"templateId\":\""
                                                + tpl
                                                + "\",\"name\":\"C\",\"subject\":\"Hi {{ name }}\",\"html\":\"<p>{{ name }}</p>\"}")
                                .statusCode())
                .isEqualTo(201);
        HttpResponse<String> marketing =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":[{\"email\":\"jörg@bücher.de\",\"name\":\"Jörg\"}],"
                                + "\"from\":{\"email\":\"news@example.com\",\"name\":\"News\"},\"replyTo\":\"r@example.com\","
                                + "\"templateId\":\""
                                + tpl
                                + "\",\"templateVersion\":1,\"variables\":{\"name\":\"J\",\"n\":[1,2]},"
                                + "\"type\":\"marketing\",\"pool\":\"marketing\",\"scheduledAt\":\""
                                + Instant.now().plusSeconds(7200)
                                + "\",\"tags\":[\"t\"],\"metadata\":{\"k\":\"v\"},\"headers\":{\"X-Ref\":\"1\"},"
                                + "\"attachments\":[{\"filename\":\"a.pdf\",\"contentType\":\"application/pdf\",\"content\":\""
                                + pdf
                                + "\"}]}");
        assertThat(marketing.statusCode()).as(marketing.body()).isEqualTo(202);
        String job =
                (String)
                        ((List<Map<String, Object>>) EdgeStack.json(marketing).get("jobs"))
                                .get(0)
                                .get("id");
        HttpResponse<String> transactional =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":\"t@example.com\",\"from\":\"s@example.com\",\"subject\":\"s\",\"html\":\"<p>h</p>\",\"text\":\"t\"}");
        assertThat(transactional.statusCode()).isEqualTo(202);
        String job2 =
                (String)
                        ((List<Map<String, Object>>) EdgeStack.json(transactional).get("jobs"))
                                .get(0)
                                .get("id");
        assertThat(
                        s.send(
                                        s.api("/v1/emails/" + job + "/cancel")
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build())
                                .statusCode())
                .isEqualTo(202);
        String victim = "contract-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        assertThat(
                        s.postJson(
                                        "/v1/suppressions",
                                        "{\"address\":\"" + victim + "\",\"reason\":\"MANUAL\"}")
                                .statusCode())
                .isBetween(200, 201);
        assertThat(s.send(s.api("/v1/suppressions/" + victim).DELETE().build()).statusCode())
                .isBetween(200, 204);
        assertThat(s.send(s.request(path(LINKS.openUrl(job))).GET().build()).statusCode())
                .isEqualTo(200);
        assertThat(
                        s.send(
                                        s.request(
                                                        path(
                                                                LINKS.clickUrl(
                                                                        job,
                                                                        "https://shop.example.com/x?y=1")))
                                                .GET()
                                                .build())
                                .statusCode())
                .isEqualTo(302);
        assertThat(
                        s.send(
                                        s.request(path(LINKS.unsubscribeUrl(job, "jörg@bücher.de")))
                                                .header(
                                                        "Content-Type",
                                                        "application/x-www-form-urlencoded")
                                                .POST(
                                                        HttpRequest.BodyPublishers.ofString(
                                                                "List-Unsubscribe=One-Click"))
                                                .build())
                                .statusCode())
                .isEqualTo(200);

        Schemas schemas = Schemas.get();
        List<Topics> written =
                List.of(
                        Topics.JOBS_TRANSACTIONAL,
                        Topics.JOBS_MARKETING,
                        Topics.JOBS_CANCELLATIONS,
                        Topics.TEMPLATES,
                        Topics.SUPPRESSIONS,
                        Topics.RELAY_EVENTS);
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Topics t : written) {
            // Only this test's records: other ITCases use reserved test domains (.example) that
            // the schema's idn-email format check does not know as top-level domains.
            java.util.Set<String> keys =
                    java.util.Set.of(job, job2, tpl + ":1", victim, "jörg@xn--bcher-kva.de");
            List<ConsumerRecord<byte[], byte[]>> records = s.records(t.topic(), keys::contains);
            assertThat(records).as(t.topic()).isNotEmpty();
            for (ConsumerRecord<byte[], byte[]> r : records) {
                checked++;
                for (String p : schemas.validate(t, r.value())) {
                    problems.add(t.topic() + ": " + p + " in " + new String(r.value()));
                }
            }
        }
        assertThat(checked).isGreaterThan(6);
        assertThat(problems).isEmpty();
    }

    static String path(String url) {
        URI u = URI.create(url);
        return u.getRawPath();
    }
}
