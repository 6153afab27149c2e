package io.sendline.send;

import io.sendline.compose.ComposerConfig;
import io.sendline.compose.DefaultComposer;
import io.sendline.compose.DkimKey;
import io.sendline.compose.tracking.TrackingLinks;
import io.sendline.send.render.ComposerProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The production composer ({@link DefaultComposer}), configured from the {@code compose.*} options
 * at build time, so a bad setting fails the submission with a clear message rather than every
 * render subtask at start:
 *
 * <pre>
 * compose.tracking.base-url      = https://t.example.com     (required, the edge's)
 * compose.tracking.secret        = hex:... | base64:... | text (required, >= 32 bytes, the edge's)
 * compose.unsubscribe-mailbox    = unsubscribe@t.example.com (optional)
 * compose.message-id-domain      = mail.example.com          (optional)
 * compose.click-tracking         = true | false              (default true)
 * compose.open-tracking          = true | false              (default true)
 * compose.max-message-bytes      = 26214400                  (optional)
 * compose.dkim.&lt;domain&gt;.selector = s1                        (DKIM per sending domain)
 * compose.dkim.&lt;domain&gt;.key-file = /etc/sendline/dkim.pem     (PKCS#8 PEM)
 * </pre>
 */
final class ComposerProviders {

    static final String PREFIX = "compose.";
    static final String UNSUBSCRIBE_MAILBOX = "compose.unsubscribe-mailbox";
    static final String MESSAGE_ID_DOMAIN = "compose.message-id-domain";
    static final String CLICK_TRACKING = "compose.click-tracking";
    static final String OPEN_TRACKING = "compose.open-tracking";
    static final String MAX_MESSAGE_BYTES = "compose.max-message-bytes";
    static final String DKIM = "compose.dkim.";

    private ComposerProviders() {}

    static ComposerProvider fromOptions(SendPipelineOptions options) {
        ComposerConfig config = config(options.subset(PREFIX));
        return () -> DefaultComposer.create(config);
    }

    static ComposerConfig config(Map<String, String> o) {
        List<String> problems = new ArrayList<>();
        ComposerConfig.Builder b = ComposerConfig.builder();
        String base = o.get(SendPipelineOptions.TRACKING_BASE_URL);
        String secret = o.get(SendPipelineOptions.TRACKING_SECRET);
        if (base == null || base.isBlank()) {
            problems.add(SendPipelineOptions.TRACKING_BASE_URL + " is required");
        }
        if (secret == null || secret.isBlank()) {
            problems.add(SendPipelineOptions.TRACKING_SECRET + " is required");
        }
        b.trackingBaseUrl(base);
        if (secret != null) {
            try {
                b.trackingSecret(TrackingLinks.parseSecret(secret));
            } catch (IllegalArgumentException e) {
                problems.add(SendPipelineOptions.TRACKING_SECRET + ": malformed hex/base64");
            }
        }
        TreeSet<String> dkimDomains = new TreeSet<>();
        for (Map.Entry<String, String> e : o.entrySet()) {
            String k = e.getKey();
            String v = e.getValue().strip();
            switch (k) {
                case SendPipelineOptions.TRACKING_BASE_URL:
                case SendPipelineOptions.TRACKING_SECRET:
                    break;
                case UNSUBSCRIBE_MAILBOX:
                    b.unsubscribeMailbox(v);
                    break;
                case MESSAGE_ID_DOMAIN:
                    b.messageIdDomain(v);
                    break;
                case CLICK_TRACKING:
                    b.clickTracking(bool(problems, k, v));
                    break;
                case OPEN_TRACKING:
                    b.openTracking(bool(problems, k, v));
                    break;
                case MAX_MESSAGE_BYTES:
                    try {
                        b.maxMessageBytes(Long.parseLong(v));
                    } catch (NumberFormatException ex) {
                        problems.add(k + " must be a number of bytes");
                    }
                    break;
                default:
                    if (k.startsWith(DKIM)
                            && (k.endsWith(".selector") || k.endsWith(".key-file"))
                            && k.lastIndexOf('.') > DKIM.length()) {
                        dkimDomains.add(k.substring(DKIM.length(), k.lastIndexOf('.')));
                    } else {
                        problems.add("unknown option '" + k + "'");
                    }
            }
        }
        for (String domain : dkimDomains) {
            String selector = o.get(DKIM + domain + ".selector");
            String file = o.get(DKIM + domain + ".key-file");
            if (selector == null || file == null) {
                problems.add(DKIM + domain + " needs both .selector and .key-file");
                continue;
            }
            try {
                String pem = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
                b.dkimKey(DkimKey.fromPem(domain, selector, pem));
            } catch (IOException | IllegalArgumentException e) {
                problems.add(DKIM + domain + ".key-file cannot be read as a PKCS#8 PEM key");
            }
        }
        if (problems.isEmpty()) {
            try {
                return b.build();
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        throw new IllegalArgumentException(
                "invalid composition options: " + String.join("; ", problems));
    }

    private static boolean bool(List<String> problems, String key, String v) {
        if (!"true".equals(v) && !"false".equals(v)) {
            problems.add(key + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }
}
