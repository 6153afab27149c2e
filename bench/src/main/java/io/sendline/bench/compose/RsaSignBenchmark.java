package io.sendline.bench.compose;

import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The bare RSA-2048 signing rate (JDK provider, SHA256withRSA over ~700 bytes, the size of a DKIM
 * message's canonical signed headers): the ceiling that composition with DKIM is compared to.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RsaSignBenchmark {

    private Signature signature;
    private final byte[] headers = new byte[700];

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        signature = Signature.getInstance("SHA256withRSA");
        signature.initSign(g.generateKeyPair().getPrivate());
        for (int i = 0; i < headers.length; i++) {
            headers[i] = (byte) ('a' + i % 26);
        }
    }

    @Benchmark
    public byte[] rsa2048Sign() throws Exception {
        signature.update(headers);
        return signature.sign();
    }
}
