package io.sendline.bench.e2e;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the load harness sends: recipients (deterministic per sequence number, with the configured
 * shares of sandbox bounce, complaint and unknown-user addresses and of pre-suppressed addresses),
 * the templates, and the job records.
 */
final class Workload {

    /** What should happen to a recipient. */
    enum Kind {
        DELIVER,
        BOUNCE,
        COMPLAINT,
        UNKNOWN,
        SUPPRESSED
    }

    static final String SIMULATOR = "simulator.sendline.dev";
    static final String MARKETING_POOL = "marketing";
    static final String TX_POOL = "transactional";

    private static final List<String> BIG_DOMAINS =
            List.of(
                    "gmail.com",
                    "yahoo.com",
                    "outlook.com",
                    "hotmail.com",
                    "icloud.com",
                    "aol.com",
                    "gmx.de",
                    "web.de");

    final String run;
    final LoadConfig cfg;
    final String campaignId;
    final String marketingTemplate;
    final String txTemplate;

    Workload(String run, LoadConfig cfg) {
        this.run = run;
        this.cfg = cfg;
        this.campaignId = "load-" + run;
        this.marketingTemplate = "load-marketing-" + run;
        this.txTemplate = "load-tx-" + run;
    }

    private Workload(String run, LoadConfig cfg, Workload templatesOf) {
        this.run = run;
        this.cfg = cfg;
        this.campaignId = "load-" + run;
        this.marketingTemplate = templatesOf.marketingTemplate;
        this.txTemplate = templatesOf.txTemplate;
    }

    /**
     * The warm-up's workload: the same templates, its own run id, campaign and job ids (none of
     * them starts with this run's), so nothing of it is counted in the measured run.
     */
    Workload warmup() {
        return new Workload("w" + run, cfg, this);
    }

    /** A uniform fraction in [0, 1) for a sequence number (a fixed mix, not a random one). */
    private static double fraction(long seq, long salt) {
        long h = (seq + salt) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (h >>> 11) * 0x1.0p-53;
    }

    Kind kind(long seq, boolean tx) {
        double u = fraction(seq, tx ? 7 : 3);
        double b = cfg.bounceShare;
        double c = b + cfg.complaintShare;
        double n = c + cfg.unknownShare;
        double s = n + cfg.suppressedShare;
        if (u < b) {
            return Kind.BOUNCE;
        }
        if (u < c) {
            return Kind.COMPLAINT;
        }
        if (u < n) {
            return Kind.UNKNOWN;
        }
        if (u < s) {
            return Kind.SUPPRESSED;
        }
        return Kind.DELIVER;
    }

    /** The recipient of sequence number {@code seq} of a lane. */
    String address(long seq, boolean tx) {
        String tag = run + "-" + (tx ? "t" : "m") + seq;
        return switch (kind(seq, tx)) {
            case BOUNCE -> "bounce+" + tag + "@" + SIMULATOR;
            case COMPLAINT -> "complaint+" + tag + "@" + SIMULATOR;
            case UNKNOWN -> "unknown+" + tag + "@" + SIMULATOR;
            case SUPPRESSED -> "s" + tag + "@suppressed.example.com";
            case DELIVER -> "u" + tag + "@" + domain(seq);
        };
    }

    /** Skewed over the domains: the big mailbox providers get most of the mail, as in life. */
    private String domain(long seq) {
        double u = fraction(seq, 11);
        int k = (int) (u * u * cfg.domains);
        return k < BIG_DOMAINS.size() ? BIG_DOMAINS.get(k) : "mail" + k + ".example.net";
    }

    String marketingJobId(long seq) {
        return campaignId + "-" + seq;
    }

    /** The sequence number of one of this run's marketing job ids, or -1. */
    long marketingSeq(String jobId) {
        if (jobId == null
                || !jobId.startsWith(campaignId)
                || jobId.length() <= campaignId.length() + 1) {
            return -1;
        }
        try {
            return Long.parseLong(jobId.substring(campaignId.length() + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    EmailJob marketingJob(long seq, Instant createdAt) {
        String vars =
                "{\"firstName\":\"Reader "
                        + seq
                        + "\",\"offer\":\"SPRING"
                        + (seq % 50)
                        + "\",\"items\":[{\"name\":\"Trail shoe\",\"price\":\"89.00\"},"
                        + "{\"name\":\"Rain jacket\",\"price\":\"129.00\"},"
                        + "{\"name\":\"Socks (3 pairs)\",\"price\":\"15.00\"}]}";
        return new EmailJob(
                marketingJobId(seq),
                EmailType.MARKETING,
                MARKETING_POOL,
                address(seq, false),
                null,
                "news@shop.example.com",
                "Shop News",
                null,
                marketingTemplate,
                null,
                null,
                null,
                null,
                vars,
                campaignId,
                null,
                List.of("load"),
                Map.of("loadRun", run),
                null,
                null,
                0,
                null,
                createdAt);
    }

    /** Body of {@code POST /v1/emails} for transactional email {@code seq}. */
    String txRequest(long seq) {
        return "{\"to\":\""
                + address(seq, true)
                + "\",\"from\":\"security@app.example.com\",\"type\":\"transactional\","
                + "\"templateId\":\""
                + txTemplate
                + "\",\"variables\":{\"name\":\"User "
                + seq
                + "\",\"code\":\""
                + String.format("%06d", (seq * 7919) % 1_000_000)
                + "\"},\"tags\":[\"load\"],\"metadata\":{\"loadRun\":\""
                + run
                + "\"}}";
    }

    /** Body of {@code POST /v1/templates} for the transactional template. */
    String txTemplateRequest() {
        return "{\"templateId\":\""
                + txTemplate
                + "\",\"name\":\"Load: sign-in code\",\"subject\":\"Your sign-in code {{ code }}\","
                + "\"html\":\"<p>Hello {{ name }},</p><p>your code is <b>{{ code }}</b>.</p>"
                + "<p><a href=\\\"https://app.example.com/help\\\">Not you?</a></p>\","
                + "\"text\":\"Hello {{ name }}, your code is {{ code }}.\"}";
    }

    /** Body of {@code POST /v1/templates} for the marketing template of about templateKb KiB. */
    String marketingTemplateRequest() {
        StringBuilder html = new StringBuilder();
        html.append(
                "<html><head><style>body{font-family:Arial,sans-serif;color:#222}"
                        + ".card{border:1px solid #ddd;padding:12px;margin:8px 0}"
                        + ".price{color:#0a7;font-weight:bold}.cta{background:#0a7;color:#fff;"
                        + "padding:10px 16px;text-decoration:none}</style></head><body>"
                        + "<h1>Hello {{ firstName }}!</h1><p>Use code <b>{{ offer }}</b>.</p>"
                        + "{% for item in items %}<div class=\"card\"><span>{{ item.name }}</span>"
                        + " <span class=\"price\">{{ item.price }}</span></div>{% endfor %}"
                        + "<p><a class=\"cta\" href=\"https://shop.example.com/sale\">Shop the sale</a></p>");
        int i = 0;
        while (html.length() < cfg.templateKb * 1024) {
            html.append("<div class=\"card\"><h2>Story ")
                    .append(i)
                    .append("</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed")
                    .append(" do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut")
                    .append(" enim ad minim veniam, quis nostrud exercitation ullamco laboris.</p>")
                    .append("<p><a href=\"https://shop.example.com/story/")
                    .append(i)
                    .append("\">Read more</a></p></div>");
            i++;
        }
        html.append("<p style=\"font-size:11px\">You receive this because you subscribed.</p>")
                .append("</body></html>");
        return "{\"templateId\":\""
                + marketingTemplate
                + "\",\"name\":\"Load: spring sale\",\"subject\":\"{{ firstName }}, the spring"
                + " sale starts now\",\"html\":"
                + jsonString(html.toString())
                + "}";
    }

    static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16).append('"');
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> b.append(ch);
            }
        }
        return b.append('"').toString();
    }
}
