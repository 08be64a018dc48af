package foodcdc.storage;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The lake's and the watermark's files are plain files: other tools (DuckDB, pyarrow, an
 * operator's editor) may read and rewrite them, and a replacing move never leaves an instant
 * without the file.
 *
 * <p>Hadoop's default local file system writes a {@code .crc} sidecar beside every file and
 * verifies it on read, so a file rewritten by another tool fails every later Spark read with a
 * {@code ChecksumException}; and its replacing rename (through {@code FileContext}, as on S3A)
 * deletes the target before renaming, and moves the sidecar separately. Here:
 * <ul>
 *   <li>{@link #SPARK_CONF}: the jobs' Spark sessions use the raw local file system (no
 *       sidecars written or checked) for {@code file:} paths;</li>
 *   <li>{@link #replace}: on local disk one {@code rename(2)} (atomic: a reader opens the old
 *       file or the new one); on HDFS {@code rename(OVERWRITE)}, which the NameNode does
 *       atomically too. On S3A a rename is a copy and a delete, and a replacing one deletes the
 *       target first: there a reader may find the file missing for a moment (see README).</li>
 * </ul>
 */
public final class PlainFiles {
    /**
     * Spark settings for every job: {@code file:} paths through Hadoop's raw local file system.
     * The cache is off for it, because Hadoop caches file systems by scheme alone: one created
     * earlier in the JVM with the default settings (spark-submit resolving jars, say) would
     * otherwise be handed back.
     */
    public static final Map<String, String> SPARK_CONF = Map.of(
            "spark.hadoop.fs.file.impl", RawLocalFileSystem.class.getName(),
            "spark.hadoop.fs.file.impl.disable.cache", "true");

    private PlainFiles() {
    }

    /** Whether {@code path} is on local disk (no scheme, or {@code file:}). */
    public static boolean isLocal(Path path) {
        String scheme = path.toUri().getScheme();
        return scheme == null || scheme.equals("file");
    }

    /** Moves {@code from} to {@code to}, replacing {@code to} atomically where the file system can (see above). */
    public static void replace(Path from, Path to, Configuration conf) throws IOException {
        if (isLocal(to)) {
            // With ATOMIC_MOVE, Linux's rename(2) replaces an existing target in one step.
            Files.move(local(from), local(to), StandardCopyOption.ATOMIC_MOVE);
        } else {
            FileContext.getFileContext(to.toUri(), conf).rename(from, to, Options.Rename.OVERWRITE);
        }
    }

    /**
     * Writes {@code bytes} to a local file {@code to}, durably, through {@code tmp}: written,
     * forced to disk, then renamed over {@code to} in one step, and the folder forced too, so
     * neither a crash nor a power cut leaves a missing, empty or half-written file.
     */
    public static void writeLocalAtomically(java.nio.file.Path to, java.nio.file.Path tmp, byte[] bytes)
            throws IOException {
        Files.createDirectories(to.getParent());
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(java.nio.ByteBuffer.wrap(bytes));
            out.force(true);
        }
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel dir = FileChannel.open(to.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** The local path of a {@code file:} (or scheme-less) Hadoop path. */
    public static java.nio.file.Path local(Path path) {
        return java.nio.file.Path.of(Path.getPathWithoutSchemeAndAuthority(path).toString());
    }
}
