package foodcdc.consumer;

import foodcdc.lake.LakeLayout;
import foodcdc.storage.ProcessLock;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;

/**
 * One consumer per lake: each consumer knows only the orders and merges it made itself since
 * it started ({@link OrderIndex}, {@link Compactor}), so a second one writing to the same lake
 * would write orders twice and could delete a merge in progress. The consumer holds
 * {@code <datalake.path>/_consumer.lock} ({@link ProcessLock}) for as long as it runs, and the
 * earlier versions' {@code <datalake.path>_staging/consumer.lock}.
 */
final class LakeLock {
    private LakeLock() {
    }

    /** False when another process holds the lake; true when this one now does (or cannot lock: not local). */
    static boolean acquire(String lakePath, Configuration conf) throws IOException {
        LakeLayout layout = new LakeLayout(lakePath);
        // Also where earlier versions held it: one of those still running keeps this one out.
        return ProcessLock.acquire(layout.lockFile(), conf) && ProcessLock.acquire(layout.earlierLockFile(), conf);
    }
}
