package foodcdc.storage;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Checks, before a job starts, that a folder named by the config can be written: creates it if
 * needed, writes and deletes a small probe file. A job that cannot write its lake, checkpoint
 * or watermark must stop at once with the key and the path, not fail later in the middle of a
 * batch or, worse, go on without saving where it is.
 */
public final class WritableLocation {
    private WritableLocation() {
    }

    /** Throws {@link StorageProblem} naming {@code key} and {@code location} when it cannot be written. */
    public static void require(String key, String location, Configuration conf) throws StorageProblem {
        Path dir = new Path(location);
        try {
            FileSystem fs = dir.getFileSystem(conf);
            if (fs.exists(dir) && !fs.getFileStatus(dir).isDirectory()) {
                throw new IOException("it is a file, not a folder");
            }
            // A name no other process can pick: jobs in containers sharing this folder all run as
            // PID 7 or so, and one would delete the other's probe.
            Path probe = new Path(dir, ".write-probe-" + java.util.UUID.randomUUID());
            if (!fs.mkdirs(dir)) {
                throw new IOException("cannot create the folder");
            }
            fs.create(probe, true).close();
            fs.delete(probe, false);
        } catch (IOException | RuntimeException e) {
            throw new StorageProblem(key + ": cannot write " + location + " (" + firstLine(e) + "). Make it a folder "
                    + "this user can write, or set " + key + " to one.", e);
        }
    }

    private static String firstLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }

    /** A storage location the job cannot use; the message says which key, which path and what to do. */
    public static final class StorageProblem extends Exception {
        private static final long serialVersionUID = 1L;

        public StorageProblem(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
