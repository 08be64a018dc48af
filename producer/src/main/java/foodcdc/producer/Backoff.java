package foodcdc.producer;

import java.time.Duration;

/** Waits between retries while a service is down: 1 s, doubling, at most 30 s; reset on success. */
final class Backoff {
    static final Duration FIRST = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofSeconds(30);

    private int failures;

    /** The wait before the next attempt, after one more failure. */
    Duration next() {
        failures++;
        long millis = FIRST.toMillis() << Math.min(failures - 1, 16);
        return Duration.ofMillis(Math.min(millis, MAX.toMillis()));
    }

    int failures() {
        return failures;
    }

    void reset() {
        failures = 0;
    }
}
