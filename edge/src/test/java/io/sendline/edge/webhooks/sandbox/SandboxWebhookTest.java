package io.sendline.edge.webhooks.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.sendline.edge.http.ApiException;
import io.sendline.edge.http.FieldError;
import io.sendline.edge.http.JsonBodies;
import io.sendline.schemas.RelayEvent;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mapping of sandbox batches: all events or a 400/413 saying which and why. */
class SandboxWebhookTest {

    private static final Instant NOW = Instant.parse("2026-12-04T10:00:00Z");

    private static JsonNode json(String s) {
        return JsonBodies.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String event(String id, String type) {
        return "{\"eventId\":\"" + id + "\",\"type\":\"" + type + "\",\"jobId\":\"j-" + id + "\"}";
    }

    @Test
    void aValidBatchMapsEveryEventInOrder() {
        List<RelayEvent> events =
                SandboxWebhook.mapAll(
                        json("[" + event("a", "DELIVERED") + "," + event("b", "BOUNCED") + "]"),
                        NOW,
                        10);
        assertThat(events).extracting(RelayEvent::eventId).containsExactly("a", "b");
        assertThat(events).extracting(RelayEvent::jobId).containsExactly("j-a", "j-b");
        assertThat(events.get(0).receivedAt()).isEqualTo(NOW);
    }

    @Test
    void everyInvalidEventIsNamedByIndexAndField() {
        String body =
                "["
                        + event("a", "DELIVERED")
                        + ",{\"type\":\"DELIVERED\"},"
                        + event("c", "SENT")
                        + ",\"x\"]";
        assertThatThrownBy(() -> SandboxWebhook.mapAll(json(body), NOW, 10))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.status()).isEqualTo(400);
                            assertThat(e.errors())
                                    .extracting(FieldError::field)
                                    .containsExactly("[1].eventId", "[2].type", "[3]");
                            assertThat(e.getMessage())
                                    .startsWith("3 events are invalid, the first [1].eventId")
                                    .endsWith("nothing was published");
                        });
    }

    @Test
    void theListOfErrorsIsCapped() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < 50; i++) {
            b.append(i == 0 ? "" : ",").append("{}");
        }
        assertThatThrownBy(() -> SandboxWebhook.mapAll(json(b.append(']').toString()), NOW, 100))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.errors()).hasSize(SandboxWebhook.MAX_ERRORS);
                            assertThat(e.getMessage()).startsWith("50 events are invalid");
                        });
    }

    @Test
    void tooManyEventsIs413AndAnEmptyArrayIs400() {
        String two = "[" + event("a", "DELIVERED") + "," + event("b", "DELIVERED") + "]";
        assertThatThrownBy(() -> SandboxWebhook.mapAll(json(two), NOW, 1))
                .isInstanceOfSatisfying(
                        ApiException.class,
                        e -> {
                            assertThat(e.status()).isEqualTo(413);
                            assertThat(e.getMessage())
                                    .isEqualTo("at most 1 sandbox events per request, got 2");
                        });
        assertThatThrownBy(() -> SandboxWebhook.mapAll(json("[]"), NOW, 10))
                .isInstanceOfSatisfying(
                        ApiException.class, e -> assertThat(e.status()).isEqualTo(400));
    }
}
