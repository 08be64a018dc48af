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
import org.apache.hadoop.fs.ChecksumException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
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
 *       (another set of dates): those are removed with it, as is {@code commits/N}. Their orders
 *       are read again from Kafka (gone from Kafka, Spark stops for data loss, which names the
 *       replay); one a merge has taken into a bigger file is known to the index and not doubled.</li>
 * </ul>
 */
final class CheckpointRepair {
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointRepair.class);
    private static final Pattern VERSION = Pattern.compile("v\\d+");
    private static final Pattern QUERY_ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");

    private CheckpointRepair() {
    }

    /** Repairs the checkpoint at {@code checkpoint} of the consumer writing {@code layout}; returns what it removed. */
    static List<String> repair(FileSystem fs, Path checkpoint, LakeLayout layout) throws IOException {
        List<String> done = new ArrayList<>();
        Optional<String> queryId = queryId(fs, new Path(checkpoint, "metadata"));
        for (FileStatus offsets : newestUnreadable(fs, new Path(checkpoint, "offsets"))) {
            long batch = Long.parseLong(offsets.getPath().getName());
            delete(fs, offsets.getPath());
            delete(fs, new Path(new Path(checkpoint, "commits"), Long.toString(batch)));
            List<Path> files = new ArrayList<>();
            if (queryId.isPresent()) {
                String name = LakeLayout.batchFile(queryId.get(), batch);
                files.addAll(glob(fs, new Path(layout.lake, LakeLayout.dateFolderName("*") + "/" + name)));
                files.addAll(glob(fs, new Path(layout.quarantine, name)));
            }
            for (Path f : files) {
                delete(fs, f);
            }
            done.add(offsets.getPath() + " (the offsets of batch " + batch + ") and the " + files.size()
                    + " files the batch wrote: it is planned again from Kafka");
        }
        for (FileStatus commit : newestUnreadable(fs, new Path(checkpoint, "commits"))) {
            delete(fs, commit.getPath());
            done.add(commit.getPath() + " (batch " + commit.getPath().getName() + " done): the batch runs again and "
                    + "replaces its own files");
        }
        done.forEach(d -> LOG.warn("Checkpoint file unreadable, as a crash of the host leaves it; removed {}", d));
        return done;
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
