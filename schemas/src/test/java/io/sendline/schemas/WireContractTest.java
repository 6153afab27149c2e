package io.sendline.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every wire record survives JSON unchanged and its JSON satisfies the published schema. */
class WireContractTest {

    static Stream<Arguments> samples() {
        return Samples.all().stream().map(s -> Arguments.of(s.getClass().getSimpleName(), s));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void roundTripsUnchanged(String type, Object sample) {
        byte[] json = Json.toBytes(sample);
        Object back = Json.fromBytes(json, sample.getClass());
        assertThat(back).isEqualTo(sample);
        assertThat(Json.toString(back)).isEqualTo(Json.toString(sample));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void serializedFormSatisfiesItsSchema(String type, Object sample) {
        String name = Schemas.nameOf(sample.getClass());
        assertThat(Schemas.get().validate(name, Json.toBytes(sample))).isEmpty();
        assertThat(Schemas.get().validateValue(sample)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Topics.class)
    void schemaAndRecordDescribeTheSameFields(Topics topic) {
        JsonNode properties = Schemas.get().document(topic.schemaName()).get("properties");
        assertThat(properties).as("top-level properties of %s", topic.schemaName()).isNotNull();
        List<String> schemaFields = new java.util.ArrayList<>();
        properties.fieldNames().forEachRemaining(schemaFields::add);
        List<String> recordFields =
                Arrays.stream(topic.payload().getRecordComponents())
                        .map(java.lang.reflect.RecordComponent::getName)
                        .toList();
        assertThat(schemaFields).containsExactlyInAnyOrderElementsOf(recordFields);
    }

    @Test
    void everySchemaHasASampleSoNoWireTypeGoesUntested() {
        assertThat(Samples.all().stream().map(s -> Schemas.nameOf(s.getClass())).distinct())
                .containsExactlyInAnyOrderElementsOf(Schemas.NAMES);
    }

    @ParameterizedTest
    @EnumSource(Topics.class)
    void everyTopicHasALoadableSchema(Topics topic) {
        assertThat(Schemas.NAMES).contains(topic.schemaName());
        assertThat(Schemas.get().document(topic.schemaName()).get("$schema").asText())
                .isEqualTo("https://json-schema.org/draft/2020-12/schema");
    }

    @Test
    void variablesAreANestedObjectOnTheWire() throws Exception {
        JsonNode tree = Json.MAPPER.readTree(Json.toBytes(Samples.emailJob()));
        JsonNode vars = tree.get("variables");
        assertThat(vars.isObject()).isTrue();
        assertThat(vars.get("items").get(2).get("sku").asText()).isEqualTo("x");
        assertThat(vars.get("vip").asBoolean()).isTrue();

        String wire =
                "{\"jobId\":\"j1\",\"type\":\"TRANSACTIONAL\",\"pool\":\"p\",\"to\":\"a@example.com\","
                        + "\"from\":\"b@example.com\",\"templateId\":\"t\","
                        + "\"variables\":{ \"a\" : [1, 2],\n \"b\": {\"c\": \"ü\"} }}";
        EmailJob job = Json.fromString(wire, EmailJob.class);
        assertThat(job.variables()).isEqualTo("{\"a\":[1,2],\"b\":{\"c\":\"ü\"}}");
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, wire)).isEmpty();
    }

    @Test
    void absentVariablesStayAbsent() throws Exception {
        ObjectNode tree = (ObjectNode) Json.MAPPER.readTree(Json.toBytes(Samples.emailJob()));
        tree.remove("variables");
        EmailJob job = Json.fromString(tree.toString(), EmailJob.class);
        assertThat(job.variables()).isNull();
        assertThat(Json.MAPPER.readTree(Json.toBytes(job)).has("variables")).isFalse();
    }

    @Test
    void treeConversionSeesVariablesAsAnObject() {
        JsonNode tree = Json.MAPPER.valueToTree(Samples.emailJob());
        assertThat(tree.get("variables").isObject()).isTrue();
        assertThat(Json.MAPPER.convertValue(tree, EmailJob.class)).isEqualTo(Samples.emailJob());
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        ObjectNode job = Json.MAPPER.valueToTree(Samples.emailJob());
        job.remove("to");
        job.remove("jobId");
        List<String> violations = Schemas.get().validate(Schemas.EMAIL_JOB, job);
        assertThat(violations)
                .anySatisfy(v -> assertThat(v).contains("to").contains("required"))
                .anySatisfy(v -> assertThat(v).contains("jobId").contains("required"));
    }

    static Stream<Arguments> invalidJobs() {
        return Stream.of(
                Arguments.of("to", "\"not-an-address\"", "$.to"),
                Arguments.of("to", "\"a@b.example\\r\\nBcc: x@y.example\"", "$.to"),
                Arguments.of("to", "\"" + "a".repeat(250) + "@example.com\"", "$.to"),
                Arguments.of("type", "\"URGENT\"", "$.type"),
                Arguments.of("subject", "\"Hi\\r\\nBcc: x@y.example\"", "$.subject"),
                Arguments.of("subject", "\"" + "s".repeat(999) + "\"", "$.subject"),
                Arguments.of("createdAt", "\"yesterday\"", "$.createdAt"),
                Arguments.of("attempt", "-1", "$.attempt"),
                Arguments.of("variables", "\"a string\"", "$.variables"),
                Arguments.of("headers", "{\"X-A\":\"v\\nBcc: x\"}", "$.headers"),
                Arguments.of("pool", "\"has space\"", "$.pool"),
                Arguments.of("jobId", "\"\"", "$.jobId"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("invalidJobs")
    void invalidFieldsAreRejectedWithTheirPath(String field, String json, String path)
            throws Exception {
        ObjectNode job = Json.MAPPER.valueToTree(Samples.emailJob());
        job.set(field, Json.MAPPER.readTree(json));
        List<String> violations = Schemas.get().validate(Schemas.EMAIL_JOB, job);
        assertThat(violations).isNotEmpty().allSatisfy(v -> assertThat(v).startsWith("$"));
        assertThat(violations).anySatisfy(v -> assertThat(v).startsWith(path));
    }

    @Test
    void inlineJobNeedsSubjectAndABody() {
        ObjectNode job = Json.MAPPER.valueToTree(Samples.inlineJob());
        job.remove("subject");
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, job))
                .anySatisfy(v -> assertThat(v).contains("subject"));
        ObjectNode noBody = Json.MAPPER.valueToTree(Samples.inlineJob());
        noBody.remove("html");
        noBody.remove("text");
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, noBody)).isNotEmpty();
        noBody.put("text", "plain only");
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, noBody)).isEmpty();
    }

    @Test
    void internationalAddressesAreAccepted() {
        for (String address :
                List.of(
                        "ada@bücher.de",
                        "ünïcode@example.com",
                        "用户@例子.中国",
                        "x@mail.example.dev",
                        "o'brien@example.co.uk",
                        "a+tag@xn--bcher-kva.de")) {
            ObjectNode job = Json.MAPPER.valueToTree(Samples.emailJob());
            job.put("to", address);
            assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, job)).as(address).isEmpty();
        }
    }

    @Test
    void explicitNullsOfOptionalFieldsAreAccepted() {
        ObjectNode job = Json.MAPPER.valueToTree(Samples.emailJob());
        job.putNull("toName");
        job.putNull("variables");
        job.putNull("scheduledAt");
        job.putNull("tags");
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, job)).isEmpty();
        assertThat(Json.fromString(job.toString(), EmailJob.class).variables()).isNull();
    }

    @Test
    void conditionalRequirements() {
        ObjectNode add = Json.MAPPER.valueToTree(Samples.suppressionChange());
        add.remove("reason");
        assertThat(Schemas.get().validate(Schemas.SUPPRESSION_CHANGE, add))
                .anySatisfy(v -> assertThat(v).contains("reason"));
        add.put("action", "REMOVE");
        assertThat(Schemas.get().validate(Schemas.SUPPRESSION_CHANGE, add)).isEmpty();

        ObjectNode rate = Json.MAPPER.valueToTree(Samples.controlCommand());
        rate.remove("ratePerSecond");
        assertThat(Schemas.get().validate(Schemas.CONTROL_COMMAND, rate))
                .anySatisfy(v -> assertThat(v).contains("ratePerSecond"));

        ObjectNode orphan = Json.MAPPER.valueToTree(Samples.relayEvent());
        orphan.remove("jobId");
        assertThat(Schemas.get().validate(Schemas.RELAY_EVENT, orphan)).isEmpty();
        orphan.remove("providerMessageId");
        assertThat(Schemas.get().validate(Schemas.RELAY_EVENT, orphan)).isNotEmpty();
    }

    @Test
    void malformedJsonIsAViolationNotAnException() {
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, "{\"jobId\": "))
                .singleElement()
                .satisfies(v -> assertThat(v).startsWith("$: malformed JSON"));
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, new byte[0]))
                .singleElement()
                .satisfies(v -> assertThat(v).startsWith("$:"));
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, "[]"))
                .singleElement()
                .satisfies(v -> assertThat(v).contains("object"));
    }

    @Test
    void unknownSchemaIsAClearError() {
        assertThatThrownBy(() -> Schemas.get().validate("nope", "{}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("nope")
                .hasMessageContaining("email-job");
    }

    @Test
    void unknownPropertiesAreTolerated() {
        ObjectNode job = Json.MAPPER.valueToTree(Samples.emailJob());
        job.put("addedByANewerWriter", 1);
        assertThat(Schemas.get().validate(Schemas.EMAIL_JOB, job)).isEmpty();
        assertThat(Json.fromString(job.toString(), EmailJob.class)).isEqualTo(Samples.emailJob());
    }
}
