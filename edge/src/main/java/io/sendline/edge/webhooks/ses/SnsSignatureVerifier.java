package io.sendline.edge.webhooks.ses;

import io.sendline.edge.http.ApiException;
import io.sendline.edge.webhooks.Webhooks;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies an SNS message the way AWS documents it: the SigningCertURL must be an SNS certificate
 * URL ({@link SnsUrls}), the certificate must be valid now, and the Signature must verify over the
 * canonical string with SHA1withRSA (SignatureVersion 1) or SHA256withRSA (SignatureVersion 2).
 * Messages whose signed Timestamp is older than {@code maxAge} are refused as replays.
 */
public final class SnsSignatureVerifier {

    private static final Logger LOG = LoggerFactory.getLogger(SnsSignatureVerifier.class);
    private static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    private final CertificateFetcher fetcher;
    private final Clock clock;
    private final Duration maxAge;

    public SnsSignatureVerifier(CertificateFetcher fetcher, Clock clock, Duration maxAge) {
        this.fetcher = fetcher;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    /**
     * Returns normally when the message is authentic and fresh.
     *
     * @throws ApiException 401 without a signature, 403 when it does not verify or is stale, 503
     *     when the certificate cannot be fetched (SNS will retry)
     */
    public void verify(SnsMessage m) {
        if (m.signature() == null || m.signatureVersion() == null || m.signingCertUrl() == null) {
            throw Webhooks.unsigned(
                    "SNS message without Signature, SignatureVersion or SigningCertURL");
        }
        String algorithm =
                switch (m.signatureVersion()) {
                    case "1" -> "SHA1withRSA";
                    case "2" -> "SHA256withRSA";
                    default -> throw Webhooks.rejected("unsupported SNS SignatureVersion");
                };
        URI certUrl = SnsUrls.signingCertUrl(m.signingCertUrl());
        if (certUrl == null) {
            throw Webhooks.rejected(
                    "SigningCertURL must be https://sns.<region>.amazonaws.com/....pem");
        }
        String canonical = m.canonical();
        if (canonical == null) {
            throw Webhooks.rejected("SNS message lacks a signed field or has an unknown Type");
        }
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(m.signature());
        } catch (IllegalArgumentException e) {
            throw Webhooks.rejected("SNS Signature is not base64");
        }
        X509Certificate cert;
        try {
            cert = fetcher.fetch(certUrl);
        } catch (IOException e) {
            LOG.warn("Could not fetch the SNS signing certificate: {}", e.toString());
            throw ApiException.unavailable("cannot fetch the SNS signing certificate");
        }
        Instant now = clock.instant();
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException | CertificateNotYetValidException e) {
            throw Webhooks.rejected("SNS signing certificate is not valid now");
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(cert.getPublicKey());
            s.update(canonical.getBytes(StandardCharsets.UTF_8));
            ok = s.verify(signature);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw Webhooks.rejected("SNS signature does not verify");
        }
        Instant sent = Webhooks.instant(m.timestamp());
        if (sent == null) {
            throw Webhooks.rejected("SNS Timestamp is malformed");
        }
        if (sent.isBefore(now.minus(maxAge)) || sent.isAfter(now.plus(CLOCK_SKEW))) {
            throw Webhooks.rejected("SNS message is too old (or from the future): replay refused");
        }
    }
}
