package io.sendline.edge.tracking;

import io.sendline.common.address.Addresses;
import io.sendline.common.address.InvalidAddressException;
import io.sendline.compose.tracking.TrackingLinks;
import io.sendline.edge.db.SuppressionStore;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.Call;
import io.sendline.edge.http.Response;
import io.sendline.edge.http.Route;
import io.sendline.edge.kafka.EventPublisher;
import io.sendline.edge.webhooks.RelayEventSink;
import io.sendline.schemas.RelayEvent;
import io.sendline.schemas.SuppressionChange;
import io.sendline.schemas.SuppressionReason;
import io.sendline.schemas.Topics;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * The recipient-facing endpoints: the open pixel, click redirects and one-click unsubscribe.
 *
 * <p>Open and click are the hot path: they run on the IO thread, verify the HMAC of the signed URL
 * ({@link TrackingLinks}, the same class composition signs with), answer at once and publish the
 * event to {@code email.relay-events} without waiting (neither PostgreSQL nor the broker's
 * acknowledgement delays a person's click). A click redirects only when the signature verifies and
 * the target is an absolute http(s) URL: every other request gets 404, so the edge is never an open
 * redirect.
 *
 * <p>Unsubscribe follows RFC 8058: {@code GET /u/{token}} only shows a confirmation page (mail
 * scanners fetch links, and must not unsubscribe anyone); {@code POST /u/{token}} with {@code
 * List-Unsubscribe=One-Click} unsubscribes at once, without login or redirect: the address is added
 * to the suppression list (marketing scope) and an UNSUBSCRIBED event is published, and the answer
 * comes once both are safe.
 */
public final class TrackingEndpoints {

    /** A transparent 1x1 GIF89a (43 bytes). */
    static final byte[] PIXEL = {
        'G',
        'I',
        'F',
        '8',
        '9',
        'a',
        1,
        0,
        1,
        0,
        (byte) 0x80,
        0,
        0,
        0,
        0,
        0,
        (byte) 0xff,
        (byte) 0xff,
        (byte) 0xff,
        '!',
        (byte) 0xf9,
        4,
        1,
        0,
        0,
        0,
        0,
        ',',
        0,
        0,
        0,
        0,
        1,
        0,
        1,
        0,
        0,
        2,
        2,
        'D',
        1,
        0,
        ';'
    };

    private static final String NO_STORE = "no-store, no-cache, must-revalidate, max-age=0";
    private static final Pattern TOKEN =
            Pattern.compile("[A-Za-z0-9_-]{1,2048}\\.[A-Za-z0-9_-]{1,64}");
    private static final int MAX_USER_AGENT = 512;

    private final TrackingLinks links;
    private final MachineOpenDetector machine;
    private final RelayEventSink events;
    private final SuppressionStore suppressions;
    private final EventPublisher publisher;
    private final long maxBody;
    private final Clock clock;

    public TrackingEndpoints(
            TrackingLinks links,
            MachineOpenDetector machine,
            RelayEventSink events,
            SuppressionStore suppressions,
            EventPublisher publisher,
            long maxBody,
            Clock clock) {
        this.links = links;
        this.machine = machine;
        this.events = events;
        this.suppressions = suppressions;
        this.publisher = publisher;
        this.maxBody = maxBody;
        this.clock = clock;
    }

    /** The routes of the tracking host. */
    public List<Route> routes() {
        return List.of(
                Route.get(
                        "/o/{jobId}/{sig}.gif",
                        Route.Access.PUBLIC,
                        Route.Execution.IO_THREAD,
                        this::open),
                Route.get(
                        "/c/{jobId}/{target}/{sig}",
                        Route.Access.PUBLIC,
                        Route.Execution.IO_THREAD,
                        this::click),
                Route.get(
                        "/u/{token}",
                        Route.Access.PUBLIC,
                        Route.Execution.IO_THREAD,
                        this::unsubscribePage),
                new Route(
                        "POST",
                        "/u/{token}",
                        Route.Access.PUBLIC,
                        Route.Execution.WORKER,
                        maxBody,
                        this::unsubscribe));
    }

    CompletionStage<Response> open(Call call) {
        String jobId = call.param("jobId");
        if (!links.verifyOpen(jobId, call.param("sig"))) {
            return notFound();
        }
        String ua = clip(call.header("User-Agent"));
        Instant now = clock.instant();
        events.publishNow(
                new RelayEvent(
                        fastId(),
                        RelayEvent.Provider.TRACKING,
                        RelayEvent.Type.OPENED,
                        jobId,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        ua,
                        machine.isMachine(ua, call.clientAddress()),
                        now,
                        now));
        return CompletableFuture.completedFuture(
                new Response(
                        200,
                        "image/gif",
                        PIXEL,
                        java.util.Map.of(
                                "Cache-Control", NO_STORE, "Pragma", "no-cache", "Expires", "0")));
    }

    CompletionStage<Response> click(Call call) {
        String jobId = call.param("jobId");
        Optional<String> target = links.verifyClick(jobId, call.param("target"), call.param("sig"));
        if (target.isEmpty() || !safeRedirect(target.get())) {
            return notFound();
        }
        String ua = clip(call.header("User-Agent"));
        Instant now = clock.instant();
        events.publishNow(
                new RelayEvent(
                        fastId(),
                        RelayEvent.Provider.TRACKING,
                        RelayEvent.Type.CLICKED,
                        jobId,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        target.get(),
                        ua,
                        false,
                        now,
                        now));
        return CompletableFuture.completedFuture(
                new Response(
                        302,
                        null,
                        new byte[0],
                        java.util.Map.of(
                                "Location",
                                target.get(),
                                "Cache-Control",
                                NO_STORE,
                                "Referrer-Policy",
                                "no-referrer")));
    }

    /**
     * Defence in depth on top of the signature: an absolute http(s) URL with a host, no control or
     * space characters (no header splitting), no user info.
     */
    static boolean safeRedirect(String target) {
        if (target.length() > 8192) {
            return false;
        }
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c <= 0x20 || c == 0x7f || c == '\\') {
                return false;
            }
        }
        URI u;
        try {
            u = new URI(target);
        } catch (URISyntaxException e) {
            return false;
        }
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        return (scheme.equals("http") || scheme.equals("https"))
                && u.getHost() != null
                && !u.getHost().isEmpty()
                && u.getRawUserInfo() == null;
    }

    CompletionStage<Response> unsubscribePage(Call call) {
        String token = call.param("token");
        if (!TOKEN.matcher(token).matches() || links.verifyUnsubscribe(token).isEmpty()) {
            return CompletableFuture.completedFuture(
                    page(404, "Link not valid", "<p>This unsubscribe link is not valid.</p>"));
        }
        // The token is [A-Za-z0-9_.-] only (checked above), so it is safe in the attribute.
        String body =
                "<p>Do you want to stop receiving these emails?</p>"
                        + "<form method=\"post\" action=\"/u/"
                        + token
                        + "\">"
                        + "<input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">"
                        + "<button type=\"submit\">Unsubscribe</button></form>";
        return CompletableFuture.completedFuture(page(200, "Unsubscribe", body));
    }

    CompletionStage<Response> unsubscribe(Call call) throws SQLException {
        String token = call.param("token");
        Optional<TrackingLinks.UnsubscribeToken> t =
                TOKEN.matcher(token).matches() ? links.verifyUnsubscribe(token) : Optional.empty();
        if (t.isEmpty()) {
            return CompletableFuture.completedFuture(
                    page(404, "Link not valid", "<p>This unsubscribe link is not valid.</p>"));
        }
        if (!isOneClick(call.header("Content-Type"), call.body())) {
            throw ApiException.invalid("body", "expected List-Unsubscribe=One-Click (RFC 8058)");
        }
        String address;
        try {
            address = Addresses.normalise(t.get().address());
        } catch (InvalidAddressException e) {
            throw ApiException.invalid("token", "the token's address is not valid");
        }
        String jobId = t.get().jobId();
        Instant now = clock.instant();
        suppressions.add(
                address,
                SuppressionReason.UNSUBSCRIBE,
                "one-click-unsubscribe",
                jobId,
                now,
                entry ->
                        await(
                                publisher.send(
                                        Topics.SUPPRESSIONS,
                                        entry.address(),
                                        new SuppressionChange(
                                                entry.address(),
                                                SuppressionChange.Action.ADD,
                                                entry.reason(),
                                                entry.source(),
                                                entry.jobId(),
                                                now))));
        RelayEvent unsubscribed =
                new RelayEvent(
                        "unsubscribe:" + jobId,
                        RelayEvent.Provider.TRACKING,
                        RelayEvent.Type.UNSUBSCRIBED,
                        jobId,
                        null,
                        address,
                        null,
                        null,
                        null,
                        null,
                        null,
                        clip(call.header("User-Agent")),
                        false,
                        now,
                        now);
        return events.publish(List.of(unsubscribed))
                .thenApply(
                        n ->
                                page(
                                        200,
                                        "Unsubscribed",
                                        "<p>You are unsubscribed. You will not receive these emails any more.</p>"));
    }

    /** RFC 8058: the body is {@code List-Unsubscribe=One-Click}, form-urlencoded or multipart. */
    static boolean isOneClick(String contentType, byte[] body) {
        String s = new String(body, StandardCharsets.UTF_8);
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (ct.startsWith("multipart/form-data")) {
            // A part named List-Unsubscribe whose value is One-Click.
            return Pattern.compile(
                            "name=\"?List-Unsubscribe\"?[^\\r\\n]*\\r?\\n(?:[^\\r\\n]+\\r?\\n)*\\r?\\nOne-Click\\r?\\n")
                    .matcher(s)
                    .find();
        }
        for (String pair : s.strip().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                String k =
                        java.net.URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                String v =
                        java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (k.equals("List-Unsubscribe") && v.equals("One-Click")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Void await(CompletableFuture<Void> ack) {
        try {
            ack.get(30, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof ApiException a
                    ? a
                    : ApiException.unavailable("broker unavailable");
        } catch (TimeoutException e) {
            throw ApiException.unavailable("the broker did not acknowledge in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted");
        }
    }

    private static Response page(int status, String title, String body) {
        String html =
                "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                        + "<meta name=\"robots\" content=\"noindex\"><title>"
                        + title
                        + "</title>"
                        + "<style>body{font-family:system-ui,sans-serif;max-width:32em;margin:4em auto;padding:0 1em}"
                        + "button{font-size:1em;padding:.5em 1.5em}</style></head><body><h1>"
                        + title
                        + "</h1>"
                        + body
                        + "</body></html>";
        return Response.html(status, html)
                .withHeader("Cache-Control", NO_STORE)
                .withHeader(
                        "Content-Security-Policy",
                        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
                .withHeader("Referrer-Policy", "no-referrer");
    }

    private static CompletionStage<Response> notFound() {
        return CompletableFuture.completedFuture(
                ApiException.notFound("no such link")
                        .toResponse()
                        .withHeader("Cache-Control", NO_STORE));
    }

    private static String clip(String ua) {
        return ua == null || ua.length() <= MAX_USER_AGENT ? ua : ua.substring(0, MAX_USER_AGENT);
    }

    /** Event ids of opens and clicks: unique, not secret, so no SecureRandom on the hot path. */
    private static String fastId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long hi = (r.nextLong() & ~0xF000L) | 0x4000L;
        long lo = (r.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(hi, lo).toString();
    }
}
