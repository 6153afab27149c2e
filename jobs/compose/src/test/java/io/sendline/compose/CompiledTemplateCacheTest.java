package io.sendline.compose;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.compose.samples.SampleTemplates;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CompiledTemplateCacheTest {

    private final AtomicInteger compiles = new AtomicInteger();
    private final Composer counting =
            new Composer() {
                private final DefaultComposer inner = Fixtures.composer();

                @Override
                public CompiledTemplate compile(TemplateSource source) throws CompositionException {
                    compiles.incrementAndGet();
                    return inner.compile(source);
                }

                @Override
                public ComposedMessage compose(CompiledTemplate t, MessageSpec spec)
                        throws CompositionException {
                    return inner.compose(t, spec);
                }
            };

    @Test
    void eachVersionCompilesOnceAndTheLeastRecentlyUsedGoesFirst() throws Exception {
        CompiledTemplateCache cache = new CompiledTemplateCache(counting, 2);
        TemplateSource v1 = SampleTemplates.transactional();
        TemplateSource v2 =
                new TemplateSource(v1.templateId(), 2, "new {{ code }}", v1.html(), v1.text());
        CompiledTemplate first = cache.get(v1);
        assertThat(cache.get(v1)).isSameAs(first);
        assertThat(cache.get(v2).version()).isEqualTo(2);
        assertThat(compiles).hasValue(2);
        cache.get(v1); // v1 is now the most recently used
        cache.get(SampleTemplates.marketing()); // evicts v2
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.get(v1)).isSameAs(first);
        cache.get(v2);
        assertThat(compiles).hasValue(4);
    }

    @Test
    void inlineTemplatesAreKeyedByContent() throws Exception {
        CompiledTemplateCache cache = new CompiledTemplateCache(counting, 10);
        CompiledTemplate a = cache.get(new TemplateSource(null, 0, "s", "<p>a</p>", null));
        assertThat(cache.get(new TemplateSource(null, 0, "s", "<p>a</p>", null))).isSameAs(a);
        assertThat(cache.get(new TemplateSource(null, 0, "s", "<p>b</p>", null))).isNotSameAs(a);
        assertThat(compiles).hasValue(2);
        assertThat(a.templateId()).startsWith("inline-");
    }
}
