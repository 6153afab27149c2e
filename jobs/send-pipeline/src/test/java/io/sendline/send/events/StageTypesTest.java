package io.sendline.send.events;

import static org.apache.flink.types.PojoTestUtils.assertSerializedAsPojoWithoutKryo;

import io.sendline.send.render.RenderedEmail;
import org.junit.jupiter.api.Test;

/** The records that travel between the send pipeline's stages are serialized without Kryo. */
class StageTypesTest {

    @Test
    void jobEventIsAPojo() {
        assertSerializedAsPojoWithoutKryo(JobEvent.class);
    }

    @Test
    void sendOutcomeIsAPojo() {
        assertSerializedAsPojoWithoutKryo(SendOutcome.class);
    }

    @Test
    void renderedEmailIsAPojo() {
        assertSerializedAsPojoWithoutKryo(RenderedEmail.class);
    }
}
