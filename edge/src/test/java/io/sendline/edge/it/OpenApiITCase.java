package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.sendline.edge.http.Route;
import io.sendline.edge.support.EdgeStack;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The OpenAPI document served at /openapi.yaml lists exactly the routes the server answers. */
@ExtendWith(EdgeStack.Extension.class)
class OpenApiITCase {

    @Test
    void everyRouteIsDocumentedAndEveryDocumentedOperationIsServed() throws Exception {
        EdgeStack s = stack();
        HttpResponse<String> r = s.send(s.request("/openapi.yaml").GET().build());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(r.body());
        assertThat(doc.path("openapi").asText()).startsWith("3.");

        Set<String> documented = new TreeSet<>();
        Set<String> methods = Set.of("get", "put", "post", "delete", "patch", "head", "options");
        for (Iterator<String> paths = doc.path("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            for (Iterator<String> ops = doc.path("paths").path(path).fieldNames();
                    ops.hasNext(); ) {
                String op = ops.next();
                if (methods.contains(op)) {
                    documented.add(op.toUpperCase(Locale.ROOT) + " " + path);
                }
            }
        }
        Set<String> served = new TreeSet<>();
        for (Route route : s.edge.routes()) {
            served.add(route.method() + " " + route.template());
        }
        assertThat(documented).isEqualTo(served);

        // Authenticated routes are documented with the API key, public ones without.
        for (Route route : s.edge.routes()) {
            JsonNode op =
                    doc.path("paths")
                            .path(route.template())
                            .path(route.method().toLowerCase(Locale.ROOT));
            boolean publicInDoc = op.has("security") && op.get("security").isEmpty();
            assertThat(publicInDoc)
                    .as(route.method() + " " + route.template())
                    .isEqualTo(route.access() == Route.Access.PUBLIC);
        }
    }

    /**
     * The request schema lists exactly the fields the parser accepts, and the responses use only
     * documented fields (so a client generated from the document reads every answer).
     */
    @Test
    @SuppressWarnings("unchecked")
    void documentedShapesAreTheOnesTheServerReadsAndWrites() throws Exception {
        EdgeStack s = stack();
        ObjectMapper json = new ObjectMapper();
        JsonNode doc =
                new ObjectMapper(new YAMLFactory())
                        .readTree(s.send(s.request("/openapi.yaml").GET().build()).body());
        JsonNode schemas = doc.path("components").path("schemas");

        // Every documented property is known to the parser (dummy values: other errors are fine).
        com.fasterxml.jackson.databind.node.ObjectNode all = json.createObjectNode();
        schemas.path("Email")
                .path("properties")
                .fieldNames()
                .forEachRemaining(f -> all.put(f, "x"));
        assertThat(all.size()).isGreaterThan(10);
        HttpResponse<String> r = s.postJson("/v1/emails", all.toString());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).doesNotContain("unknown field");
        all.put("bogus", "x");
        assertThat(s.postJson("/v1/emails", all.toString()).body())
                .contains("\"field\":\"bogus\",\"message\":\"unknown field\"");

        // Responses carry only documented fields.
        HttpResponse<String> sent =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":\"doc@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\","
                                + "\"text\":\"y\",\"tags\":[\"t\"],\"metadata\":{\"k\":\"v\"},"
                                + "\"scheduledAt\":\""
                                + java.time.Instant.now().plusSeconds(3600)
                                + "\"}");
        assertThat(sent.statusCode()).isEqualTo(202);
        JsonNode job = json.readTree(sent.body()).path("jobs").get(0);
        assertDocumented(job, schemas.path("Job"));
        String id = job.path("id").asText();
        try (java.sql.Connection c = s.postgres.connect();
                java.sql.Statement st = c.createStatement()) {
            st.executeUpdate(
                    "INSERT INTO email_event (event_id, job_id, type, provider, reason, occurred_at, data)"
                            + " VALUES ('doc-"
                            + id
                            + "', '"
                            + id
                            + "', 'DEFERRED', 'SES', '421 try later', now(), '{\"attempt\":1}')");
        }
        JsonNode status = json.readTree(s.get("/v1/emails/" + id).body());
        assertDocumented(status, schemas.path("EmailStatus"));
        assertThat(status.path("events")).hasSize(1);
        assertDocumented(
                status.path("events").get(0),
                schemas.path("EmailStatus").path("properties").path("events").path("items"));

        HttpResponse<String> batch =
                s.postJson(
                        "/v1/emails/batch",
                        "{\"emails\":[{\"to\":\"b1@example.com\",\"from\":\"s@example.com\","
                                + "\"subject\":\"x\",\"text\":\"y\"},{\"to\":\"nope\"}]}");
        JsonNode b = json.readTree(batch.body());
        assertDocumented(b, schemas.path("BatchResponse"));
        JsonNode result =
                schemas.path("BatchResponse").path("properties").path("results").path("items");
        for (JsonNode res : b.path("results")) {
            assertDocumented(res, result);
        }
        assertDocumented(
                json.readTree(s.postJson("/v1/emails", "{}").body()), schemas.path("Error"));
    }

    private static void assertDocumented(JsonNode value, JsonNode schema) {
        Set<String> documented = new TreeSet<>();
        schema.path("properties").fieldNames().forEachRemaining(documented::add);
        Set<String> actual = new TreeSet<>();
        value.fieldNames().forEachRemaining(actual::add);
        assertThat(documented).as("documented properties").isNotEmpty();
        assertThat(actual).as(value.toString()).isSubsetOf(documented);
    }
}
