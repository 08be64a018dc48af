package foodcdc.stack;

import java.time.Duration;
import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The one way the tests and the benchmark wait for something: look again and again until it
 * holds, for a bounded time. On timeout the failure says what was waited for, for how long, and
 * what was seen last, so a red test reads as a sentence. A look that throws ends the wait at once
 * with that exception: that is how a wait checks something that must hold all along (no
 * duplicate seen, the job still alive).
 *
 * <pre>{@code
 * Wait.until(() -> topicKeys(), keys -> keys.containsAll(table), Duration.ofMinutes(3),
 *         "the table's orders in the topic");
 * Wait.every(Duration.ofSeconds(1)).look(() -> job.isAlive(), Duration.ofMinutes(1), "the job to start");
 * }</pre>
 */
public final class Wait {
    private static final Duration DEFAULT_EVERY = Duration.ofMillis(250);

    private final Duration every;

    private Wait(Duration every) {
        this.every = every;
    }

    /** A look at the world: a value to test, or an exception that ends the wait. */
    @FunctionalInterface
    public interface Look<T> {
        T get() throws Exception;
    }

    /** Waits that look every {@code every} instead of every 250 ms. */
    public static Wait every(Duration every) {
        return new Wait(every);
    }

    /** Looks every 250 ms until {@code look} gives a value {@code done} accepts; returns that value. */
    public static <T> T until(Look<T> look, Predicate<? super T> done, Duration timeout, String what)
            throws Exception {
        return new Wait(DEFAULT_EVERY).look(look, done, timeout, what);
    }

    /** Looks every 250 ms until {@code condition} is true. */
    public static void until(Look<Boolean> condition, Duration timeout, String what) throws Exception {
        new Wait(DEFAULT_EVERY).look(condition, Boolean::booleanValue, timeout, what);
    }

    /** Looks every {@link #every} until {@code look} gives a value {@code done} accepts; returns that value. */
    public <T> T look(Look<T> look, Predicate<? super T> done, Duration timeout, String what) throws Exception {
        long start = System.nanoTime();
        long deadline = start + timeout.toNanos();
        while (true) {
            T seen = look.get();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimedOut("waited " + seconds(System.nanoTime() - start) + " s for " + what
                        + "; last saw: " + describe(seen));
            }
            Thread.sleep(Math.min(every.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Looks every {@link #every} until {@code condition} is true. */
    public void look(Look<Boolean> condition, Duration timeout, String what) throws Exception {
        look(condition, Boolean::booleanValue, timeout, what);
    }

    private static String seconds(long nanos) {
        return String.format("%.1f", nanos / 1e9);
    }

    private static String describe(Object seen) {
        return seen instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(seen);
    }

    /** A wait that ran out of time; a test failure, since every wait in a test is an expectation. */
    public static final class TimedOut extends AssertionError {
        private static final long serialVersionUID = 1L;

        TimedOut(String message) {
            super(message);
        }
    }
}
