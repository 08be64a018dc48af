package foodcdc.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.EnumSet;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The files under one storage location (the lake, the watermark folder) as plain files: other
 * tools (DuckDB, pyarrow, an operator's editor) may read and rewrite them, and a replacing move
 * never leaves an instant without the file.
 *
 * <p>Hadoop's default local file system writes a {@code .crc} sidecar beside every file and
 * verifies it on read, so a file rewritten by another tool fails every later Spark read with a
 * {@code ChecksumException}; and its replacing rename (through {@code FileContext}, as on S3A)
 * deletes the target before renaming, and moves the sidecar separately. Here:
 * <ul>
 *   <li>{@link #SPARK_CONF}: the jobs' Spark sessions use the raw local file system (no
 *       sidecars written or checked) for {@code file:} paths;</li>
 *   <li>{@link #replace}: on local disk one {@code rename(2)} of a file forced to disk (atomic:
 *       a reader opens the old file or the new one); on HDFS {@code rename(OVERWRITE)}, which the
 *       NameNode does atomically too. On S3A a rename is a copy and a delete, and a replacing one
 *       deletes the target first: there a reader may find the file missing for a moment.</li>
 * </ul>
 * Whether a location is local is decided on its qualified path: a path without a scheme is on
 * the cluster's default file system ({@code fs.defaultFS}), which is HDFS on a Hadoop cluster.
 */
public final class PlainFiles {
    /**
     * Spark settings for every job: {@code file:} paths through Hadoop's raw local file system.
     * The cache is off for it, because Hadoop caches file systems by scheme alone: one created
     * earlier in the JVM with the default settings (spark-submit resolving jars, say) would
     * otherwise be handed back. A raw local file system holds no threads or sockets.
     */
    public static final Map<String, String> SPARK_CONF = Map.of(
            "spark.hadoop.fs.file.impl", RawLocalFileSystem.class.getName(),
            "spark.hadoop.fs.file.impl.disable.cache", "true");

    private final boolean local;
    /** For other file systems only; one per location, since every FileContext opens its own client. */
    private final FileContext files;

    /** The files under {@code root} (a folder of the config). */
    public PlainFiles(Path root, Configuration conf) throws IOException {
        Path qualified = root.getFileSystem(conf).makeQualified(root);
        String scheme = qualified.toUri().getScheme();
        this.local = scheme == null || scheme.equals("file");
        this.files = local ? null : FileContext.getFileContext(qualified.toUri(), conf);
    }

    /** Whether the location is on local disk. */
    public boolean isLocal() {
        return local;
    }

    /** Moves {@code from} to {@code to}, replacing {@code to} atomically where the file system can (see above). */
    public void replace(Path from, Path to) throws IOException {
        if (!local) {
            files.rename(from, to, Options.Rename.OVERWRITE);
            return;
        }
        java.nio.file.Path source = local(from);
        java.nio.file.Path target = local(to);
        // The rename is atomic, not durable: the data and the folder entry are forced to disk too,
        // or a power cut could leave an empty file under a batch Spark has committed.
        force(source);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException otherDisk) {
            // The staging folder on another file system than the target (a mounted volume):
            // copy beside the target first, then rename there, still in one step.
            java.nio.file.Path beside = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.copy(source, beside, StandardCopyOption.REPLACE_EXISTING);
            force(beside);
            Files.move(beside, target, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(source);
        }
        forceFolder(target.getParent());
    }

    /**
     * Writes a small file ({@code bytes}) so that a crash leaves the old content or the new, never
     * a missing or half-written file: through {@code .<name>.tmp} beside it, then {@link #replace}.
     */
    public void write(Path to, byte[] bytes) throws IOException {
        Path tmp = new Path(to.getParent(), "." + to.getName() + ".tmp");
        if (local) {
            writeLocalAtomically(local(to), local(tmp), bytes);
            return;
        }
        files.mkdir(to.getParent(), null, true);
        try (OutputStream out = files.create(tmp, EnumSet.of(CreateFlag.CREATE, CreateFlag.OVERWRITE),
                Options.CreateOpts.createParent())) {
            out.write(bytes);
        }
        replace(tmp, to);
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
            out.write(ByteBuffer.wrap(bytes));
            out.force(true);
        }
        Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE);
        forceFolder(to.getParent());
    }

    /** The local path of a {@code file:} (or scheme-less, local) Hadoop path. */
    public static java.nio.file.Path local(Path path) {
        return java.nio.file.Path.of(Path.getPathWithoutSchemeAndAuthority(path).toString());
    }

    private static void force(java.nio.file.Path file) throws IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            c.force(true);
        }
    }

    /**
     * Makes a rename in {@code folder} durable where the file system can. Some mounts (FUSE,
     * a container's bind mount of a host folder) refuse to sync a folder: the rename is still
     * atomic there, so that is no reason to fail the batch.
     */
    private static void forceFolder(java.nio.file.Path folder) {
        try {
            force(folder);
        } catch (IOException notSupported) {
            // Durability of the folder entry is then the mount's; atomicity does not depend on it.
        }
    }
}
