package io.sendline.send.ingest;

import io.sendline.schemas.DeadLetter;
import io.sendline.schemas.flink.ParseOrDeadLetter;
import io.sendline.schemas.flink.RawRecord;
import java.time.Instant;
import org.apache.flink.util.OutputTag;

/** Dead letters of the send pipeline: the side output tag and how a refused record is kept. */
public final class DeadLetters {

    /** Component name written into every dead letter. */
    public static final String COMPONENT = "send-pipeline";

    /** Side output of every parse step (the same tag as the shared parser's). */
    public static final OutputTag<DeadLetter> TAG = ParseOrDeadLetter.DEAD_LETTERS;

    private DeadLetters() {}

    /** A dead letter keeping the record's coordinates and bytes, with the reason. */
    public static DeadLetter of(RawRecord r, String reason, Instant at) {
        return r.toDeadLetter(reason, COMPONENT, at);
    }
}
