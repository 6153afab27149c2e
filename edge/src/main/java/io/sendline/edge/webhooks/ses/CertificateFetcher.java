package io.sendline.edge.webhooks.ses;

import java.io.IOException;
import java.net.URI;
import java.security.cert.X509Certificate;

/**
 * Fetches the X.509 certificate SNS signed a message with. Behind an interface so tests can serve
 * their own certificate; the URL has been validated by {@link SnsUrls} before any fetcher sees it.
 */
@FunctionalInterface
public interface CertificateFetcher {
    X509Certificate fetch(URI url) throws IOException;
}
