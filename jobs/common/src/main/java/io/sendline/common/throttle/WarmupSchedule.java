package io.sendline.common.throttle;

import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The IP warm-up cap of one sending pool: mailbox providers distrust a new IP that sends a lot at
 * once, so its hourly volume starts small on a start date and grows day by day over weeks.
 *
 * <p>Two forms: geometric ({@code startPerHour * dailyGrowth^day}, capped at {@code maxPerHour}),
 * or a table of (day, cap per hour) steps where each step holds until the next. Days count from the
 * start date at 00:00 UTC. Before the start date the cap is the start cap; once the maximum (or the
 * last table step) is reached it stays there.
 */
public final class WarmupSchedule implements Serializable {

    private static final long serialVersionUID = 1L;

    private final LocalDate start;
    private final double startPerHour;
    private final double dailyGrowth;
    private final double maxPerHour;
    private final TreeMap<Integer, Double> table;

    private WarmupSchedule(
            LocalDate start,
            double startPerHour,
            double dailyGrowth,
            double maxPerHour,
            TreeMap<Integer, Double> table) {
        this.start = start;
        this.startPerHour = startPerHour;
        this.dailyGrowth = dailyGrowth;
        this.maxPerHour = maxPerHour;
        this.table = table;
    }

    /**
     * Geometric warm-up.
     *
     * @param start first day of the warm-up (UTC)
     * @param startPerHour cap per hour on the first day, e.g. 1,000
     * @param dailyGrowth multiplier per day, at least 1, e.g. 1.5
     * @param maxPerHour the cap stops growing here (use {@link Double#POSITIVE_INFINITY} for none;
     *     the pool's own rate still applies)
     */
    public static WarmupSchedule geometric(
            LocalDate start, double startPerHour, double dailyGrowth, double maxPerHour) {
        Objects.requireNonNull(start, "warm-up start date");
        if (!(startPerHour > 0) || Double.isInfinite(startPerHour)) {
            throw new IllegalArgumentException("warm-up start-per-hour must be > 0");
        }
        if (!(dailyGrowth >= 1) || Double.isInfinite(dailyGrowth)) {
            throw new IllegalArgumentException("warm-up daily-growth must be >= 1");
        }
        if (!(maxPerHour >= startPerHour)) {
            throw new IllegalArgumentException("warm-up max-per-hour must be >= start-per-hour");
        }
        return new WarmupSchedule(start, startPerHour, dailyGrowth, maxPerHour, null);
    }

    /**
     * Table warm-up: {@code capPerHourByDay} maps a day number (0 = start date) to the hourly cap
     * from that day on. It must contain day 0; caps must not decrease.
     */
    public static WarmupSchedule table(LocalDate start, Map<Integer, Double> capPerHourByDay) {
        Objects.requireNonNull(start, "warm-up start date");
        TreeMap<Integer, Double> t = new TreeMap<>(capPerHourByDay);
        if (!t.containsKey(0)) {
            throw new IllegalArgumentException("warm-up table must have a cap for day 0");
        }
        double previous = 0;
        for (Map.Entry<Integer, Double> e : t.entrySet()) {
            if (e.getKey() < 0) {
                throw new IllegalArgumentException("warm-up table day must be >= 0");
            }
            double cap = e.getValue();
            if (!(cap > 0) || Double.isInfinite(cap) || cap < previous) {
                throw new IllegalArgumentException(
                        "warm-up table caps must be positive and not decrease (day "
                                + e.getKey()
                                + ")");
            }
            previous = cap;
        }
        return new WarmupSchedule(
                start, t.firstEntry().getValue(), 1.0, t.lastEntry().getValue(), t);
    }

    /** The cap per hour at this instant. */
    public double capPerHour(Instant now) {
        long day = Duration.between(start.atStartOfDay(ZoneOffset.UTC).toInstant(), now).toDays();
        if (now.isBefore(start.atStartOfDay(ZoneOffset.UTC).toInstant())) {
            day = 0;
        }
        if (table != null) {
            NavigableMap.Entry<Integer, Double> e =
                    table.floorEntry((int) Math.min(Integer.MAX_VALUE, day));
            return e.getValue();
        }
        // pow overflows to infinity for huge days, which min() turns into the maximum.
        return Math.min(maxPerHour, startPerHour * Math.pow(dailyGrowth, day));
    }

    /** The cap per second at this instant ({@link #capPerHour} / 3600). */
    public double capPerSecond(Instant now) {
        return capPerHour(now) / 3600.0;
    }

    /** First day of the warm-up. */
    public LocalDate start() {
        return start;
    }

    /** Cap per hour on day 0. */
    public double startPerHour() {
        return startPerHour;
    }

    /** Daily multiplier (1 for a table schedule). */
    public double dailyGrowth() {
        return dailyGrowth;
    }

    /** Highest cap per hour. */
    public double maxPerHour() {
        return maxPerHour;
    }

    @Override
    public String toString() {
        return table != null
                ? "WarmupSchedule{start=" + start + ", table=" + table + "}"
                : "WarmupSchedule{start="
                        + start
                        + ", startPerHour="
                        + startPerHour
                        + ", dailyGrowth="
                        + dailyGrowth
                        + ", maxPerHour="
                        + maxPerHour
                        + "}";
    }
}
