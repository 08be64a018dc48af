package foodcdc.consumer;

import java.util.Arrays;
import java.util.List;
import org.roaringbitmap.longlong.Roaring64NavigableMap;

/**
 * The commit-to-lake latency of a micro-batch's orders: from each order's {@code created_at}
 * (a change's {@code changed_at}) to the moment its file was in place, for the orders the batch
 * wrote for the first time: copies of an order the lake holds, later copies within the batch
 * and the orders of a replayed batch (written before, by the run that crashed) are left out,
 * since their latency says nothing about the pipeline's. Pure.
 */
final class CommitLatency {
    private CommitLatency() {
    }

    /**
     * Seconds from each key's time ({@code micros}, epoch microseconds, in the order of
     * {@code keys}) to {@code inPlaceMicros}, for the keys not in {@code leaveOut}, each key
     * once; never negative (a writer's clock ahead of this one).
     */
    static double[] seconds(List<Long> keys, List<Long> micros, Roaring64NavigableMap leaveOut, long inPlaceMicros) {
        if (keys.size() != micros.size()) {
            throw new IllegalArgumentException(keys.size() + " keys but " + micros.size() + " times");
        }
        Roaring64NavigableMap seen = new Roaring64NavigableMap();
        double[] out = new double[keys.size()];
        int n = 0;
        for (int i = 0; i < keys.size(); i++) {
            long key = keys.get(i);
            if (leaveOut.contains(key) || seen.contains(key)) {
                continue;
            }
            seen.addLong(key);
            out[n++] = Math.max(0, inPlaceMicros - micros.get(i)) / 1e6;
        }
        return Arrays.copyOf(out, n);
    }
}
