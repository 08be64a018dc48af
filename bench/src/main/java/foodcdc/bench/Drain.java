package foodcdc.bench;

/**
 * How a stage drained a backlog of {@code total} rows, seen from outside: started at
 * {@code startNanos}, the first rows out ({@code firstCount} of them) at {@code firstNanos}, all
 * out at {@code endNanos}. Whole is start to end, the JVMs' and Spark's start and the cold
 * first batch included; steady is the rate after the first rows out, as seconds for the whole
 * backlog: what the stage costs once it runs, to compare with clients in a warm JVM.
 */
record Drain(long total, long startNanos, long firstNanos, long firstCount, long endNanos) {
    double wholeSeconds() {
        return (endNanos - startNanos) / 1e9;
    }

    /** Seconds for all {@code total} rows at the rate from the first rows out to the last; whole when they came at once. */
    double steadySeconds() {
        if (firstCount >= total || endNanos <= firstNanos) {
            return wholeSeconds();
        }
        return (endNanos - firstNanos) / 1e9 * total / (total - firstCount);
    }

    /** Seconds from the start to the first rows out: JVM, Spark, and the first batch. */
    double firstSeconds() {
        return (firstNanos - startNanos) / 1e9;
    }
}
