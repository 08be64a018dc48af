package foodcdc.consumer;

import foodcdc.lake.LakeLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import foodcdc.storage.PlainFiles;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Undoes what a crash of the host (a power cut) can leave of the newest micro-batches in Spark's
 * checkpoint. Spark writes {@code offsets/N} (what batch N reads) and {@code commits/N} (batch N
 * is done) without forcing them to disk, so after the crash the newest of them may be empty or
 * hold zeros; Spark then fails at every start ("Log file was malformed").
 *
 * <p>Both are safe to remove, newest first, while they cannot be read:
 * <ul>
 *   <li>{@code commits/N}: batch N runs again from its offsets, and its files replace the ones
 *       it wrote ({@link LakeWriter});</li>
 *   <li>{@code offsets/N}: batch N is planned again from where batch N−1 ended, so it may read
 *       other offsets than before, and its files could then not replace the first attempt's
 *       (another set of dates). Those are kept, renamed ({@link LakeLayout#setAsideBatchFile}):
 *       the order index counts them, so the new attempt drops their orders as copies, and
 *       orders the broker lost in the same crash are not lost with them. {@code commits/N}
 *       goes too;</li>
 *   <li>with no batch left, the topic's first offsets ({@code sources/}) and the query id
 *       ({@code metadata}) when unreadable: nothing was read yet.</li>
 * </ul>
 */
final class CheckpointRepair {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRepair.class);
    private static final Pattern VERSION = Pattern.compile("v\\d+");
    private static final Pattern QUERY_ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    private CheckpointRepair() {
    }

    /** Repairs the checkpoint at {@code checkpoint} of the consumer writing {@code layout}; returns what it did. */
    static List<String> repair(Configuration conf, Path checkpoint, LakeLayout layout) throws IOException {
        FileSystem fs = checkpoint.getFileSystem(conf);
        FileSystem lakeFs = layout.lake.getFileSystem(conf);
        PlainFiles plain = new PlainFiles(layout.lake, conf);
        List<String> done = new ArrayList<>();
        Path metadata = new Path(checkpoint, "metadata");
        Optional<String> queryId = queryId(fs, metadata);
        Path offsetLog = new Path(checkpoint, "offsets");
        for (FileStatus offsets : newestUnreadable(fs, offsetLog)) {
            long batch = Long.parseLong(offsets.getPath().getName());
            delete(fs, offsets.getPath());
            delete(fs, new Path(new Path(checkpoint, "commits"), Long.toString(batch)));
            int kept = 0;
            if (queryId.isPresent()) {
                String name = LakeLayout.batchFile(queryId.get(), batch);
                List<Path> files = new ArrayList<>(glob(lakeFs, new Path(layout.lake, LakeLayout.dateFolderName("*") + "/" + name)));
                files.addAll(glob(lakeFs, new Path(layout.quarantine, name)));
                for (Path f : files) {
                    if (namedByAMergeJournal(lakeFs, f)) {
                        continue;   // merged already: the start finishes that merge, and its file holds the orders
                    }
                    plain.replace(f, new Path(f.getParent(), LakeLayout.setAsideBatchFile(queryId.get(), batch)));
                    kept++;
                }
            }
            done.add(offsets.getPath() + " (the offsets of batch " + batch + "): it is planned again from Kafka; the "
                    + kept + " files its first attempt wrote are kept under another name, so that no order is lost "
                    + "(the new attempt drops them as copies)");
        }
        for (FileStatus commit : newestUnreadable(fs, new Path(checkpoint, "commits"))) {
            delete(fs, commit.getPath());
            done.add(commit.getPath() + " (batch " + commit.getPath().getName() + " done): the batch runs again and "
                    + "replaces its own files");
        }
        if (!fs.exists(offsetLog) || fs.listStatus(offsetLog, p -> p.getName().matches("\\d+")).length == 0) {
            // No batch planned (a crash in the checkpoint's first seconds): the rest holds nothing yet.
            Path sources = new Path(checkpoint, "sources");
            if (fs.exists(sources) && unreadableFileUnder(fs, sources)) {
                fs.delete(sources, true);
                done.add(sources + " (where the topic's first offsets are kept): read again from the topic's start");
            }
            if (fs.exists(metadata) && queryId.isEmpty()) {
                delete(fs, metadata);
                done.add(metadata + " (the query id): the run gets a new one");
            }
        }
        done.forEach(d -> LOG.warn("Checkpoint file unreadable, as a crash of the host leaves it; removed {}", d));
        return done;
    }

    private static boolean unreadableFileUnder(FileSystem fs, Path dir) throws IOException {
        RemoteIterator<LocatedFileStatus> files = fs.listFiles(dir, true);
        while (files.hasNext()) {
            Path p = files.next().getPath();
            if (!p.getName().startsWith(".") && !readableFirstOffsets(read(fs, p))) {
                return true;
            }
        }
        return false;
    }

    /** Whether a Kafka source's first offsets ({@code sources/0/0}) read: written after one zero byte (for Spark 2.1's readers). */
    static boolean readableFirstOffsets(String text) {
        return readable(text.startsWith("\0") ? text.substring(1) : text);
    }

    /** Whether a merge's journal in its folder names {@code file} as an input. */
    private static boolean namedByAMergeJournal(FileSystem fs, Path file) throws IOException {
        for (FileStatus j : fs.listStatus(file.getParent(), p -> LakeLayout.isJournal(p.getName()))) {
            if (Compactor.Journal.decode(read(fs, j.getPath())).inputs().contains(file.getName())) {
                return true;
            }
        }
        return false;
    }

    /** The newest files of a checkpoint log, down to the newest one Spark can read. */
    private static List<FileStatus> newestUnreadable(FileSystem fs, Path log) throws IOException {
        List<FileStatus> unreadable = new ArrayList<>();
        if (!fs.exists(log)) {
            return unreadable;
        }
        List<FileStatus> batches = new ArrayList<>(List.of(fs.listStatus(log, p -> p.getName().matches("\\d+"))));
        batches.sort(Comparator.comparingLong((FileStatus f) -> Long.parseLong(f.getPath().getName())).reversed());
        for (FileStatus f : batches) {
            String text;
            try {
                text = read(fs, f.getPath());
            } catch (ChecksumException e) {
                text = "";   // a checksummed file system's sidecar no longer matches: as unreadable to Spark
            }
            if (readable(text)) {
                break;
            }
            unreadable.add(f);
        }
        return unreadable;
    }

    /**
     * Whether a log file looks as Spark writes one: a version line ({@code v1}), then one or more
     * lines of JSON objects ({@code -} for a source without offsets). A crash leaves it empty, zeroed
     * or cut short.
     */
    static boolean readable(String text) {
        List<String> lines = text.lines().toList();
        return lines.size() >= 2 && VERSION.matcher(lines.get(0)).matches() && text.indexOf('\0') < 0
                && lines.stream().skip(1).allMatch(l -> l.startsWith("{") && l.endsWith("}") || l.equals("-"));
    }

    /** The streaming query's id, which names its lake files; empty if the metadata cannot be read. */
    private static Optional<String> queryId(FileSystem fs, Path metadata) throws IOException {
        if (!fs.exists(metadata)) {
            return Optional.empty();
        }
        Matcher m = QUERY_ID.matcher(read(fs, metadata));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String read(FileSystem fs, Path p) throws IOException {
        try (InputStream in = fs.open(p)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<Path> glob(FileSystem fs, Path pattern) throws IOException {
        FileStatus[] found = fs.globStatus(pattern);
        return found == null ? List.of() : List.of(found).stream().map(FileStatus::getPath).toList();
    }

    /**
     * Deletes a file and its checksum sidecar: Spark writes the checkpoint through Hadoop's
     * {@code FileContext}, checksummed on local disk whatever file system the jobs' sessions use,
     * and refuses to write a batch's file again over a sidecar left behind.
     */
    private static void delete(FileSystem fs, Path p) throws IOException {
        for (Path f : List.of(p, new Path(p.getParent(), "." + p.getName() + ".crc"))) {
            if (!fs.delete(f, false) && fs.exists(f)) {
                throw new IOException("could not delete " + f);
            }
        }
    }
}
