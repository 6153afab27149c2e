package io.sendline.bench.compose;

import io.sendline.compose.AttachmentStore;
import io.sendline.compose.CompiledTemplate;
import io.sendline.compose.ComposerConfig;
import io.sendline.compose.CompositionException;
import io.sendline.compose.DefaultComposer;
import io.sendline.compose.DkimKey;
import io.sendline.compose.MessageSpec;
import io.sendline.compose.TemplateSource;
import io.sendline.compose.samples.SampleTemplates;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Messages per second per core of {@link DefaultComposer}, one thread: the ~15 KB (source) / ~20 KB
 * (rendered) marketing newsletter and the short transactional email, without and with DKIM
 * (RSA-2048). Compare {@code composeDkim} with {@link RsaSignBenchmark#rsa2048Sign}. Templates are
 * compiled once in setup (as the send pipeline does per template version); {@link #compile}
 * measures that step on its own.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ComposeBenchmark {

    @Param({"marketing", "transactional"})
    public String template;

    private DefaultComposer plain;
    private DefaultComposer signed;
    private CompiledTemplate compiledPlain;
    private CompiledTemplate compiledSigned;
    private TemplateSource source;
    private final MessageSpec[] specs = new MessageSpec[256];
    private int next;

    @Setup
    public void setUp() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair key = g.generateKeyPair();
        ComposerConfig.Builder config =
                ComposerConfig.builder()
                        .trackingBaseUrl("https://t.sendline.example")
                        .trackingSecret(
                                "bench-secret-bench-secret-bench-secret"
                                        .getBytes(StandardCharsets.US_ASCII))
                        .unsubscribeMailbox("unsubscribe@t.sendline.example");
        plain = DefaultComposer.create(config.build(), AttachmentStore.NONE);
        signed =
                DefaultComposer.create(
                        config.dkimKey(DkimKey.of("shop.example.com", "s1", key.getPrivate()))
                                .build(),
                        AttachmentStore.NONE);
        boolean marketing = template.equals("marketing");
        source = marketing ? SampleTemplates.marketing() : SampleTemplates.transactional();
        compiledPlain = plain.compile(source);
        compiledSigned = signed.compile(source);
        for (int i = 0; i < specs.length; i++) {
            specs[i] =
                    new MessageSpec(
                            "0b6a3c1e-5d2f-4a7b-9c8d-" + String.format("%012d", i),
                            marketing,
                            marketing ? "marketing" : "transactional",
                            marketing ? "winter-2026" : null,
                            marketing ? "news@shop.example.com" : "no-reply@shop.example.com",
                            marketing ? "Example Shop" : null,
                            "recipient" + i + "@example.org",
                            marketing ? "Élodie Dupont" : null,
                            null,
                            marketing
                                    ? SampleTemplates.marketingVariables(i)
                                    : SampleTemplates.transactionalVariables(i),
                            Map.of(),
                            List.of());
        }
    }

    /** One message without DKIM. */
    @Benchmark
    public byte[] compose() throws CompositionException {
        return plain.compose(compiledPlain, specs[next++ & 255]).mime();
    }

    /** One message signed with RSA-2048 DKIM. */
    @Benchmark
    public byte[] composeDkim() throws CompositionException {
        return signed.compose(compiledSigned, specs[next++ & 255]).mime();
    }

    /** Compiling one template version: Pebble, CSS inlining, text derivation. */
    @Benchmark
    public CompiledTemplate compile() throws CompositionException {
        return plain.compile(source);
    }
}
