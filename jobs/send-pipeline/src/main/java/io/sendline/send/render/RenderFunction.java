package io.sendline.send.render;

import com.fasterxml.jackson.core.type.TypeReference;
import io.sendline.compose.AttachmentContent;
import io.sendline.compose.CompiledTemplate;
import io.sendline.compose.CompiledTemplateCache;
import io.sendline.compose.ComposedMessage;
import io.sendline.compose.Composer;
import io.sendline.compose.CompositionException;
import io.sendline.compose.MessageSpec;
import io.sendline.compose.TemplateSource;
import io.sendline.schemas.Attachment;
import io.sendline.schemas.EmailEventType;
import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailTemplate;
import io.sendline.schemas.EmailType;
import io.sendline.schemas.Json;
import io.sendline.send.events.Events;
import io.sendline.send.events.JobEvent;
import io.sendline.send.metrics.PoolDomainMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Renders each job at send time with the composition library, keyed by job id.
 *
 * <ul>
 *   <li>Templates arrive on the broadcast input (the compacted {@code email.templates} topic, read
 *       from its beginning) and live in broadcast state, every version kept: a job renders with the
 *       version it pins, else the newest ({@link TemplateChoice}).
 *   <li>Each version is compiled once per subtask and cached ({@link Composer#compile} does the CSS
 *       inlining and text derivation), so the per-message cost is the render alone.
 *   <li>A job whose template has not arrived waits in keyed state for {@code render.template-wait};
 *       the template's arrival releases it, the timer fails it with a reason naming the template.
 *   <li>A composition error (missing variable, header injection, size limit) fails the job (FAILED,
 *       with the composer's reason); nothing is retried.
 * </ul>
 */
public final class RenderFunction
        extends KeyedBroadcastProcessFunction<String, EmailJob, EmailTemplate, RenderedEmail> {

    private static final long serialVersionUID = 1L;

    /** Every template version, by {@code templateId:version}. */
    public static final MapStateDescriptor<String, EmailTemplate> TEMPLATES =
            new MapStateDescriptor<>(
                    "templates", Types.STRING, TypeInformation.of(EmailTemplate.class));

    /** The newest version of each template id. */
    public static final MapStateDescriptor<String, Integer> NEWEST =
            new MapStateDescriptor<>("template-newest", Types.STRING, Types.INT);

    static final ValueStateDescriptor<EmailJob> WAITING =
            new ValueStateDescriptor<>("waiting-for-template", TypeInformation.of(EmailJob.class));

    /** Compiled template versions and inline contents kept per subtask (LRU evicted). */
    static final int COMPILED_CACHE = 512;

    private static final TypeReference<Map<String, Object>> VARIABLES = new TypeReference<>() {};

    private final ComposerProvider composerProvider;
    private final AttachmentStore attachmentStore;
    private final Duration templateWait;
    private final Set<String> metricDomains;

    private transient Composer composer;
    private transient AttachmentStore.Session attachments;
    private transient CompiledTemplateCache compiled;
    private transient ValueState<EmailJob> waiting;
    private transient PoolDomainMetrics metrics;
    private transient Counter templateWaits;

    /**
     * @param composerProvider builds the composer in {@code open()}
     * @param attachmentStore where attachment bytes are fetched, or null when none are stored
     * @param templateWait how long a job waits for its template before it fails
     * @param metricDomains recipient domains with their own metric label
     */
    public RenderFunction(
            ComposerProvider composerProvider,
            AttachmentStore attachmentStore,
            Duration templateWait,
            Set<String> metricDomains) {
        this.composerProvider = composerProvider;
        this.attachmentStore = attachmentStore;
        this.templateWait = templateWait;
        this.metricDomains = Set.copyOf(metricDomains);
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        composer = composerProvider.create();
        attachments = attachmentStore == null ? null : attachmentStore.open();
        compiled = new CompiledTemplateCache(composer, COMPILED_CACHE);
        waiting = getRuntimeContext().getState(WAITING);
        metrics = new PoolDomainMetrics(getRuntimeContext().getMetricGroup(), metricDomains);
        getRuntimeContext()
                .getMetricGroup()
                .gauge("templateCompiles", () -> compiled == null ? 0 : compiled.compiles());
        templateWaits = getRuntimeContext().getMetricGroup().counter("templateWaits");
        getRuntimeContext()
                .getMetricGroup()
                .gauge("compiledTemplates", () -> compiled == null ? 0 : compiled.size());
    }

    @Override
    public void close() throws Exception {
        if (attachments != null) {
            attachments.close();
        }
    }

    @Override
    public void processElement(EmailJob job, ReadOnlyContext ctx, Collector<RenderedEmail> out)
            throws Exception {
        long now = ctx.timerService().currentProcessingTime();
        if (job.templateId() == null) {
            renderInline(job, now, out, ctx::output);
            return;
        }
        ReadOnlyBroadcastState<String, EmailTemplate> templates = ctx.getBroadcastState(TEMPLATES);
        ReadOnlyBroadcastState<String, Integer> newest = ctx.getBroadcastState(NEWEST);
        EmailTemplate template = TemplateChoice.choose(job, templates::get, newest::get);
        if (template == null) {
            templateWaits.inc();
            waiting.update(job);
            ctx.timerService().registerProcessingTimeTimer(now + templateWait.toMillis());
            return;
        }
        render(job, template, now, out, ctx::output);
    }

    @Override
    public void processBroadcastElement(
            EmailTemplate template, Context ctx, Collector<RenderedEmail> out) throws Exception {
        BroadcastState<String, EmailTemplate> templates = ctx.getBroadcastState(TEMPLATES);
        BroadcastState<String, Integer> newest = ctx.getBroadcastState(NEWEST);
        String key = TemplateChoice.key(template.templateId(), template.version());
        templates.put(key, template);
        // a re-published version replaces its compiled form (or its compile error)
        compiled.invalidate(template.templateId(), template.version());
        Integer current = newest.get(template.templateId());
        if (current == null || current < template.version()) {
            newest.put(template.templateId(), template.version());
        }
        long now = ctx.currentProcessingTime();
        // Release the jobs that waited for this template (their timers then find nothing).
        ctx.applyToKeyedState(
                WAITING,
                (jobId, state) -> {
                    EmailJob job = state.value();
                    if (job != null && TemplateChoice.satisfies(job, template)) {
                        EmailTemplate chosen =
                                TemplateChoice.choose(job, templates::get, newest::get);
                        state.clear();
                        render(job, chosen, now, out, ctx::output);
                    }
                });
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<RenderedEmail> out)
            throws Exception {
        EmailJob job = waiting.value();
        if (job == null) {
            return;
        }
        waiting.clear();
        metrics.inc("renderFailed", job.pool(), job.recipientDomain());
        ctx.output(
                Events.TAG,
                Events.of(
                        job,
                        EmailEventType.FAILED,
                        TemplateChoice.missingReason(job, templateWait.toMillis()),
                        Instant.ofEpochMilli(timestamp)));
    }

    /** Where an operator context writes side outputs. */
    @FunctionalInterface
    private interface SideOutput {
        <X> void output(OutputTag<X> tag, X value);
    }

    private void render(
            EmailJob job,
            EmailTemplate template,
            long now,
            Collector<RenderedEmail> out,
            SideOutput side) {
        CompiledTemplate ct;
        try {
            ct =
                    compiled.get(
                            new TemplateSource(
                                    template.templateId(),
                                    template.version(),
                                    template.subject(),
                                    template.html(),
                                    template.text()));
        } catch (CompositionException e) {
            String key = TemplateChoice.key(template.templateId(), template.version());
            fail(job, "template " + key + " does not compile: " + e.getMessage(), now, side);
            return;
        }
        compose(job, ct, now, out, side);
    }

    private void renderInline(
            EmailJob job, long now, Collector<RenderedEmail> out, SideOutput side) {
        CompiledTemplate ct;
        try {
            ct = compiled.get(new TemplateSource(null, 0, job.subject(), job.html(), job.text()));
        } catch (CompositionException e) {
            fail(job, "inline content does not compile: " + e.getMessage(), now, side);
            return;
        }
        compose(job, ct, now, out, side);
    }

    private void compose(
            EmailJob job,
            CompiledTemplate template,
            long now,
            Collector<RenderedEmail> out,
            SideOutput side) {
        ComposedMessage m;
        try {
            m = composer.compose(template, spec(job));
        } catch (CompositionException | AttachmentStore.MissingAttachmentException e) {
            fail(job, e.getMessage(), now, side);
            return;
        } catch (Exception e) {
            // Unexpected: still the job's problem, not a reason to fail the pipeline.
            fail(job, "cannot compose: " + e.getClass().getSimpleName(), now, side);
            return;
        }
        metrics.inc("rendered", job.pool(), job.recipientDomain());
        out.collect(
                new RenderedEmail(job, m.messageId(), m.envelopeFrom(), m.recipient(), m.mime()));
    }

    private MessageSpec spec(EmailJob job) throws Exception {
        Map<String, Object> variables =
                job.variables() == null
                        ? Map.of()
                        : Json.MAPPER.readValue(job.variables(), VARIABLES);
        List<AttachmentContent> files = List.of();
        if (job.attachments() != null && !job.attachments().isEmpty()) {
            if (attachments == null) {
                throw new AttachmentStore.MissingAttachmentException(
                        "job has attachments but no attachment store is configured");
            }
            files = new ArrayList<>(job.attachments().size());
            for (Attachment a : job.attachments()) {
                files.add(attachments.fetch(a));
            }
        }
        return new MessageSpec(
                job.jobId(),
                job.type() == EmailType.MARKETING,
                job.pool(),
                job.campaignId(),
                job.from(),
                job.fromName(),
                job.to(),
                job.toName(),
                job.replyTo(),
                variables,
                job.headers() == null ? Map.of() : job.headers(),
                files);
    }

    private void fail(EmailJob job, String reason, long now, SideOutput side) {
        metrics.inc("renderFailed", job.pool(), job.recipientDomain());
        JobEvent e = Events.of(job, EmailEventType.FAILED, reason, Instant.ofEpochMilli(now));
        side.output(Events.TAG, e);
    }
}
