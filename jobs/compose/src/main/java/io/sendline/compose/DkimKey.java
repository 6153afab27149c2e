package io.sendline.compose;

import java.io.Serializable;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * The DKIM key of one sending domain: the domain ({@code d=}), the selector ({@code s=}) and an RSA
 * private key, kept as PKCS#8 bytes so that a {@link ComposerConfig} can travel inside a Flink job
 * graph.
 *
 * @param domain signing domain; also signs mail from its subdomains unless they have their own key
 * @param selector DNS selector, the public key is at {@code selector._domainkey.domain}
 * @param pkcs8 RSA private key, PKCS#8 DER
 */
public record DkimKey(String domain, String selector, byte[] pkcs8) implements Serializable {

    /** A key from PKCS#8 PEM text ({@code -----BEGIN PRIVATE KEY-----}). */
    public static DkimKey fromPem(String domain, String selector, String pem) {
        String b64 = pem.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return new DkimKey(domain, selector, Base64.getDecoder().decode(b64));
    }

    /** A key from a JDK private key (its PKCS#8 encoding). */
    public static DkimKey of(String domain, String selector, PrivateKey key) {
        return new DkimKey(domain, selector, key.getEncoded());
    }

    /** The JDK private key. */
    public PrivateKey privateKey() {
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (Exception e) {
            throw new IllegalArgumentException(
                    "DKIM key of " + domain + " is not an RSA PKCS#8 private key", e);
        }
    }

    @Override
    public String toString() {
        return "DkimKey[" + selector + "._domainkey." + domain + "]";
    }
}
