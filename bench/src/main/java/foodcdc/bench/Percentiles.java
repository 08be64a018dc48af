package foodcdc.bench;

import java.util.Arrays;

/** Nearest-rank percentiles of a sample of durations in milliseconds. */
record Percentiles(int count, long p50, long p95, long p99, long max) {

    static Percentiles of(long[] sample) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("no samples");
        }
        long[] sorted = sample.clone();
        Arrays.sort(sorted);
        return new Percentiles(sorted.length, rank(sorted, 50), rank(sorted, 95), rank(sorted, 99),
                sorted[sorted.length - 1]);
    }

    /** The smallest value with at least p% of the sample at or below it. */
    private static long rank(long[] sorted, int p) {
        int n = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, n - 1)];
    }
}
