package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.json;
import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.edge.support.EdgeStack;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.schemas.Topics;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Templates and suppressions over real HTTP, stored in PostgreSQL and published to Kafka. */
@ExtendWith(EdgeStack.Extension.class)
class TemplatesAndSuppressionsITCase {

    @Test
    void templateVersionsAreValidatedStoredAndPublished() {
        EdgeStack s = stack();
        String id = "welcome-" + UUID.randomUUID().toString().substring(0, 8);
        String v1 =
                "{\"templateId\":\""
                        + id
                        + "\",\"name\":\"Welcome\",\"subject\":\"Hi {{ name }}\",\"html\":\"<p>Hello {{ name }}</p>\"}";
        HttpResponse<String> created = s.postJson("/v1/templates", v1);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(json(created)).containsEntry("version", 1);
        assertThat(s.postJson("/v1/templates", v1).statusCode()).isEqualTo(409);

        HttpResponse<String> same =
                put(
                        s,
                        id,
                        "{\"name\":\"Welcome\",\"subject\":\"Hi {{ name }}\",\"html\":\"<p>Hello {{ name }}</p>\"}");
        assertThat(same.statusCode()).isEqualTo(200);
        assertThat(json(same)).containsEntry("version", 1);
        HttpResponse<String> changed =
                put(
                        s,
                        id,
                        "{\"name\":\"Welcome\",\"subject\":\"Hi {{ name }}!\",\"html\":\"<p>Hello {{ name }}</p>\"}");
        assertThat(changed.statusCode()).isEqualTo(201);
        assertThat(json(changed)).containsEntry("version", 2);

        assertThat(json(s.get("/v1/templates/" + id)))
                .containsEntry("version", 2)
                .containsEntry("subject", "Hi {{ name }}!");
        assertThat(json(s.get("/v1/templates/" + id + "/versions/1")))
                .containsEntry("subject", "Hi {{ name }}");
        assertThat(s.get("/v1/templates/" + id + "/versions/3").statusCode()).isEqualTo(404);
        assertThat(s.get("/v1/templates/nope-" + UUID.randomUUID()).statusCode()).isEqualTo(404);

        List<EmailTemplate> onTopic = s.values(Topics.TEMPLATES, id + ":2", EmailTemplate.class);
        assertThat(onTopic).hasSize(1);
        assertThat(onTopic.get(0).subject()).isEqualTo("Hi {{ name }}!");
        assertThat(s.values(Topics.TEMPLATES, id + ":1", EmailTemplate.class)).hasSize(1);

        HttpResponse<String> broken =
                put(s, id, "{\"subject\":\"Hi\",\"html\":\"<p>{% if %}</p>\"}");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(broken.body()).contains("does not compile");
        assertThat(json(s.get("/v1/templates/" + id))).containsEntry("version", 2);

        // Emails may use it (and its versions), and not a version that does not exist.
        assertThat(
                        s.postJson(
                                        "/v1/emails",
                                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\""
                                                + id
                                                + "\",\"templateVersion\":2}")
                                .statusCode())
                .isEqualTo(202);
        assertThat(
                        s.postJson(
                                        "/v1/emails",
                                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"templateId\":\""
                                                + id
                                                + "\",\"templateVersion\":9}")
                                .statusCode())
                .isEqualTo(400);
    }

    private static HttpResponse<String> put(EdgeStack s, String id, String body) {
        return s.send(
                s.api("/v1/templates/" + id)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body))
                        .build());
    }

    @Test
    void suppressionsAddListAndRemoveOnlyRemovableOnes() {
        EdgeStack s = stack();
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String manual = "Manual." + tag + "@Example.COM";
        String complaint = "complaint." + tag + "@example.com";
        String idn = "idn." + tag + "@bücher.example";

        HttpResponse<String> added =
                s.postJson("/v1/suppressions", "{\"address\":\"" + manual + "\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        String normal = ("manual." + tag + "@example.com");
        assertThat(json(added))
                .containsEntry("address", normal)
                .containsEntry("reason", "MANUAL")
                .containsEntry("scope", "ALL");
        assertThat(
                        s.postJson(
                                        "/v1/suppressions",
                                        "{\"address\":\""
                                                + complaint
                                                + "\",\"reason\":\"COMPLAINT\"}")
                                .statusCode())
                .isEqualTo(200);
        assertThat(
                        json(
                                s.postJson(
                                        "/v1/suppressions",
                                        "{\"address\":\""
                                                + idn
                                                + "\",\"reason\":\"unsubscribe\"}")))
                .containsEntry("address", "idn." + tag + "@xn--bcher-kva.example")
                .containsEntry("scope", "MARKETING");
        // Never weakened: an unsubscribe after a complaint keeps the complaint.
        assertThat(
                        json(
                                s.postJson(
                                        "/v1/suppressions",
                                        "{\"address\":\""
                                                + complaint
                                                + "\",\"reason\":\"UNSUBSCRIBE\"}")))
                .containsEntry("reason", "COMPLAINT");
        assertThat(s.postJson("/v1/suppressions", "{\"address\":\"not an address\"}").statusCode())
                .isEqualTo(400);

        List<SuppressionChange> changes =
                s.values(Topics.SUPPRESSIONS, normal, SuppressionChange.class);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).action()).isEqualTo(SuppressionChange.Action.ADD);

        // Paging by address.
        HttpResponse<String> page1 =
                s.get("/v1/suppressions?limit=1&after=" + enc("complaint." + tag));
        assertThat(page1.statusCode()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> items = (List<Map<String, Object>>) json(page1).get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0)).containsEntry("address", complaint);
        String next = (String) json(page1).get("next");
        assertThat(next).isEqualTo(complaint);
        assertThat(s.get("/v1/suppressions?limit=5000").statusCode()).isEqualTo(400);
        assertThat(
                        json(s.get("/v1/suppressions?reason=COMPLAINT&limit=1000"))
                                .get("items")
                                .toString())
                .contains(complaint)
                .doesNotContain(normal);

        assertThat(s.get("/v1/suppressions/" + enc(manual)).statusCode()).isEqualTo(200);
        assertThat(delete(s, complaint).statusCode()).isEqualTo(409);
        assertThat(s.get("/v1/suppressions/" + enc(complaint)).statusCode()).isEqualTo(200);
        assertThat(delete(s, manual).statusCode()).isEqualTo(204);
        assertThat(delete(s, manual).statusCode()).isEqualTo(404);
        assertThat(delete(s, idn).statusCode()).isEqualTo(204);
        assertThat(s.values(Topics.SUPPRESSIONS, normal, SuppressionChange.class))
                .extracting(SuppressionChange::action)
                .containsExactly(SuppressionChange.Action.ADD, SuppressionChange.Action.REMOVE);
        assertThat(s.values(Topics.SUPPRESSIONS, complaint, SuppressionChange.class))
                .extracting(SuppressionChange::reason)
                .containsOnly(SuppressionReason.COMPLAINT);
    }

    private static HttpResponse<String> delete(EdgeStack s, String address) {
        return s.send(s.api("/v1/suppressions/" + enc(address)).DELETE().build());
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
