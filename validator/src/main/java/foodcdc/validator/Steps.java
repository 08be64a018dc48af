package foodcdc.validator;

import foodcdc.config.PipelineConfig;
import foodcdc.retry.AccessRefused;
import java.util.ArrayList;
import java.util.List;

/**
 * The validator's steps (start Spark, read each store), each timed, and the failure of any as
 * one line that names the step and what went wrong, instead of a stack trace.
 */
final class Steps {
    private final List<String> timings = new ArrayList<>();
    private final PipelineConfig config;

    /** {@code config}: its servers name a refusal (a login, a TLS handshake) in the failure's line. */
    Steps(PipelineConfig config) {
        this.config = config;
    }

    interface Step<T> {
        T call() throws Exception;
    }

    /** A step that failed; the message is the whole line for the user. */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Runs {@code step}: {@code label} names it in the timings, {@code what} in a failure ("cannot " + what). */
    <T> T run(String label, String what, Step<T> step) throws Failed {
        long t0 = System.nanoTime();
        try {
            T result = step.call();
            timings.add(label + " " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            return result;
        } catch (OutOfMemoryError e) {
            throw new Failed("cannot " + what + ": " + FailureMessage.of(e) + " (the validator holds the table and "
                    + "the lake in memory: give it more with SPARK_DRIVER_MEMORY, e.g. 4g)", e);
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String why = AccessRefused.byEither(e, config).map(Throwable::getMessage).orElseGet(() -> FailureMessage.of(e));
            throw new Failed("cannot " + what + ": " + why, e);
        }
    }

    /** How long each step took, e.g. "start Spark 1800 ms, PostgreSQL 150 ms". */
    @Override
    public String toString() {
        return String.join(", ", timings);
    }
}
