package io.sendline.send;

import io.sendline.schemas.EmailJob;
import io.sendline.schemas.EmailType;
import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Keeps the retries of one lane: both lanes read the shared retry topic, and each takes the jobs of
 * its own type, so a transactional retry never waits behind marketing ones.
 */
final class LaneFilter implements FilterFunction<EmailJob> {

    private static final long serialVersionUID = 1L;

    private final EmailType lane;

    LaneFilter(EmailType lane) {
        this.lane = lane;
    }

    @Override
    public boolean filter(EmailJob job) {
        // A job without a type was refused at parse time; treat it as marketing, the slow lane.
        EmailType type = job.type() == null ? EmailType.MARKETING : job.type();
        return type == lane;
    }
}
