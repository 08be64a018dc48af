package foodcdc.metrics;

import java.time.Duration;

/**
 * How long work will still take, for the progress lines of long work (an index build, a
 * backlog): the rate so far and the time left at that rate. Pure, so the arithmetic is tested.
 */
public final class Progress {
    private Progress() {
    }

    /** {@code done} units in {@code elapsed}: units a second (0 before any time passed). */
    public static double rate(long done, Duration elapsed) {
        double seconds = elapsed.toNanos() / 1e9;
        return seconds <= 0 ? 0 : done / seconds;
    }

    /** "about N s left" at {@code rate} for {@code remaining} units; "time left unknown" at no rate yet. */
    public static String timeLeft(long remaining, double rate) {
        if (remaining <= 0) {
            return "nothing left";
        }
        if (rate <= 0) {
            return "time left unknown";
        }
        return "about " + Math.max(1, Math.round(remaining / rate)) + " s left";
    }
}
