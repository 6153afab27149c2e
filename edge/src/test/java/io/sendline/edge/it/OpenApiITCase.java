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
}
