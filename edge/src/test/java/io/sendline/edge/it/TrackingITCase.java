package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.tracking.TrackingLinks;
import io.sendline.edge.support.EdgeStack;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.schemas.Topics;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Open pixel, click redirect and one-click unsubscribe over real HTTP. */
@ExtendWith(EdgeStack.Extension.class)
class TrackingITCase {

    static final TrackingLinks LINKS =
            new TrackingLinks(EdgeStack.TRACKING_BASE, EdgeStack.TRACKING_SECRET);

    private static String path(String url) {
        return url.substring(EdgeStack.TRACKING_BASE.length());
    }

    private static List<RelayEvent> events(String job) {
        return stack().values(Topics.RELAY_EVENTS, job, RelayEvent.class);
    }

    private static List<RelayEvent> eventually(String job, int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<RelayEvent> e = events(job);
        while (e.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(200);
            e = events(job);
        }
        return e;
    }

    @Test
    void openPixelIsARealUncachedGifAndFlagsAppleProxies() throws Exception {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        HttpResponse<byte[]> r =
                s.http.send(
                        s.request(path(LINKS.openUrl(job)))
                                .header("User-Agent", "Mozilla/5.0")
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("image/gif");
        assertThat(r.headers().firstValue("Cache-Control").orElse("")).contains("no-store");
        var image = ImageIO.read(new java.io.ByteArrayInputStream(r.body()));
        assertThat(image.getWidth()).isEqualTo(1);
        assertThat(image.getHeight()).isEqualTo(1);

        s.send(
                s.request(path(LINKS.openUrl(job)))
                        .header(
                                "User-Agent",
                                "Mozilla/5.0 (Windows NT 10.0) Gecko/20100101 Firefox/120.0")
                        .GET()
                        .build());
        List<RelayEvent> opens = eventually(job, 2);
        assertThat(opens)
                .hasSize(2)
                .allSatisfy(
                        e -> {
                            assertThat(e.type()).isEqualTo(RelayEvent.Type.OPENED);
                            assertThat(e.provider()).isEqualTo(RelayEvent.Provider.TRACKING);
                        });
        assertThat(opens)
                .extracting(RelayEvent::machineOpen)
                .containsExactlyInAnyOrder(true, false);

        String other = UUID.randomUUID().toString();
        String forged = path(LINKS.openUrl(job)).replace(job, other);
        assertThat(s.send(s.request(forged).GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void clickRedirectsOnlyWhenTheSignatureVerifies() throws Exception {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        String target = "https://shop.example.com/item?id=7&utm=x#top";
        HttpResponse<String> r = s.send(s.request(path(LINKS.clickUrl(job, target))).GET().build());
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains(target);
        List<RelayEvent> clicks = eventually(job, 1);
        assertThat(clicks).hasSize(1);
        assertThat(clicks.get(0).url()).isEqualTo(target);

        String good = path(LINKS.clickUrl(job, target));
        String[] parts = good.split("/");
        String evil =
                Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("https://evil.example/".getBytes(StandardCharsets.UTF_8));
        List<String> attempts =
                List.of(
                        "/c/" + parts[2] + "/" + evil + "/" + parts[4], // tampered target
                        "/c/" + UUID.randomUUID() + "/" + parts[3] + "/" + parts[4], // other job id
                        path(
                                LINKS.clickUrl(
                                        job,
                                        "javascript:alert(document.cookie)")), // signed, bad scheme
                        path(LINKS.clickUrl(job, "//evil.example/")), // signed, scheme-relative
                        path(
                                LINKS.clickUrl(
                                        job,
                                        "https://ok.example/\r\nSet-Cookie: a=b")), // signed, CRLF
                        "/c/" + parts[2] + "/" + parts[3] + "/" + parts[4]
                                + "x", // tampered signature
                        "/c/" + parts[2] + "/" + parts[3], // missing signature
                        "/c/"
                                + parts[2]
                                + "/%0D%0ALocation:%20https:%2F%2Fevil.example/"
                                + parts[4]); // CRLF in path
        for (String a : attempts) {
            HttpResponse<String> bad = s.send(s.request(a).GET().build());
            assertThat(bad.statusCode()).as(a).isEqualTo(404);
            assertThat(bad.headers().firstValue("Location")).as(a).isEmpty();
        }
        assertThat(events(job)).hasSize(1);
    }

    @Test
    void rawCrlfInTheRequestLineNeverBecomesARedirect() throws Exception {
        EdgeStack s = stack();
        try (Socket socket = new Socket("127.0.0.1", s.edge.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(
                            ("GET /c/j/aHR0cHM6Ly9ldmlsLmV4YW1wbGU/x\r\nLocation: https://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n")
                                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer =
                    new String(socket.getInputStream().readNBytes(12), StandardCharsets.ISO_8859_1);
            assertThat(answer).doesNotContain("302");
        }
    }

    @Test
    void unsubscribePageThenOneClickPost() throws Exception {
        EdgeStack s = stack();
        String job = UUID.randomUUID().toString();
        String address = "Reader." + job.substring(0, 8) + "@Example.com";
        String url = path(LINKS.unsubscribeUrl(job, address));

        HttpResponse<String> page = s.send(s.request(url).GET().build());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body())
                .contains("<form method=\"post\"")
                .contains("List-Unsubscribe")
                .contains("One-Click");
        assertThat(events(job)).as("GET never unsubscribes").isEmpty();

        HttpResponse<String> noBody =
                s.send(s.request(url).POST(HttpRequest.BodyPublishers.noBody()).build());
        assertThat(noBody.statusCode()).isEqualTo(400);

        HttpResponse<String> post =
                s.send(
                        s.request(url)
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                "List-Unsubscribe=One-Click"))
                                .build());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(post.headers().firstValue("Location")).isEmpty();
        assertThat(post.body()).contains("unsubscribed");
        String normal = address.toLowerCase();
        List<SuppressionChange> changes =
                s.values(Topics.SUPPRESSIONS, normal, SuppressionChange.class);
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).reason()).isEqualTo(SuppressionReason.UNSUBSCRIBE);
        assertThat(changes.get(0).jobId()).isEqualTo(job);
        List<RelayEvent> events = events(job);
        assertThat(events)
                .extracting(RelayEvent::type)
                .containsExactly(RelayEvent.Type.UNSUBSCRIBED);
        try (Connection c = s.postgres.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT reason, scope FROM email_suppression WHERE address = '"
                                        + normal
                                        + "'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("UNSUBSCRIBE");
            assertThat(rs.getString(2)).isEqualTo("MARKETING");
        }

        // Mail clients may POST twice: still one UNSUBSCRIBED event.
        String boundary = "b0undary";
        String multipart =
                "--"
                        + boundary
                        + "\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--"
                        + boundary
                        + "--\r\n";
        assertThat(
                        s.send(
                                        s.request(url)
                                                .header(
                                                        "Content-Type",
                                                        "multipart/form-data; boundary=" + boundary)
                                                .POST(
                                                        HttpRequest.BodyPublishers.ofString(
                                                                multipart))
                                                .build())
                                .statusCode())
                .isEqualTo(200);
        assertThat(events(job)).hasSize(1);

        String forged = url.substring(0, url.lastIndexOf('.') + 1) + "AAAAAAAAAAAAAAAAAAAAAA";
        assertThat(s.send(s.request(forged).GET().build()).statusCode()).isEqualTo(404);
        assertThat(
                        s.send(
                                        s.request(forged)
                                                .header(
                                                        "Content-Type",
                                                        "application/x-www-form-urlencoded")
                                                .POST(
                                                        HttpRequest.BodyPublishers.ofString(
                                                                "List-Unsubscribe=One-Click"))
                                                .build())
                                .statusCode())
                .isEqualTo(404);
    }
}
