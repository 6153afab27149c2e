package io.sendline.send.control;

import io.sendline.schemas.ControlCommand;
import io.sendline.send.throttle.PacingSignal;

/**
 * One element of the throttle's broadcast input: either an operator's {@link ControlCommand}
 * (pause, resume, rate, from the compacted {@code email.control} topic read from the beginning) or
 * a {@link PacingSignal} fed back by dispatch. Exactly one of the two is set. One broadcast stream
 * carries both because a broadcast function has a single broadcast input.
 *
 * @param command a control command, or null
 * @param pacing a pacing signal, or null
 */
public record ControlSignal(ControlCommand command, PacingSignal pacing) {

    public ControlSignal {
        if ((command == null) == (pacing == null)) {
            throw new IllegalArgumentException("exactly one of command and pacing must be set");
        }
    }

    public static ControlSignal of(ControlCommand command) {
        return new ControlSignal(command, null);
    }

    public static ControlSignal of(PacingSignal pacing) {
        return new ControlSignal(null, pacing);
    }
}
