package io.sendline.compose;

import io.sendline.common.address.Addresses;
import io.sendline.compose.dkim.DkimSigner;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a {@link DefaultComposer} needs: tracking host and secret, the unsubscribe mailbox,
 * DKIM keys per sending domain and size limits. Serializable, so a Flink function can carry it and
 * build its composer in {@code open()}:
 *
 * <pre>{@code
 * ComposerConfig config = ComposerConfig.builder()
 *         .trackingBaseUrl("https://t.example.com")
 *         .trackingSecret(secretBytes)
 *         .unsubscribeMailbox("unsubscribe@t.example.com")
 *         .dkimKey(DkimKey.fromPem("example.com", "s1", pem))
 *         .build();
 * Composer composer = DefaultComposer.create(config, attachmentStore);
 * }</pre>
 */
public final class ComposerConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String trackingBaseUrl;
    private final byte[] trackingSecret;
    private final String unsubscribeMailbox;
    private final String messageIdDomain;
    private final Map<String, DkimKey> dkimKeys;
    private final boolean clickTracking;
    private final boolean openTracking;
    private final int maxTemplateChars;
    private final int maxSubjectChars;
    private final int maxHtmlChars;
    private final int maxTextChars;
    private final long maxMessageBytes;

    private ComposerConfig(Builder b) {
        this.trackingBaseUrl = b.trackingBaseUrl;
        this.trackingSecret = b.trackingSecret.clone();
        this.unsubscribeMailbox = b.unsubscribeMailbox;
        this.messageIdDomain = b.messageIdDomain;
        this.dkimKeys = Map.copyOf(b.dkimKeys);
        this.clickTracking = b.clickTracking;
        this.openTracking = b.openTracking;
        this.maxTemplateChars = b.maxTemplateChars;
        this.maxSubjectChars = b.maxSubjectChars;
        this.maxHtmlChars = b.maxHtmlChars;
        this.maxTextChars = b.maxTextChars;
        this.maxMessageBytes = b.maxMessageBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Public base URL of the tracking host (click, open, unsubscribe), e.g. https://t.example.com
     */
    public String trackingBaseUrl() {
        return trackingBaseUrl;
    }

    /** HMAC key shared with the edge that verifies tracking URLs. */
    public byte[] trackingSecret() {
        return trackingSecret.clone();
    }

    /** Mailbox of the {@code mailto:} unsubscribe, or null for the https one only. */
    public String unsubscribeMailbox() {
        return unsubscribeMailbox;
    }

    /** Domain of Message-IDs, or null to use the sender's domain. */
    public String messageIdDomain() {
        return messageIdDomain;
    }

    /** DKIM keys by lower-case ASCII domain. */
    public Map<String, DkimKey> dkimKeys() {
        return dkimKeys;
    }

    public boolean clickTracking() {
        return clickTracking;
    }

    public boolean openTracking() {
        return openTracking;
    }

    public int maxTemplateChars() {
        return maxTemplateChars;
    }

    public int maxSubjectChars() {
        return maxSubjectChars;
    }

    public int maxHtmlChars() {
        return maxHtmlChars;
    }

    public int maxTextChars() {
        return maxTextChars;
    }

    public long maxMessageBytes() {
        return maxMessageBytes;
    }

    /** Builds a {@link ComposerConfig}; {@link #build()} checks it. */
    public static final class Builder {
        private String trackingBaseUrl;
        private byte[] trackingSecret;
        private String unsubscribeMailbox;
        private String messageIdDomain;
        private final Map<String, DkimKey> dkimKeys = new LinkedHashMap<>();
        private boolean clickTracking = true;
        private boolean openTracking = true;
        private int maxTemplateChars = 512 * 1024;
        private int maxSubjectChars = 998;
        private int maxHtmlChars = 2 * 1024 * 1024;
        private int maxTextChars = 1024 * 1024;
        private long maxMessageBytes = 25L * 1024 * 1024;

        private Builder() {}

        /** Required: the public base URL of the tracking host (https in production). */
        public Builder trackingBaseUrl(String url) {
            this.trackingBaseUrl = url;
            return this;
        }

        /** Required: the tracking HMAC key, at least 32 bytes, the same as the edge's. */
        public Builder trackingSecret(byte[] secret) {
            this.trackingSecret = secret == null ? null : secret.clone();
            return this;
        }

        /** Mailbox for {@code mailto:} unsubscribes (List-Unsubscribe); optional. */
        public Builder unsubscribeMailbox(String mailbox) {
            this.unsubscribeMailbox = mailbox;
            return this;
        }

        /** Domain of Message-IDs; default: the sender's domain. */
        public Builder messageIdDomain(String domain) {
            this.messageIdDomain = domain;
            return this;
        }

        /** Signs mail from {@code key.domain()} (and its subdomains without a key of their own). */
        public Builder dkimKey(DkimKey key) {
            this.dkimKeys.put(key.domain().toLowerCase(Locale.ROOT), key);
            return this;
        }

        /** Rewrites links to click-tracking URLs (default true). */
        public Builder clickTracking(boolean on) {
            this.clickTracking = on;
            return this;
        }

        /** Adds the open pixel (default true). */
        public Builder openTracking(boolean on) {
            this.openTracking = on;
            return this;
        }

        /** Largest template part accepted by compile, in characters (default 512 Ki). */
        public Builder maxTemplateChars(int n) {
            this.maxTemplateChars = n;
            return this;
        }

        /** Largest rendered subject, in characters (default 998). */
        public Builder maxSubjectChars(int n) {
            this.maxSubjectChars = n;
            return this;
        }

        /** Largest rendered HTML part, in characters (default 2 Mi). */
        public Builder maxHtmlChars(int n) {
            this.maxHtmlChars = n;
            return this;
        }

        /** Largest rendered text part, in characters (default 1 Mi). */
        public Builder maxTextChars(int n) {
            this.maxTextChars = n;
            return this;
        }

        /** Largest whole message with attachments, in bytes (default 25 MiB). */
        public Builder maxMessageBytes(long n) {
            this.maxMessageBytes = n;
            return this;
        }

        public ComposerConfig build() {
            if (trackingBaseUrl == null
                    || !(trackingBaseUrl.startsWith("https://")
                            || trackingBaseUrl.startsWith("http://"))) {
                throw new IllegalArgumentException("trackingBaseUrl must be an http(s) URL");
            }
            if (trackingSecret == null || trackingSecret.length < 32) {
                throw new IllegalArgumentException("trackingSecret must be at least 32 bytes");
            }
            if (unsubscribeMailbox != null
                    && !unsubscribeMailbox.matches("[^@\\s<>]+@[^@\\s<>?]+")) {
                throw new IllegalArgumentException("unsubscribeMailbox must be local@domain");
            }
            if (maxTemplateChars < 1
                    || maxSubjectChars < 1
                    || maxHtmlChars < 1
                    || maxTextChars < 1
                    || maxMessageBytes < 1) {
                throw new IllegalArgumentException("size limits must be positive");
            }
            if (messageIdDomain != null
                    && !messageIdDomain.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
                throw new IllegalArgumentException("messageIdDomain must be an ASCII host name");
            }
            for (DkimKey k : dkimKeys.values()) {
                // fails here, naming the domain, rather than at the first message
                new DkimSigner(Addresses.asciiDomain(k.domain()), k.selector(), k.privateKey());
            }
            return new ComposerConfig(this);
        }
    }
}
