package io.sendline.send.throttle;

import io.sendline.common.throttle.PacingConfig;
import io.sendline.send.SendPipelineOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * What the throttle needs from the job's options, serializable so the function can hold it.
 *
 * @param pacing rates per pool and domain, warm-up, splits of hot domains
 * @param recheckMillis longest time a waiting key sleeps before it looks again (bounds how late a
 *     resume or a rate change takes effect)
 * @param burstMillis a key (and a pool on a subtask) may send this many millis worth of its rate at
 *     once after an idle time
 * @param metricDomains domains with their own metric label; others count as {@code other}
 */
public record ThrottleSettings(
        PacingConfig pacing, long recheckMillis, long burstMillis, Set<String> metricDomains)
        implements Serializable {

    public ThrottleSettings {
        Objects.requireNonNull(pacing, "pacing");
        if (recheckMillis < 1 || burstMillis < 1) {
            throw new IllegalArgumentException("recheck and burst must be >= 1 ms");
        }
        metricDomains = Set.copyOf(metricDomains);
    }

    /** Settings from the job's options ({@code pacing.*}, {@code throttle.*}, metrics). */
    public static ThrottleSettings from(SendPipelineOptions options) {
        return new ThrottleSettings(
                PacingConfig.fromMap(options.subset(PacingConfig.PREFIX)),
                options.pausedRecheck().toMillis(),
                options.throttleBurst().toMillis(),
                options.metricDomains());
    }

    /** Settings with defaults for tests: 1 s recheck, 200 ms burst. */
    public static ThrottleSettings of(PacingConfig pacing) {
        return new ThrottleSettings(
                pacing, Duration.ofSeconds(1).toMillis(), 200, Set.of("gmail.com"));
    }

    /** The metric label of a domain. */
    public String domainLabel(String domain) {
        return metricDomains.contains(domain) ? domain : "other";
    }
}
