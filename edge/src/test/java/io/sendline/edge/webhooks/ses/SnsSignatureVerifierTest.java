package io.sendline.edge.webhooks.ses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.support.SnsSigner;
import io.sendline.edge.support.TestCertificates;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SnsSignatureVerifierTest {

    static KeyPair keys;
    static X509Certificate cert;
    static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    static final String TS = "2026-03-01T11:59:30.000Z";

    final List<URI> fetched = new ArrayList<>();
    final SnsSignatureVerifier verifier =
            new SnsSignatureVerifier(
                    url -> {
                        fetched.add(url);
                        return cert;
                    },
                    Clock.fixed(NOW, ZoneOffset.UTC),
                    Duration.ofHours(1));

    @BeforeAll
    static void keys() {
        keys = TestCertificates.rsa();
        cert =
                TestCertificates.selfSigned(
                        keys, NOW.minus(Duration.ofDays(1)), Duration.ofDays(30));
    }

    private static SnsMessage msg(ObjectNode n) {
        return SnsMessage.of(n);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "2"})
    void acceptsSignatureVersionsOneAndTwo(String version) {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{\"a\":1}", TS, version, SnsSigner.CERT_URL);
        assertThatCode(() -> verifier.verify(msg(n))).doesNotThrowAnyException();
        assertThat(fetched).containsExactly(URI.create(SnsSigner.CERT_URL));
    }

    @Test
    void acceptsASignedSubscriptionConfirmation() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .subscriptionConfirmation(
                                "m-2",
                                "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc",
                                TS);
        assertThatCode(() -> verifier.verify(msg(n))).doesNotThrowAnyException();
    }

    @Test
    void refusesATamperedMessage() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{\"a\":1}", TS, "1", SnsSigner.CERT_URL);
        n.put("Message", "{\"a\":2}");
        assertRejected(n, 403);
    }

    @Test
    void refusesATamperedTopicOrId() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{}", TS, "2", SnsSigner.CERT_URL);
        n.put("MessageId", "m-2");
        assertRejected(n, 403);
    }

    @Test
    void refusesASignatureByAnotherKey() {
        KeyPair other = TestCertificates.rsa();
        ObjectNode n =
                new SnsSigner(other.getPrivate())
                        .notification("m-1", "{}", TS, "1", SnsSigner.CERT_URL);
        assertRejected(n, 403);
    }

    @Test
    void refusesAnUnsignedMessage() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{}", TS, "1", SnsSigner.CERT_URL);
        n.remove("Signature");
        assertRejected(n, 401);
    }

    @Test
    void refusesUnknownSignatureVersions() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{}", TS, "1", SnsSigner.CERT_URL);
        n.put("SignatureVersion", "3");
        assertRejected(n, 403);
    }

    @Test
    void refusesAStaleMessageAsAReplay() {
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification(
                                "m-1", "{}", "2026-03-01T10:00:00.000Z", "1", SnsSigner.CERT_URL);
        assertRejected(n, 403);
    }

    @Test
    void refusesAnExpiredCertificate() {
        X509Certificate expired =
                TestCertificates.selfSigned(
                        keys, NOW.minus(Duration.ofDays(10)), Duration.ofDays(2));
        SnsSignatureVerifier v =
                new SnsSignatureVerifier(
                        url -> expired, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ofHours(1));
        ObjectNode n =
                new SnsSigner(keys.getPrivate())
                        .notification("m-1", "{}", TS, "1", SnsSigner.CERT_URL);
        assertThatThrownBy(() -> v.verify(msg(n)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://sns.us-east-1.amazonaws.com/cert.pem",
                "https://sns.us-east-1.amazonaws.com.evil.com/cert.pem",
                "https://evil.com/sns.us-east-1.amazonaws.com/cert.pem",
                "https://sns.us-east-1.amazonaws.com@evil.com/cert.pem",
                "https://evil.com#@sns.us-east-1.amazonaws.com/cert.pem",
                "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
                "https://sns.us-east-1.amazonaws.com/cert.txt",
                "https://sns.us-east-1.amazonaws.com/cert.pem?x=.pem",
                "https://sns.amazonaws.com/cert.pem",
                "https://SNS.us-east-1.amazonaws.com/cert.pem",
                "https://s3.us-east-1.amazonaws.com/cert.pem",
                "https://xsns.us-east-1.amazonaws.com/cert.pem",
                "file:///etc/passwd.pem",
                "https://sns.us-east-1.amazonaws.com\\@evil.com/cert.pem",
                "https://127.0.0.1/cert.pem"
            })
    void refusesCertificateUrlsOutsideSnsWithoutFetchingThem(String url) {
        ObjectNode n = new SnsSigner(keys.getPrivate()).notification("m-1", "{}", TS, "1", url);
        assertRejected(n, 403);
        assertThat(fetched).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
                "https://sns.eu-west-3.amazonaws.com/x.pem",
                "https://sns.us-gov-west-1.amazonaws.com/x.pem",
                "https://sns.ap-southeast-2.amazonaws.com:443/x.pem"
            })
    void acceptsSnsCertificateUrls(String url) {
        assertThat(SnsUrls.signingCertUrl(url)).isNotNull();
    }

    private void assertRejected(ObjectNode n, int status) {
        assertThatThrownBy(() -> verifier.verify(msg(n)))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(status));
    }
}
