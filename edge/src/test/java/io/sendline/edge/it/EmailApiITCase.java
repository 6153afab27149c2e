package io.sendline.edge.it;

import static io.sendline.edge.support.EdgeStack.json;
import static io.sendline.edge.support.EdgeStack.stack;
import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.edge.support.EdgeStack;
import io.sendline.schemas.CancelRequest;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.Topics;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The email API over real HTTP, with a real broker and PostgreSQL behind it. */
@ExtendWith(EdgeStack.Extension.class)
class EmailApiITCase {

    static final String EMAIL =
            "{\"to\":[\"ann@example.com\",{\"email\":\"jörg@bücher.example\",\"name\":\"Jörg\"}],"
                    + "\"from\":{\"email\":\"news@example.com\",\"name\":\"News\"},\"replyTo\":\"help@example.com\","
                    + "\"subject\":\"Hello {{ name }}\",\"html\":\"<p>Hi {{ name }}</p>\",\"variables\":{\"name\":\"A\"},"
                    + "\"type\":\"marketing\",\"tags\":[\"welcome\"],\"metadata\":{\"account\":\"42\"},"
                    + "\"headers\":{\"X-Campaign-Ref\":\"spring\"}}";

    @SuppressWarnings("unchecked")
    static List<String> jobIds(HttpResponse<String> r) {
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> j : (List<Map<String, Object>>) json(r).get("jobs")) {
            ids.add((String) j.get("id"));
        }
        return ids;
    }

    @Test
    void missingOrWrongApiKeyIs401() {
        EdgeStack s = stack();
        HttpResponse<String> none =
                s.send(
                        s.request("/v1/emails")
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(EMAIL))
                                .build());
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).contains("Bearer");
        HttpResponse<String> wrong =
                s.send(
                        s.request("/v1/emails/x")
                                .header("Authorization", "Bearer not-the-key-0123456789")
                                .GET()
                                .build());
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(json(wrong)).containsEntry("error", "unauthorized");
    }

    @Test
    void acceptsOneJobPerRecipientRecordsQueuedAndPublishes() {
        EdgeStack s = stack();
        HttpResponse<String> r = s.postJson("/v1/emails", EMAIL);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        List<String> ids = jobIds(r);
        assertThat(ids).hasSize(2).doesNotHaveDuplicates();

        HttpResponse<String> status = s.get("/v1/emails/" + ids.get(1));
        assertThat(status.statusCode()).isEqualTo(200);
        Map<String, Object> body = json(status);
        assertThat(body)
                .containsEntry("status", "QUEUED")
                .containsEntry("type", "MARKETING")
                .containsEntry("pool", "marketing")
                .containsEntry("to", "jörg@bücher.example");
        assertThat(body.get("tags")).isEqualTo(List.of("welcome"));
        assertThat(body.get("metadata")).isEqualTo(Map.of("account", "42"));
        assertThat(body.get("events")).isEqualTo(List.of());

        List<EmailJob> published = s.values(Topics.JOBS_MARKETING, ids.get(1), EmailJob.class);
        assertThat(published).hasSize(1);
        EmailJob job = published.get(0);
        assertThat(job.toName()).isEqualTo("Jörg");
        assertThat(job.fromName()).isEqualTo("News");
        assertThat(job.replyTo()).isEqualTo("help@example.com");
        assertThat(job.variables()).contains("\"name\"");
        assertThat(job.headers()).containsEntry("X-Campaign-Ref", "spring");
        assertThat(s.values(Topics.JOBS_TRANSACTIONAL, ids.get(1), EmailJob.class)).isEmpty();
    }

    /**
     * The send pipeline and event aggregation write {@code email_job} (forward-only upsert) and
     * {@code email_event} (insert, dedupe by event id) as V1__init.sql documents; the API shows
     * what they wrote.
     */
    @Test
    @SuppressWarnings("unchecked")
    void getShowsStatusAndEventsAsThePipelineWritesThem() throws Exception {
        EdgeStack s = stack();
        HttpResponse<String> r =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":\"carol@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\","
                                + "\"tags\":[\"receipt\"],\"metadata\":{\"order\":\"7\"}}");
        assertThat(r.statusCode()).isEqualTo(202);
        String id = jobIds(r).get(0);
        String upsert =
                "INSERT INTO email_job (job_id, type, pool, to_address, from_address, status,"
                        + " status_rank, provider_message_id, sent_at, last_reason)"
                        + " VALUES (?, 'TRANSACTIONAL', 'transactional', 'carol@example.com',"
                        + " 's@example.com', ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (job_id) DO UPDATE SET status = EXCLUDED.status,"
                        + " status_rank = EXCLUDED.status_rank,"
                        + " provider_message_id = COALESCE(EXCLUDED.provider_message_id,"
                        + " email_job.provider_message_id),"
                        + " sent_at = COALESCE(EXCLUDED.sent_at, email_job.sent_at),"
                        + " last_reason = EXCLUDED.last_reason, updated_at = now()"
                        + " WHERE email_job.status_rank < EXCLUDED.status_rank";
        String event =
                "INSERT INTO email_event (event_id, job_id, type, provider, provider_message_id,"
                        + " reason, occurred_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)"
                        + " ON CONFLICT (event_id) DO NOTHING";
        Instant t0 = Instant.now().minusSeconds(60);
        try (Connection c = s.postgres.connect();
                java.sql.PreparedStatement job = c.prepareStatement(upsert);
                java.sql.PreparedStatement ev = c.prepareStatement(event)) {
            Object[][] statuses = {
                {"SENT", 4, "ses-msg-1", java.sql.Timestamp.from(t0), null},
                {"DELIVERED", 6, null, null, "250 2.0.0 OK"},
                // Late and out of order: must not move the job back.
                {"DEFERRED", 2, null, null, "421 4.7.0 try later"},
            };
            for (Object[] st : statuses) {
                job.setString(1, id);
                for (int i = 0; i < st.length; i++) {
                    job.setObject(i + 2, st[i]);
                }
                job.executeUpdate();
            }
            Object[][] events = {
                {"e-sent-" + id, "SENT", "SES", "ses-msg-1", null, t0, null},
                {
                    "e-dlv-" + id,
                    "DELIVERED",
                    "SES",
                    "ses-msg-1",
                    "250 2.0.0 OK",
                    t0.plusSeconds(2),
                    "{\"smtpResponse\":\"250 2.0.0 OK\"}"
                },
                {
                    "e-open-" + id,
                    "OPENED",
                    "TRACKING",
                    null,
                    null,
                    t0.plusSeconds(30),
                    "{\"machineOpen\":true,\"userAgent\":\"Mozilla/5.0\"}"
                },
                // A replayed webhook: the same event id again.
                {"e-dlv-" + id, "DELIVERED", "SES", "ses-msg-1", null, t0.plusSeconds(9), null},
            };
            for (Object[] e : events) {
                ev.setString(1, (String) e[0]);
                ev.setString(2, id);
                ev.setString(3, (String) e[1]);
                ev.setString(4, (String) e[2]);
                ev.setString(5, (String) e[3]);
                ev.setString(6, (String) e[4]);
                ev.setTimestamp(7, java.sql.Timestamp.from((Instant) e[5]));
                ev.setString(8, (String) e[6]);
                ev.executeUpdate();
            }
        }

        HttpResponse<String> got = s.get("/v1/emails/" + id);
        assertThat(got.statusCode()).isEqualTo(200);
        Map<String, Object> body = json(got);
        assertThat(body)
                .containsEntry("status", "DELIVERED")
                .containsEntry("providerMessageId", "ses-msg-1")
                .containsEntry("reason", "250 2.0.0 OK")
                .containsKey("sentAt");
        assertThat(body.get("tags")).isEqualTo(List.of("receipt"));
        assertThat(body.get("metadata")).isEqualTo(Map.of("order", "7"));
        List<Map<String, Object>> events = (List<Map<String, Object>>) body.get("events");
        assertThat(events)
                .extracting(e -> e.get("type"))
                .containsExactly("SENT", "DELIVERED", "OPENED");
        assertThat(events.get(2).get("data"))
                .isEqualTo(Map.of("machineOpen", true, "userAgent", "Mozilla/5.0"));
        assertThat(events.get(1)).containsEntry("reason", "250 2.0.0 OK");
    }

    @Test
    void idempotencyKeyReplaysTheSameJobsAndRefusesAnotherBody() {
        EdgeStack s = stack();
        String key = "order-" + UUID.randomUUID();
        String body =
                "{\"to\":\"bob@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\"}";
        HttpResponse<String> first =
                s.send(
                        s.api("/v1/emails")
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", key)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build());
        HttpResponse<String> again =
                s.send(
                        s.api("/v1/emails")
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", key)
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build());
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(jobIds(again)).isEqualTo(jobIds(first));
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(s.values(Topics.JOBS_TRANSACTIONAL, jobIds(first).get(0), EmailJob.class))
                .hasSize(1);

        HttpResponse<String> other =
                s.send(
                        s.api("/v1/emails")
                                .header("Content-Type", "application/json")
                                .header("Idempotency-Key", key)
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                body.replace("bob", "eve")))
                                .build());
        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(json(other)).containsEntry("error", "idempotency_conflict");
    }

    @Test
    void batchAnswersOnePerEmailAndABadOneDoesNotSinkTheRest() {
        EdgeStack s = stack();
        StringBuilder b = new StringBuilder("{\"emails\":[");
        for (int i = 0; i < 500; i++) {
            if (i > 0) {
                b.append(',');
            }
            String to = i == 137 ? "broken-address" : "user" + i + "@example.com";
            b.append("{\"to\":\"")
                    .append(to)
                    .append("\",\"from\":\"s@example.com\",\"subject\":\"s\",\"text\":\"t\"}");
        }
        b.append("]}");
        HttpResponse<String> r = s.postJson("/v1/emails/batch", b.toString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> body = json(r);
        assertThat(body).containsEntry("accepted", 499).containsEntry("rejected", 1);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results = (List<Map<String, Object>>) body.get("results");
        assertThat(results).hasSize(500);
        assertThat(results.get(137)).containsEntry("accepted", false);
        assertThat(results.get(137).get("errors").toString()).contains("emails[137].to");
        @SuppressWarnings("unchecked")
        String id =
                (String)
                        ((List<Map<String, Object>>) results.get(499).get("jobs")).get(0).get("id");
        assertThat(s.get("/v1/emails/" + id).statusCode()).isEqualTo(200);

        String tooMany =
                "{\"emails\":[" + String.join(",", java.util.Collections.nCopies(501, "{}")) + "]}";
        assertThat(s.postJson("/v1/emails/batch", tooMany).statusCode()).isEqualTo(400);
    }

    @Test
    void invalidInputIs400WithFieldErrors() {
        EdgeStack s = stack();
        HttpResponse<String> r =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":\"a@@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\",\"html\":\"y\",\"headers\":{\"Bcc\":\"x@example.com\",\"X-A\":\"1\\r\\nBcc: y@example.com\"}}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body())
                .contains("\"field\":\"to\"")
                .contains("headers.Bcc")
                .contains("headers.X-A")
                .contains("CR or LF");
        assertThat(r.body()).doesNotContain("a@@example.com");

        assertThat(s.postJson("/v1/emails", "{\"to\": [").statusCode()).isEqualTo(400);
        assertThat(s.postJson("/v1/emails", "").statusCode()).isEqualTo(400);
        assertThat(s.postJson("/v1/emails", "[1,2]").statusCode()).isEqualTo(400);
        HttpResponse<String> form =
                s.send(
                        s.api("/v1/emails")
                                .header("Content-Type", "application/x-www-form-urlencoded")
                                .POST(HttpRequest.BodyPublishers.ofString("to=x"))
                                .build());
        assertThat(form.statusCode()).isEqualTo(415);
        assertThat(s.send(s.api("/v1/emails").DELETE().build()).statusCode()).isEqualTo(405);
        assertThat(s.get("/v1/nothing-here").statusCode()).isEqualTo(404);
    }

    /** The bad inputs of one email, over HTTP; and internationalised addresses pass. */
    @Test
    void headersAddressesAndAttachmentsAreCheckedOverHttp() {
        EdgeStack s = stack();
        String base = "\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\"";
        // Internationalised: a Unicode domain (IDN), its punycode form, and a UTF-8 local part.
        HttpResponse<String> idn =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":[\"ann@bücher.example\",\"bob@xn--bcher-kva.example\",\"用户@例子.广告\"],"
                                + base
                                + ",\"headers\":{\"X-Campaign\":\"spring\",\"In-Reply-To\":\"<a@b>\",\"References\":\"<a@b>\"}}");
        assertThat(idn.statusCode()).as(idn.body()).isEqualTo(202);
        List<String> ids = jobIds(idn);
        assertThat(s.values(Topics.JOBS_TRANSACTIONAL, ids.get(2), EmailJob.class).get(0).to())
                .isEqualTo("用户@例子.广告");

        // Headers: the allow-list only; never what composition writes or DKIM signs.
        for (String h :
                List.of(
                        "From",
                        "DKIM-Signature",
                        "List-Unsubscribe",
                        "List-Unsubscribe-Post",
                        "Content-Type",
                        "Message-ID",
                        "X-Sendline-Job-Id",
                        "X-SES-CONFIGURATION-SET",
                        "X-SMTPAPI",
                        "Importance",
                        "Bad Name",
                        "X-Ok:")) {
            HttpResponse<String> r =
                    s.postJson(
                            "/v1/emails",
                            "{\"to\":\"a@example.com\","
                                    + base
                                    + ",\"headers\":{\""
                                    + h
                                    + "\":\"v\"}}");
            assertThat(r.statusCode()).as(h).isEqualTo(400);
            assertThat(r.body()).as(h).contains("headers.");
        }
        // Header injection through a value, a subject or a display name.
        assertThat(
                        s.postJson(
                                        "/v1/emails",
                                        "{\"to\":\"a@example.com\","
                                                + base
                                                + ",\"headers\":{\"X-A\":\"v\\nBcc: x@example.com\"}}")
                                .body())
                .contains("CR or LF");
        assertThat(
                        s.postJson(
                                        "/v1/emails",
                                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\\r\\nBcc: e@example.com\",\"text\":\"y\"}")
                                .statusCode())
                .isEqualTo(400);
        assertThat(
                        s.postJson(
                                        "/v1/emails",
                                        "{\"to\":{\"email\":\"a@example.com\",\"name\":\"A\\r\\nBcc: e@example.com\"},"
                                                + base
                                                + "}")
                                .statusCode())
                .isEqualTo(400);
        // Bad addresses, internationalised or not.
        for (String bad :
                List.of(
                        "no-at.example.com",
                        "a@b@example.com",
                        "a@-bad-.example",
                        "a@localhost",
                        "a..b@example.com",
                        "a@exa mple.com",
                        "a@bü cher.example",
                        "x".repeat(65) + "@example.com")) {
            HttpResponse<String> r =
                    s.postJson("/v1/emails", "{\"to\":\"" + bad + "\"," + base + "}");
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertThat(r.body()).as(bad).contains("\"field\":\"to\"");
        }
        // Dangerous attachments: by name (the last extension), by type, by content.
        String pdf = Base64.getEncoder().encodeToString("%PDF-1.4".getBytes());
        String elf = Base64.getEncoder().encodeToString(new byte[] {0x7f, 'E', 'L', 'F', 2, 1});
        String[][] attachments = {
            {"invoice.pdf.exe", "application/pdf", pdf, "refused"},
            {"run.JS", "application/pdf", pdf, "refused"},
            {"a.pdf", "application/x-msdownload", pdf, "refused"},
            {"a.pdf", "application/pdf", elf, "ELF executable"},
            {"a.pdf", "application/pdf", "not base64!", "not valid base64"},
            {"../a.pdf", "application/pdf", pdf, "filename"},
        };
        for (String[] a : attachments) {
            HttpResponse<String> r =
                    s.postJson(
                            "/v1/emails",
                            "{\"to\":\"a@example.com\","
                                    + base
                                    + ",\"attachments\":[{\"filename\":\""
                                    + a[0]
                                    + "\",\"contentType\":\""
                                    + a[1]
                                    + "\",\"content\":\""
                                    + a[2]
                                    + "\"}]}");
            assertThat(r.statusCode()).as(a[0] + " " + a[1]).isEqualTo(400);
            assertThat(r.body()).as(a[0] + " " + a[1]).contains(a[3]);
        }
    }

    @Test
    void oversizedBodyIs413() {
        EdgeStack s = stack();
        String big =
                "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\",\"html\":\""
                        + "x".repeat(3 << 20)
                        + "\"}";
        HttpResponse<String> r = s.postJson("/v1/emails", big);
        assertThat(r.statusCode()).isEqualTo(413);
        // Chunked, without a Content-Length: the limit holds while reading.
        HttpResponse<String> chunked =
                s.send(
                        s.api("/v1/emails")
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofInputStream(
                                                () ->
                                                        new java.io.ByteArrayInputStream(
                                                                big.getBytes())))
                                .build());
        assertThat(chunked.statusCode()).isEqualTo(413);
    }

    @Test
    void attachmentsAreStoredOnceByHashAndReferenced() throws Exception {
        EdgeStack s = stack();
        byte[] content = ("%PDF-1.4 " + UUID.randomUUID()).getBytes();
        String b64 = Base64.getEncoder().encodeToString(content);
        String body =
                "{\"to\":[\"a@example.com\",\"b@example.com\"],\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\","
                        + "\"attachments\":[{\"filename\":\"invoice.pdf\",\"contentType\":\"application/pdf\",\"content\":\""
                        + b64
                        + "\"}]}";
        assertThat(s.postJson("/v1/emails", body).statusCode()).isEqualTo(202);
        HttpResponse<String> r = s.postJson("/v1/emails", body);
        assertThat(r.statusCode()).isEqualTo(202);
        EmailJob job = s.values(Topics.JOBS_TRANSACTIONAL, jobIds(r).get(0), EmailJob.class).get(0);
        assertThat(job.attachments()).hasSize(1);
        String sha = job.attachments().get(0).sha256();
        try (Connection c = s.postgres.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*), min(size), min(filename) FROM email_attachment WHERE sha256 = '"
                                        + sha
                                        + "'")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
            assertThat(rs.getLong(2)).isEqualTo(content.length);
        }
        // What the send pipeline does at send time: fetch the bytes by the job's reference.
        try (Connection c = s.postgres.connect();
                java.sql.PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT content, content_type FROM email_attachment WHERE sha256 = ?")) {
            ps.setString(1, sha);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBytes(1)).isEqualTo(content);
                assertThat(rs.getString(2)).isEqualTo("application/pdf");
            }
        }
        // The Kafka record carries the reference only, never the bytes.
        assertThat(
                        new String(
                                s.records(
                                                Topics.JOBS_TRANSACTIONAL.topic(),
                                                jobIds(r).get(0)::equals)
                                        .get(0)
                                        .value(),
                                java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain(b64)
                .contains(sha);
        String exe = Base64.getEncoder().encodeToString(new byte[] {'M', 'Z', 1, 2, 3});
        HttpResponse<String> bad = s.postJson("/v1/emails", body.replace(b64, exe));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("Windows executable");
        String tooBig = Base64.getEncoder().encodeToString(new byte[(1 << 20) + 10]);
        assertThat(s.postJson("/v1/emails", body.replace(b64, tooBig)).statusCode()).isEqualTo(400);
    }

    @Test
    void cancelOnlyScheduledEmailsNotYetSent() throws Exception {
        EdgeStack s = stack();
        String at = Instant.now().plus(2, ChronoUnit.HOURS).toString();
        HttpResponse<String> r =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":[\"a@example.com\",\"b@example.com\"],\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\",\"scheduledAt\":\""
                                + at
                                + "\"}");
        assertThat(r.statusCode()).isEqualTo(202);
        List<String> ids = jobIds(r);

        HttpResponse<String> cancel =
                s.send(
                        s.api("/v1/emails/" + ids.get(0) + "/cancel")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build());
        assertThat(cancel.statusCode()).isEqualTo(202);
        assertThat(json(cancel)).containsEntry("status", "CANCEL_REQUESTED");
        assertThat(s.values(Topics.JOBS_CANCELLATIONS, ids.get(0), CancelRequest.class)).hasSize(1);

        try (Connection c = s.postgres.connect();
                Statement st = c.createStatement()) {
            st.executeUpdate(
                    "UPDATE email_job SET status = 'SENT', status_rank = 4 WHERE job_id = '"
                            + ids.get(1)
                            + "'");
        }
        HttpResponse<String> sent =
                s.send(
                        s.api("/v1/emails/" + ids.get(1) + "/cancel")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build());
        assertThat(sent.statusCode()).isEqualTo(409);

        HttpResponse<String> now =
                s.postJson(
                        "/v1/emails",
                        "{\"to\":\"a@example.com\",\"from\":\"s@example.com\",\"subject\":\"x\",\"text\":\"y\"}");
        HttpResponse<String> notScheduled =
                s.send(
                        s.api("/v1/emails/" + jobIds(now).get(0) + "/cancel")
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build());
        assertThat(notScheduled.statusCode()).isEqualTo(409);
        assertThat(
                        s.send(
                                        s.api("/v1/emails/" + UUID.randomUUID() + "/cancel")
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build())
                                .statusCode())
                .isEqualTo(404);
    }
}
