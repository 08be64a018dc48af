package foodcdc.retry;

import java.time.Duration;

/** Waits between retries while a service is down: 1 s, doubling, at most 30 s; reset on success. */
public final class Backoff {
    public static final Duration FIRST = Duration.ofSeconds(1);
    public static final Duration MAX = Duration.ofSeconds(30);

    private int failures;

    /** The wait before the next attempt, after one more failure. */
    public Duration next() {
        failures++;
        long millis = FIRST.toMillis() << Math.min(failures - 1, 16);
        return Duration.ofMillis(Math.min(millis, MAX.toMillis()));
    }

    public int failures() {
        return failures;
    }

    public void reset() {
        failures = 0;
    }
}
