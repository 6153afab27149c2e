package io.sendline.edge.webhooks.ses;

import static org.assertj.core.api.Assertions.assertThat;

import io.sendline.edge.support.Samples;
import io.sendline.edge.tracking.MachineOpenDetector;
import io.sendline.schemas.Json;
import io.sendline.schemas.RelayEvent;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class SesEventMapperTest {

    final SesEventMapper mapper =
            new SesEventMapper(new MachineOpenDetector(List.of("17.0.0.0/8"), List.of("bot")));
    final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private RelayEvent one(String sample) {
        List<RelayEvent> events =
                mapper.map(
                        "sns-1",
                        Json.fromString(
                                Samples.load(sample, "job-1"),
                                com.fasterxml.jackson.databind.JsonNode.class),
                        now);
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void bounceKeepsTypeSubTypeDiagnosticAndEnhancedStatus() {
        RelayEvent e = one("ses-bounce.json");
        assertThat(e.type()).isEqualTo(RelayEvent.Type.BOUNCED);
        assertThat(e.provider()).isEqualTo(RelayEvent.Provider.SES);
        assertThat(e.eventId()).isEqualTo("sns-1");
        assertThat(e.jobId()).isEqualTo("job-1");
        assertThat(e.providerMessageId()).startsWith("EXAMPLE7c191be45");
        assertThat(e.recipient()).isEqualTo("recipient@example.com");
        assertThat(e.bounceType()).isEqualTo("PERMANENT");
        assertThat(e.bounceSubType()).isEqualTo("General");
        assertThat(e.diagnosticCode()).isEqualTo("smtp; 550 5.1.1 user unknown");
        assertThat(e.enhancedStatus()).isEqualTo("5.1.1");
        assertThat(e.occurredAt()).isEqualTo(Instant.parse("2017-08-05T00:41:02.669Z"));
        assertThat(e.receivedAt()).isEqualTo(now);
    }

    @Test
    void jobIdFallsBackToTheHeader() {
        String json =
                Samples.load("ses-bounce.json", "x")
                        .replace("\"sendline-job-id\": [\"x\"]", "\"other\": [\"y\"]");
        List<RelayEvent> events =
                mapper.map(
                        "sns-1",
                        Json.fromString(json, com.fasterxml.jackson.databind.JsonNode.class),
                        now);
        assertThat(events.get(0).jobId()).isEqualTo("header-job-id");
    }

    @Test
    void complaintDeliveryDelayOpenAndClick() {
        RelayEvent c = one("ses-complaint.json");
        assertThat(c.type()).isEqualTo(RelayEvent.Type.COMPLAINED);
        assertThat(c.bounceSubType()).isEqualTo("abuse");

        RelayEvent d = one("ses-delivery.json");
        assertThat(d.type()).isEqualTo(RelayEvent.Type.DELIVERED);
        assertThat(d.diagnosticCode()).isEqualTo("250 2.6.0 Message received");

        RelayEvent delay = one("ses-delivery-delay.json");
        assertThat(delay.type()).isEqualTo(RelayEvent.Type.DELAYED);
        assertThat(delay.enhancedStatus()).isEqualTo("4.4.1");
        assertThat(delay.bounceSubType()).isEqualTo("TransientCommunicationFailure");

        RelayEvent open = one("ses-open.json");
        assertThat(open.type()).isEqualTo(RelayEvent.Type.OPENED);
        assertThat(open.machineOpen()).as("Apple MPP: 17/8 and bare Mozilla/5.0").isTrue();

        RelayEvent click = one("ses-click.json");
        assertThat(click.type()).isEqualTo(RelayEvent.Type.CLICKED);
        assertThat(click.url()).startsWith("http://docs.aws.amazon.com/");
        assertThat(click.recipient()).isEqualTo("recipient@example.com");
    }

    @Test
    void severalRecipientsGiveOneEventEachWithDistinctIds() {
        String json =
                Samples.load("ses-delivery.json", "j")
                        .replace(
                                "\"recipients\": [\"recipient@example.com\"]",
                                "\"recipients\": [\"a@example.com\", \"b@example.com\"]");
        List<RelayEvent> events =
                mapper.map(
                        "sns-9",
                        Json.fromString(json, com.fasterxml.jackson.databind.JsonNode.class),
                        now);
        assertThat(events).extracting(RelayEvent::eventId).containsExactly("sns-9#0", "sns-9#1");
    }
}
