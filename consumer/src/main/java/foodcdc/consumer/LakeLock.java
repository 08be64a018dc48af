package foodcdc.consumer;

import foodcdc.lake.LakeLayout;
import foodcdc.storage.PlainFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * One consumer per lake: each consumer knows only the orders and merges it made itself since
 * it started ({@link OrderIndex}, {@link Compactor}), so a second one writing to the same lake
 * would write orders twice and could delete a merge in progress. On local disk the consumer
 * holds an OS lock on {@code <datalake.path>_staging/consumer.lock} for as long as it runs (the
 * OS releases it when the process dies, even by SIGKILL). HDFS and S3 have no such lock: there,
 * running one consumer per lake is the operator's job.
 */
final class LakeLock {
    /** Lock file → its lock, held until the JVM ends. */
    private static final Map<java.nio.file.Path, FileLock> HELD = new HashMap<>();

    private LakeLock() {
    }

    /** False when another process holds the lake; true when this one now does (or cannot lock: not local). */
    static synchronized boolean acquire(String lakePath, Configuration conf) throws IOException {
        Path file = new LakeLayout(lakePath).lockFile();
        if (!new PlainFiles(file.getParent(), conf).isLocal()) {
            return true;
        }
        // The real path: another spelling of the same folder (a symlink, "..") is the same lock.
        java.nio.file.Path local = Files.createDirectories(PlainFiles.local(file).getParent()).toRealPath()
                .resolve(file.getName());
        if (HELD.containsKey(local)) {
            return true;
        }
        FileChannel channel = FileChannel.open(local, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock();
        if (lock == null) {
            channel.close();
            return false;
        }
        HELD.put(local, lock);
        return true;
    }
}
