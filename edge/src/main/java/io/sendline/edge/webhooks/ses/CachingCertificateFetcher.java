package io.sendline.edge.webhooks.ses;

import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Caches certificates by URL (SNS rotates its signing certificate rarely and every message names
 * it), for at most {@code ttl} and {@code maxEntries} URLs. Failures are not cached.
 */
public final class CachingCertificateFetcher implements CertificateFetcher {

    private record Entry(X509Certificate certificate, Instant expires) {}

    private final CertificateFetcher delegate;
    private final Duration ttl;
    private final int maxEntries;
    private final Clock clock;
    private final ConcurrentHashMap<URI, Entry> cache = new ConcurrentHashMap<>();

    public CachingCertificateFetcher(
            CertificateFetcher delegate, Duration ttl, int maxEntries, Clock clock) {
        this.delegate = delegate;
        this.ttl = ttl;
        this.maxEntries = maxEntries;
        this.clock = clock;
    }

    @Override
    public X509Certificate fetch(URI url) throws IOException {
        Instant now = clock.instant();
        Entry e = cache.get(url);
        if (e != null && now.isBefore(e.expires())) {
            return e.certificate();
        }
        X509Certificate cert = delegate.fetch(url);
        if (cache.size() >= maxEntries) {
            cache.clear();
        }
        cache.put(url, new Entry(cert, now.plus(ttl)));
        return cert;
    }
}
