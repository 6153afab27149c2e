package io.sendline.schemas.flink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.Json;
import io.sendline.schemas.Schemas;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns {@link RawRecord}s into wire records; whatever cannot be parsed (or, with {@link
 * #validating()}, breaks the topic's JSON Schema) goes to the side output {@link #DEAD_LETTERS} as
 * a {@link DeadLetter} with the original bytes and a readable reason. The job never fails and never
 * silently drops a record. Tombstones (null values) are skipped.
 *
 * <pre>{@code
 * SingleOutputStreamOperator<EmailJob> jobs =
 *     raw.process(ParseOrDeadLetter.of(EmailJob.class, "send-pipeline").validating())
 *        .uid("parse-jobs").name("parse jobs");
 * jobs.getSideOutput(ParseOrDeadLetter.DEAD_LETTERS)
 *     .sinkTo(kafkaSink(JsonKafkaSerializer.of(Topics.DEAD_LETTER.topic(), DeadLetter::key)));
 * }</pre>
 */
public final class ParseOrDeadLetter<T> extends ProcessFunction<RawRecord, T>
        implements ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    /** Side output of the records that could not be used. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final Class<T> type;
    private final String component;

    /** Schema to check against, or null to only parse. */
    private final String schema;

    private transient Counter deadLetters;

    private ParseOrDeadLetter(Class<T> type, String component, String schema) {
        this.type = Objects.requireNonNull(type, "type");
        this.component = Objects.requireNonNull(component, "component");
        this.schema = schema;
    }

    /** Parses into {@code type}; {@code component} names the job in dead letters. */
    public static <T> ParseOrDeadLetter<T> of(Class<T> type, String component) {
        return new ParseOrDeadLetter<>(type, component, null);
    }

    /** A copy that also checks each record against the payload's JSON Schema. */
    public ParseOrDeadLetter<T> validating() {
        // nameOf fails at job build time for a type without a schema
        return new ParseOrDeadLetter<>(type, component, Schemas.nameOf(type));
    }

    @Override
    public void open(OpenContext openContext) {
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        if (schema != null) {
            Schemas.get(); // compile the schemas now rather than on the first record
        }
    }

    @Override
    public void processElement(RawRecord record, Context ctx, Collector<T> out) {
        if (record.value() == null) {
            return;
        }
        Result<T> result = parse(record.value(), type, schema);
        if (result.value != null) {
            out.collect(result.value);
        } else {
            if (deadLetters != null) {
                deadLetters.inc();
            }
            ctx.output(DEAD_LETTERS, record.toDeadLetter(result.error, component, Instant.now()));
        }
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return TypeInformation.of(type);
    }

    /** Parse outcome: a value, or the reason there is none. */
    record Result<T>(T value, String error) {}

    /**
     * Parses one payload, and checks it against schema {@code schema} unless that is null; never
     * throws.
     */
    static <T> Result<T> parse(byte[] bytes, Class<T> type, String schema) {
        try {
            T value;
            if (schema != null) {
                JsonNode node;
                try {
                    node = Json.MAPPER.readTree(bytes);
                } catch (IOException e) {
                    return new Result<>(null, "$: malformed JSON: " + firstLine(e));
                }
                List<String> violations = Schemas.get().validate(schema, node);
                if (!violations.isEmpty()) {
                    return new Result<>(null, String.join("; ", violations));
                }
                value = Json.MAPPER.treeToValue(node, type);
            } else {
                value = Json.MAPPER.readValue(bytes, type);
            }
            if (value == null) {
                return new Result<>(null, "$: null, expected a JSON object");
            }
            return new Result<>(value, null);
        } catch (IOException | RuntimeException e) {
            return new Result<>(null, "cannot read " + type.getSimpleName() + ": " + firstLine(e));
        }
    }

    private static String firstLine(Exception e) {
        String msg =
                e instanceof JsonProcessingException jpe
                        ? jpe.getOriginalMessage()
                        : e.getMessage();
        if (msg == null) {
            return e.getClass().getSimpleName();
        }
        int nl = msg.indexOf('\n');
        return nl < 0 ? msg : msg.substring(0, nl);
    }
}
