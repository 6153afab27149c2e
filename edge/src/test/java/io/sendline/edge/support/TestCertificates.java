package io.sendline.edge.support;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Keys and self-signed certificates made in the test, standing in for SNS's and SendGrid's. */
public final class TestCertificates {

    private TestCertificates() {}

    /** An RSA-2048 key pair. */
    public static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An EC P-256 key pair (SendGrid's signature algorithm). */
    public static KeyPair p256() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A self-signed certificate for {@code keys}, valid from {@code notBefore} for {@code
     * validity}.
     */
    public static X509Certificate selfSigned(KeyPair keys, Instant notBefore, Duration validity) {
        try {
            X500Name name = new X500Name("CN=sns.amazonaws.com");
            JcaX509v3CertificateBuilder b =
                    new JcaX509v3CertificateBuilder(
                            name,
                            BigInteger.valueOf(notBefore.toEpochMilli()),
                            Date.from(notBefore),
                            Date.from(notBefore.plus(validity)),
                            name,
                            keys.getPublic());
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            b.build(
                                    new JcaContentSignerBuilder("SHA256withRSA")
                                            .build(keys.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A certificate valid from a day ago for a year. */
    public static X509Certificate selfSigned(KeyPair keys) {
        return selfSigned(keys, Instant.now().minus(Duration.ofDays(1)), Duration.ofDays(365));
    }
}
