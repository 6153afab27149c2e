package io.sendline.edge.http;

import io.undertow.server.HttpServerExchange;
import io.undertow.util.HttpString;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Deque;
import java.util.Map;

/**
 * One request as an endpoint sees it: path parameters, query, headers, the full body and the
 * caller's API key id (for authenticated routes).
 */
public final class Call {

    private static final byte[] NO_BODY = new byte[0];

    private final HttpServerExchange exchange;
    private final Map<String, String> params;
    private final byte[] body;
    private final String apiKeyId;
    private final boolean trustForwardedFor;

    Call(
            HttpServerExchange exchange,
            Map<String, String> params,
            byte[] body,
            String apiKeyId,
            boolean trustForwardedFor) {
        this.exchange = exchange;
        this.params = params;
        this.body = body == null ? NO_BODY : body;
        this.apiKeyId = apiKeyId;
        this.trustForwardedFor = trustForwardedFor;
    }

    /** A path parameter (already URL-decoded). */
    public String param(String name) {
        return params.get(name);
    }

    /** The first value of a query parameter, or null. */
    public String query(String name) {
        Deque<String> v = exchange.getQueryParameters().get(name);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    /** The first value of a request header, or null. */
    public String header(String name) {
        return exchange.getRequestHeaders().getFirst(HttpString.tryFromString(name));
    }

    /** The raw request body (empty when there is none). */
    public byte[] body() {
        return body;
    }

    /** Id of the API key that authenticated the call, or null on public routes. */
    public String apiKeyId() {
        return apiKeyId;
    }

    /** HTTP method. */
    public String method() {
        return exchange.getRequestMethod().toString();
    }

    /** The request path as received (decoded). */
    public String path() {
        return exchange.getRequestPath();
    }

    /**
     * The client's address: the peer, or the first X-Forwarded-For entry when the edge is
     * configured to trust its load balancer.
     */
    public InetAddress clientAddress() {
        if (trustForwardedFor) {
            String xff = header("X-Forwarded-For");
            if (xff != null && !xff.isBlank()) {
                int comma = xff.indexOf(',');
                String first = (comma < 0 ? xff : xff.substring(0, comma)).trim();
                InetAddress parsed = Inet.parseLiteral(first);
                if (parsed != null) {
                    return parsed;
                }
            }
        }
        InetSocketAddress source = exchange.getSourceAddress();
        return source == null ? null : source.getAddress();
    }

    /** The underlying exchange, for the rare endpoint that needs more. */
    public HttpServerExchange exchange() {
        return exchange;
    }
}
