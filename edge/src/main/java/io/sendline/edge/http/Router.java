package io.sendline.edge.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches a method and a decoded path against the route templates. A template segment is a literal,
 * a parameter {@code {name}}, or a parameter with a literal suffix {@code {name}.gif}. Parameters
 * never match an empty segment.
 */
public final class Router {

    private final List<Compiled> routes = new ArrayList<>();

    /** Adds a route; a second route with the same method and template is refused. */
    public void add(Route route) {
        for (Compiled c : routes) {
            if (c.route.method().equals(route.method())
                    && c.route.template().equals(route.template())) {
                throw new IllegalArgumentException(
                        "duplicate route " + route.method() + " " + route.template());
            }
        }
        routes.add(new Compiled(route, segments(route.template())));
    }

    /** Every route, in the order added. */
    public List<Route> routes() {
        List<Route> out = new ArrayList<>(routes.size());
        for (Compiled c : routes) {
            out.add(c.route);
        }
        return out;
    }

    /**
     * Finds the route for a request.
     *
     * @return a match, or a miss that says whether the path exists with other methods (405)
     */
    public Match match(String method, String path) {
        String[] parts = split(path);
        Set<String> allowed = null;
        for (Compiled c : routes) {
            Map<String, String> params = c.match(parts);
            if (params == null) {
                continue;
            }
            if (c.route.method().equals(method)) {
                return new Match(c.route, params, Set.of());
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            allowed.add(c.route.method());
        }
        return new Match(null, Map.of(), allowed == null ? Set.of() : allowed);
    }

    /**
     * Result of {@link #match}.
     *
     * @param route the route, or null
     * @param params path parameters
     * @param allowedMethods when route is null: methods the path does accept (empty: 404)
     */
    public record Match(Route route, Map<String, String> params, Set<String> allowedMethods) {}

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/") && !p.isEmpty()) {
            p = p.substring(0, p.length() - 1);
        }
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    private static Segment[] segments(String template) {
        String[] parts = split(template);
        Segment[] out = new Segment[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String s = parts[i];
            if (s.startsWith("{")) {
                int close = s.indexOf('}');
                if (close < 0) {
                    throw new IllegalArgumentException("bad template segment " + s);
                }
                out[i] = new Segment(null, s.substring(1, close), s.substring(close + 1));
            } else {
                out[i] = new Segment(s, null, null);
            }
        }
        return out;
    }

    private record Segment(String literal, String param, String suffix) {}

    private record Compiled(Route route, Segment[] segments) {
        Map<String, String> match(String[] parts) {
            if (parts.length != segments.length) {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < parts.length; i++) {
                Segment s = segments[i];
                String p = parts[i];
                if (s.literal != null) {
                    if (!s.literal.equals(p)) {
                        return null;
                    }
                    continue;
                }
                if (!p.endsWith(s.suffix) || p.length() == s.suffix.length()) {
                    return null;
                }
                if (params == null) {
                    params = new HashMap<>(4);
                }
                params.put(s.param, p.substring(0, p.length() - s.suffix.length()));
            }
            return params == null ? Map.of() : params;
        }
    }
}
