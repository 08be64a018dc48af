package foodcdc.storage;

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
 * One process at a time on a job's state: an OS lock on a file, held for as long as the JVM
 * runs (the OS releases it when the process dies, even by SIGKILL). The consumer holds one in
 * the lake folder, the producer one beside its watermark, and the tools that rewrite
 * a job's state take its lock (the replay both, accept_source.sh the producer's), so they cannot
 * run while that job does. On local disk only: HDFS
 * and S3 have no such lock, and there one job per lake is the operator's to ensure.
 */
public final class ProcessLock {
    /** Lock file → its lock, held until the JVM ends. */
    private static final Map<java.nio.file.Path, FileLock> HELD = new HashMap<>();

    private ProcessLock() {
    }

    /** False when another process holds {@code file}; true when this one now does (or cannot lock: not local). */
    public static synchronized boolean acquire(Path file, Configuration conf) throws IOException {
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
