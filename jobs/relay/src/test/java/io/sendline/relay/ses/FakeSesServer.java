package io.sendline.relay.ses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An SES v2 endpoint on a real socket (JDK HttpServer) that checks what SesRelay sends: the request
 * is {@code POST /v2/email/outbound-emails} with a well-formed SigV4 {@code Authorization} header
 * whose signature it recomputes from the known secret key, and a JSON body with Raw content. It
 * answers by the recipient's local part: {@code throttle}, {@code throttle-hint} (with
 * Retry-After), {@code rejected}, {@code error500}, {@code unavailable}, {@code slow} (3 s), else
 * success.
 */
final class FakeSesServer implements AutoCloseable {

    /** A request that passed the checks. */
    record Call(
            String region,
            String accessKey,
            String recipient,
            byte[] raw,
            String configurationSet,
            JsonNode tags) {}

    static final Pattern AUTHORIZATION =
            Pattern.compile(
                    "AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)/(\\d{8})/([a-z0-9-]+)/ses/aws4_request,"
                            + " ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String secretKey;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<String> rejectedRequests = new CopyOnWriteArrayList<>();
    private final AtomicInteger requests = new AtomicInteger();

    FakeSesServer(String secretKey) throws IOException {
        this.secretKey = secretKey;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8));
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Call> calls() {
        return new ArrayList<>(calls);
    }

    /** Why requests were refused as malformed (empty when every request was well-formed). */
    List<String> malformed() {
        return new ArrayList<>(rejectedRequests);
    }

    int requests() {
        return requests.get();
    }

    private void handle(HttpExchange x) throws IOException {
        requests.incrementAndGet();
        try (x) {
            byte[] body = x.getRequestBody().readAllBytes();
            String problem = check(x, body);
            if (problem != null) {
                rejectedRequests.add(problem);
                reply(x, 400, "BadRequestException", "{\"message\":\"" + problem + "\"}", null);
                return;
            }
            JsonNode n = JSON.readTree(body);
            String recipient = n.path("Destination").path("ToAddresses").path(0).asText();
            Matcher m = AUTHORIZATION.matcher(x.getRequestHeaders().getFirst("Authorization"));
            m.matches();
            calls.add(
                    new Call(
                            m.group(3),
                            m.group(1),
                            recipient,
                            java.util.Base64.getDecoder()
                                    .decode(n.path("Content").path("Raw").path("Data").asText()),
                            n.path("ConfigurationSetName").isMissingNode()
                                    ? null
                                    : n.path("ConfigurationSetName").asText(),
                            n.path("EmailTags")));
            String local = recipient.substring(0, recipient.indexOf('@'));
            switch (local) {
                case "throttle":
                    reply(
                            x,
                            429,
                            "TooManyRequestsException",
                            "{\"message\":\"Maximum sending rate exceeded.\"}",
                            null);
                    break;
                case "throttle-hint":
                    reply(
                            x,
                            429,
                            "TooManyRequestsException",
                            "{\"message\":\"Maximum sending rate exceeded.\"}",
                            "7");
                    break;
                case "rejected":
                    reply(
                            x,
                            400,
                            "MessageRejected",
                            "{\"message\":\"Email address is not verified. The following"
                                    + " identities failed the check in region EU-WEST-1:"
                                    + " hello@example.com\"}",
                            null);
                    break;
                case "error500":
                    reply(x, 500, "InternalFailure", "{\"message\":\"internal error\"}", null);
                    break;
                case "unavailable":
                    reply(x, 503, null, "", null);
                    break;
                case "slow":
                    Thread.sleep(3000);
                    reply(x, 200, null, "{\"MessageId\":\"slow-id\"}", null);
                    break;
                default:
                    reply(
                            x,
                            200,
                            null,
                            "{\"MessageId\":\"0102018c-" + calls.size() + "-fake\"}",
                            null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Null when the request is a well-formed, correctly signed SESv2 SendEmail; else why not. */
    private String check(HttpExchange x, byte[] body) {
        if (!"POST".equals(x.getRequestMethod())) {
            return "method " + x.getRequestMethod();
        }
        if (!"/v2/email/outbound-emails".equals(x.getRequestURI().getRawPath())) {
            return "path " + x.getRequestURI().getRawPath();
        }
        String auth = x.getRequestHeaders().getFirst("Authorization");
        if (auth == null) {
            return "no Authorization header";
        }
        Matcher m = AUTHORIZATION.matcher(auth);
        if (!m.matches()) {
            return "Authorization is not SigV4: " + auth;
        }
        String amzDate = x.getRequestHeaders().getFirst("X-Amz-Date");
        if (amzDate == null
                || !amzDate.matches("\\d{8}T\\d{6}Z")
                || !amzDate.startsWith(m.group(2))) {
            return "X-Amz-Date missing or not matching the credential scope: " + amzDate;
        }
        List<String> signed = Arrays.asList(m.group(4).split(";"));
        if (!signed.contains("host") || !signed.contains("x-amz-date")) {
            return "host and x-amz-date must be signed: " + signed;
        }
        String expected;
        try {
            expected = signature(x, body, signed, amzDate, m.group(2), m.group(3));
        } catch (Exception e) {
            return "cannot verify: " + e;
        }
        if (!expected.equals(m.group(5))) {
            return "signature does not verify";
        }
        JsonNode n;
        try {
            n = JSON.readTree(body);
        } catch (IOException e) {
            return "body is not JSON";
        }
        if (!n.path("Content").path("Raw").path("Data").isTextual()) {
            return "not Raw content";
        }
        if (!n.path("Destination").path("ToAddresses").path(0).isTextual()) {
            return "no destination";
        }
        return null;
    }

    private String signature(
            HttpExchange x,
            byte[] body,
            List<String> signed,
            String amzDate,
            String date,
            String region)
            throws Exception {
        StringBuilder canonical = new StringBuilder();
        canonical.append(x.getRequestMethod()).append('\n');
        canonical.append(x.getRequestURI().getRawPath()).append('\n');
        String q = x.getRequestURI().getRawQuery();
        canonical.append(q == null ? "" : q).append('\n');
        for (String h : signed) {
            List<String> values = x.getRequestHeaders().get(h);
            if (values == null) {
                throw new IllegalStateException("signed header " + h + " is missing");
            }
            canonical
                    .append(h)
                    .append(':')
                    .append(String.join(",", values).trim().replaceAll(" +", " "))
                    .append('\n');
        }
        canonical.append('\n').append(String.join(";", signed)).append('\n');
        canonical.append(hex(sha256(body)));
        String scope = date + "/" + region + "/ses/aws4_request";
        String toSign =
                "AWS4-HMAC-SHA256\n"
                        + amzDate
                        + "\n"
                        + scope
                        + "\n"
                        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
        byte[] k = hmac(("AWS4" + secretKey).getBytes(StandardCharsets.UTF_8), date);
        k = hmac(k, region);
        k = hmac(k, "ses");
        k = hmac(k, "aws4_request");
        return hex(hmac(k, toSign));
    }

    private static byte[] sha256(byte[] b) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(b);
    }

    private static byte[] hmac(byte[] key, String data) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b).toLowerCase(Locale.ROOT);
    }

    private static void reply(
            HttpExchange x, int status, String errorType, String json, String retryAfter)
            throws IOException {
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.getResponseHeaders().set("x-amzn-RequestId", "req-" + System.nanoTime());
        if (errorType != null) {
            x.getResponseHeaders().set("x-amzn-ErrorType", errorType);
        }
        if (retryAfter != null) {
            x.getResponseHeaders().set("Retry-After", retryAfter);
        }
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        if (b.length > 0) {
            try (OutputStream out = x.getResponseBody()) {
                out.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
