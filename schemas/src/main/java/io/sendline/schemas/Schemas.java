package io.sendline.schemas;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The JSON Schemas of the wire contracts (draft 2020-12, one per topic payload, in {@code
 * schemas/<name>.schema.json} on the classpath), compiled once per JVM, and validation against
 * them. Used by the HTTP edge to refuse bad requests and by jobs to route bad records to the
 * dead-letter topic with a readable reason.
 *
 * <p>Validation returns violations as readable strings such as {@code "$.to: does not match the
 * idn-email pattern ..."}; an empty list means valid. It never throws on bad input, including
 * malformed JSON. Instances are immutable and thread-safe; use {@link #get()}.
 */
public final class Schemas {

    public static final String EMAIL_JOB = "email-job";
    public static final String EMAIL_TEMPLATE = "email-template";
    public static final String SUPPRESSION_CHANGE = "suppression-change";
    public static final String RELAY_EVENT = "relay-event";
    public static final String EMAIL_EVENT = "email-event";
    public static final String ANALYTICS_RECORD = "analytics-record";
    public static final String CONTROL_COMMAND = "control-command";
    public static final String CAMPAIGN_LAUNCH = "campaign-launch";
    public static final String CANCEL_REQUEST = "cancel-request";
    public static final String DEAD_LETTER = "dead-letter";

    /** Every schema name, in catalogue order. */
    public static final List<String> NAMES =
            List.of(
                    EMAIL_JOB,
                    EMAIL_TEMPLATE,
                    SUPPRESSION_CHANGE,
                    RELAY_EVENT,
                    EMAIL_EVENT,
                    ANALYTICS_RECORD,
                    CONTROL_COMMAND,
                    CAMPAIGN_LAUNCH,
                    CANCEL_REQUEST,
                    DEAD_LETTER);

    private static final String RESOURCE_DIR = "schemas/";

    private final Map<String, JsonSchema> compiled;

    private Schemas() {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        // In 2020-12 "format" is only an annotation unless assertions are switched on; English
        // messages whatever the JVM's locale, so that API errors and dead-letter reasons are
        // stable.
        SchemaValidatorsConfig config =
                SchemaValidatorsConfig.builder()
                        .formatAssertionsEnabled(true)
                        .locale(Locale.ENGLISH)
                        .pathType(PathType.JSON_PATH)
                        .build();
        Map<String, JsonSchema> map = new LinkedHashMap<>();
        for (String name : NAMES) {
            String resource = RESOURCE_DIR + name + ".schema.json";
            JsonSchema schema =
                    factory.getSchema(
                            SchemaLocation.of("classpath:" + resource),
                            readResource(resource),
                            config);
            schema.initializeValidators(); // compile now, not on the first record
            map.put(name, schema);
        }
        this.compiled = Collections.unmodifiableMap(map);
    }

    private static final class Holder {
        static final Schemas INSTANCE = new Schemas();
    }

    /** The schemas, loaded and compiled on first use. */
    public static Schemas get() {
        return Holder.INSTANCE;
    }

    /**
     * Schema name for a payload type, e.g. {@code EmailJob.class -> "email-job"}.
     *
     * @throws IllegalArgumentException for a type without a schema
     */
    public static String nameOf(Class<?> payloadType) {
        String name = PayloadNames.kebabCase(payloadType);
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no schema for " + payloadType.getName());
        }
        return name;
    }

    /** The raw schema document, e.g. to serve it from the edge. */
    public JsonNode document(String name) {
        return schema(name).getSchemaNode();
    }

    /** Violations of UTF-8 JSON {@code json} against schema {@code name}; empty when valid. */
    public List<String> validate(String name, byte[] json) {
        JsonSchema schema = schema(name);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            return List.of(malformed(e));
        }
        return validate(schema, node);
    }

    /** Violations of JSON text {@code json} against schema {@code name}; empty when valid. */
    public List<String> validate(String name, String json) {
        JsonSchema schema = schema(name);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return List.of(malformed(e));
        }
        return validate(schema, node);
    }

    /** Violations of an already parsed document against schema {@code name}; empty when valid. */
    public List<String> validate(String name, JsonNode json) {
        return validate(schema(name), json);
    }

    /** Violations of a record of {@code topic} against the topic's payload schema. */
    public List<String> validate(Topics topic, byte[] json) {
        return validate(topic.schemaName(), json);
    }

    /** Violations of a payload object, serialized with {@link Json#MAPPER}, against its schema. */
    public List<String> validateValue(Object payload) {
        return validate(nameOf(payload.getClass()), Json.toBytes(payload));
    }

    private JsonSchema schema(String name) {
        JsonSchema schema = compiled.get(name);
        if (schema == null) {
            throw new IllegalArgumentException("unknown schema '" + name + "', known: " + NAMES);
        }
        return schema;
    }

    private static List<String> validate(JsonSchema schema, JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return List.of("$: empty payload, expected a JSON object");
        }
        Set<ValidationMessage> messages = schema.validate(node);
        if (messages.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(messages.size());
        for (ValidationMessage m : messages) {
            out.add(m.getMessage());
        }
        return out;
    }

    private static String malformed(IOException e) {
        // Jackson's message quotes a snippet of the input; keep only its first line, without the
        // source excerpt, so the reason stays short and carries no payload data.
        String msg = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : null;
        if (msg == null) {
            msg = String.valueOf(e.getMessage());
        }
        int nl = msg.indexOf('\n');
        return "$: malformed JSON: " + (nl < 0 ? msg : msg.substring(0, nl));
    }

    private static JsonNode readResource(String resource) {
        try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema not on the classpath: " + resource);
            }
            return Json.MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
