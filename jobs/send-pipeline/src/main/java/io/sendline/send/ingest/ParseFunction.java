package io.sendline.send.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.schemas.Json;
import io.sendline.schemas.Schemas;
import io.sendline.schemas.flink.RawRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Parses one topic's records, checks them against the payload's JSON Schema and then against the
 * pipeline's own rules (a {@link Validator}, e.g. {@link JobRules}); a record that is empty, not
 * JSON, breaks the schema or a rule goes to the {@link DeadLetters#TAG} side output with the
 * reason, and the job goes on.
 *
 * @param <T> payload type
 */
public final class ParseFunction<T> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final String schema;
    private final Validator<T> validator;
    private transient Counter deadLetters;

    /**
     * @param type payload type (must have a JSON Schema in the catalogue)
     * @param validator the pipeline's own rules on top of the schema
     */
    public ParseFunction(Class<T> type, Validator<T> validator) {
        this.type = type;
        this.schema = Schemas.nameOf(type);
        this.validator = validator;
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        Schemas.get();
    }

    @Override
    public void processElement(RawRecord r, Context ctx, Collector<T> out) {
        String reason = null;
        T value = null;
        if (r.value() == null || r.value().length == 0) {
            reason = "empty record value";
        } else {
            try {
                JsonNode node = Json.MAPPER.readTree(r.value());
                List<String> violations = Schemas.get().validate(schema, node);
                if (!violations.isEmpty()) {
                    reason = "schema " + schema + ": " + String.join("; ", violations);
                } else {
                    value = Json.MAPPER.treeToValue(node, type);
                    List<String> problems = validator.problems(value);
                    if (!problems.isEmpty()) {
                        reason =
                                "invalid "
                                        + type.getSimpleName()
                                        + ": "
                                        + String.join("; ", problems);
                    }
                }
            } catch (IOException | RuntimeException e) {
                reason = "malformed JSON for " + type.getSimpleName() + ": " + firstLine(e);
            }
        }
        if (reason == null) {
            out.collect(value);
        } else {
            if (deadLetters != null) {
                deadLetters.inc();
            }
            ctx.output(DeadLetters.TAG, DeadLetters.of(r, reason, Instant.now()));
        }
    }

    private static String firstLine(Exception e) {
        String msg =
                e instanceof com.fasterxml.jackson.core.JsonProcessingException jpe
                        ? jpe.getOriginalMessage()
                        : e.getMessage();
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }
}
