package foodcdc.consumer;

import foodcdc.consumer.CompactionPolicy.Merge;
import foodcdc.storage.PlainFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of files per date folder bounded by merging small files ({@link CompactionPolicy}
 * says which), and knows the lake's files (listed once at start, then kept up to date by the
 * writer) so that neither needs a listing per micro-batch.
 *
 * <p>A merge must never let a reader listing the files see an order twice, and a crash at any
 * moment must lose nothing. Its steps:
 * <ol>
 *   <li>the merged file is written to the staging folder, then renamed into the date folder as
 *       {@code .merging-<uuid>.tmp} (no reader lists it);</li>
 *   <li>a journal naming it, its final name and its inputs is written durably;</li>
 *   <li>the inputs are deleted; then the merged file is renamed to its final name;</li>
 *   <li>the journal is deleted.</li>
 * </ol>
 * A crash before the journal leaves the inputs untouched (the {@code .tmp} is deleted at the next
 * start); after it, the next start finishes the merge ({@link #recover}) before anything else.
 * Between the first deletion and the final rename (a few unlinks and one rename, well under a
 * millisecond on local disk), a listing reader can miss the merged orders; it never sees them twice.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

    /** Where a merge has got to; tests stop a consumer at each to kill it there. */
    interface Steps {
        Steps NONE = step -> { };

        void reached(String step);
    }

    private final SparkSession spark;
    private final LakeLayout layout;
    private final FileSystem fs;
    private final PlainFiles plain;
    private final Steps steps;
    /** date → file name → bytes: the lake's files as this consumer knows them. */
    private final Map<String, Map<String, Long>> folders = new HashMap<>();
    private LocalDate newest;

    Compactor(SparkSession spark, LakeLayout layout, FileSystem fs, PlainFiles plain, Steps steps) {
        this.spark = spark;
        this.layout = layout;
        this.fs = fs;
        this.plain = plain;
        this.steps = steps;
    }

    /**
     * Finishes a merge a crash interrupted, removes what an unfinished one left, and lists the
     * lake. Returns every Parquet file in it.
     */
    List<Path> start() throws IOException {
        recover();
        folders.clear();
        List<Path> parquet = new ArrayList<>();
        if (!fs.exists(layout.lake)) {
            return parquet;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(layout.lake, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            String name = f.getPath().getName();
            String date = LakeLayout.dateOf(f.getPath().getParent().getName());
            if (name.startsWith(LakeLayout.MERGING_PREFIX)) {
                fs.delete(f.getPath(), false);   // a merge that crashed before its journal: its inputs are all there
            } else if (name.endsWith(".parquet")) {
                parquet.add(f.getPath());
                if (date != null) {
                    added(date, name, f.getLen());
                }
            }
        }
        return parquet;
    }

    /** A file the writer put (or replaced) in the folder of {@code date}. */
    void added(String date, String name, long bytes) {
        folders.computeIfAbsent(date, d -> new HashMap<>()).put(name, bytes);
        LocalDate d = CompactionPolicy.parse(date);
        if (d != null && (newest == null || d.isAfter(newest))) {
            newest = d;
        }
    }

    /** Runs at most one merge (bounding what it adds to a micro-batch); returns it. */
    Optional<Merge> compactOne() throws IOException {
        Optional<Merge> next = CompactionPolicy.next(folders, newest);
        if (next.isPresent()) {
            merge(next.get());
        }
        return next;
    }

    private void merge(Merge m) throws IOException {
        long t0 = System.nanoTime();
        Path folder = layout.dateFolder(m.date());
        String[] inputs = m.inputs().stream().map(name -> new Path(folder, name).toString()).toArray(String[]::new);
        Path stage = new Path(layout.staging, "merge-" + UUID.randomUUID());
        spark.read().schema(LakeReader.LAKE).parquet(inputs).coalesce(1)
                .write().mode(SaveMode.Overwrite).parquet(stage.toString());
        FileStatus[] parts = fs.listStatus(stage, p -> p.getName().endsWith(".parquet"));
        if (parts.length != 1) {
            throw new IOException("expected one merged file in " + stage + ", found " + parts.length);
        }
        Path merging = new Path(folder, LakeLayout.mergingFile());
        Path target = new Path(folder, LakeLayout.mergedFile(m.level()));
        plain.replace(parts[0].getPath(), merging);
        fs.delete(stage, true);
        steps.reached("merged file in place");
        plain.write(layout.compactionJournal(), new Journal(merging, target, List.of(inputs)).encode());
        steps.reached("journal written");
        finish(new Journal(merging, target, List.of(inputs)));
        Map<String, Long> files = folders.get(m.date());
        m.inputs().forEach(files::remove);
        files.put(target.getName(), parts[0].getLen());
        LOG.info("Merged {} files of {} into {} ({} bytes) in {} ms", inputs.length, m.date(), target.getName(),
                parts[0].getLen(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** Steps 3 and 4: from a written journal on, the merge only moves forward. */
    private void finish(Journal j) throws IOException {
        boolean first = true;
        for (String input : j.inputs()) {
            fs.delete(new Path(input), false);
            if (first) {
                steps.reached("first input deleted");
                first = false;
            }
        }
        steps.reached("inputs deleted");
        plain.replace(j.merging(), j.target());
        fs.delete(layout.compactionJournal(), false);
    }

    /** Completes the merge whose journal a crash left behind. */
    private void recover() throws IOException {
        Path journal = layout.compactionJournal();
        if (!fs.exists(journal)) {
            return;
        }
        Journal j;
        try (FSDataInputStream in = fs.open(journal)) {
            j = Journal.decode(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        if (fs.exists(j.merging())) {
            LOG.info("Finishing the merge into {} that a stop interrupted", j.target());
            finish(j);
        } else if (fs.exists(j.target())) {
            // Renamed into place; only the journal was left.
            for (String input : j.inputs()) {
                fs.delete(new Path(input), false);
            }
            fs.delete(journal, false);
        } else {
            // Never delete inputs whose merged copy is gone (someone removed it): they are the only copy.
            LOG.error("Compaction journal {} names {} but neither it nor {} exists; leaving its inputs in place",
                    journal, j.merging(), j.target());
            fs.delete(journal, false);
        }
    }

    /** The journal's content: one path a line, the merged file, its final name, then the inputs. */
    record Journal(Path merging, Path target, List<String> inputs) {
        byte[] encode() {
            List<String> lines = new ArrayList<>();
            lines.add(merging.toString());
            lines.add(target.toString());
            lines.addAll(inputs);
            return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        }

        static Journal decode(String text) throws IOException {
            List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
            if (lines.size() < 3) {
                throw new IOException("compaction journal is incomplete: " + lines.size() + " lines");
            }
            return new Journal(new Path(lines.get(0)), new Path(lines.get(1)), lines.subList(2, lines.size()));
        }
    }
}
