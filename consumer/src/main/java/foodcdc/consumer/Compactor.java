package foodcdc.consumer;

import foodcdc.consumer.CompactionPolicy.Merge;
import foodcdc.lake.LakeFileCheck;
import foodcdc.lake.LakeLayout;
import foodcdc.retry.RootCause;
import foodcdc.storage.PlainFiles;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of files per date folder, and in the quarantine, bounded by merging small
 * files ({@link CompactionPolicy} says which; at most one merge per micro-batch, of the lake or
 * the quarantine), and knows their files (listed once at start, then kept up to date by the
 * writer) so that neither needs a listing per micro-batch.
 *
 * <p>A merge must never let a reader listing the files see an order (or a rejected record) twice,
 * and a crash at any moment must lose nothing. Its steps, all inside the date folder (or the
 * quarantine):
 * <ol>
 *   <li>the merged file is written to the staging folder, then renamed into the date folder as
 *       {@code .merging-<id>.tmp} (no reader lists it);</li>
 *   <li>a journal, {@code .merging-<id>.journal}, names its final name and its inputs;</li>
 *   <li>the inputs are deleted; then the merged file is renamed to its final name;</li>
 *   <li>the journal is deleted.</li>
 * </ol>
 * A crash before the journal leaves the inputs untouched (the {@code .tmp} is deleted at the next
 * start); after it, the next start finishes the merge ({@link #start}) before anything else.
 * Between the first deletion and the final rename ({@value #LISTING_GRACE_MS} ms, see
 * {@link #LISTING_GRACE_MS}), a listing reader can miss the merged orders; it never sees them
 * twice unless its listing of one folder takes longer than that. A stop of the query does not
 * cut steps 3 and 4 short, and the JVM's shutdown waits for them ({@link #awaitFinishing}). One
 * consumer per lake: {@link ConsumerJob} holds a lock on local disk.
 */
final class Compactor {
    private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);
    /**
     * Time between deleting a merge's inputs and showing its output. A listing is not a
     * snapshot (a large folder is read in several calls), so a reader whose listing spans both
     * moments could otherwise find an input and the output in one listing: an order twice.
     */
    static final long LISTING_GRACE_MS = 500;
    /**
     * Held from just before a merge writes its journal to its end (steps 3 and 4), so that the JVM's shutdown can wait
     * for it rather than leave its orders hidden until the next start. One for the JVM, which
     * runs one consumer.
     */
    private static final ReentrantLock FINISHING = new ReentrantLock();
    /** Set, under {@link #FINISHING}, once the JVM's shutdown waited for it: no merge writes a journal after. */
    private static volatile boolean ending;

    /** Where a new merge has got to; tests stop a consumer at each to kill it there. */
    interface Steps {
        Steps NONE = step -> { };

        void reached(String step);
    }

    private final SparkSession spark;
    private final LakeLayout layout;
    /** The columns of the lake's files (orders, or changes): given to a merge's read, never inferred. */
    private final StructType lakeSchema;
    private final FileSystem fs;
    private final PlainFiles plain;
    private final Steps steps;
    /** date → file name → bytes: the lake's files as this consumer knows them. */
    private final Map<String, Map<String, Long>> folders = new HashMap<>();
    /** file name → bytes: the quarantine's files likewise. */
    private final Map<String, Long> quarantine = new HashMap<>();

    Compactor(SparkSession spark, LakeLayout layout, StructType lakeSchema, FileSystem fs, PlainFiles plain,
              Steps steps) {
        this.spark = spark;
        this.layout = layout;
        this.lakeSchema = lakeSchema;
        this.fs = fs;
        this.plain = plain;
        this.steps = steps;
    }

    /**
     * Finishes every merge a crash interrupted after its journal, removes what one interrupted
     * before it left, in the lake and the quarantine, and lists both. Returns every Parquet file
     * of the lake.
     */
    List<Path> start() throws IOException {
        folders.clear();
        quarantine.clear();
        recoverMerges(layout.lake);
        recoverMerges(layout.quarantine);
        if (fs.exists(layout.staging)) {
            for (FileStatus f : fs.listStatus(layout.staging, p -> p.getName().startsWith(LakeLayout.STAGED_MERGE_PREFIX))) {
                fs.delete(f.getPath(), true);
            }
        }
        List<Path> parquet = new ArrayList<>();
        for (FileStatus f : listAll(layout.lake)) {
            String date = LakeLayout.dateOf(f.getPath().getParent().getName());
            if (LakeLayout.isParquet(f.getPath().getName())) {
                parquet.add(f.getPath());
                if (date != null) {
                    added(date, f.getPath().getName(), f.getLen());
                }
            }
        }
        if (fs.exists(layout.quarantine)) {
            // Its own files only: merges name files of the folder, not of a subfolder someone made.
            for (FileStatus f : fs.listStatus(layout.quarantine, p -> LakeLayout.isParquet(p.getName()))) {
                if (f.isFile()) {
                    quarantined(f.getPath().getName(), f.getLen());
                }
            }
        }
        return parquet;
    }

    /** Finishes the merges under {@code root} that have a journal; deletes what those without one left. */
    private void recoverMerges(Path root) throws IOException {
        List<Path> journals = new ArrayList<>();
        List<Path> unjournaled = new ArrayList<>();
        for (FileStatus f : listAll(root)) {
            Path p = f.getPath();
            if (LakeLayout.isJournal(p.getName())) {
                journals.add(p);
            } else if (LakeLayout.isMergeLeftover(p.getName())) {
                unjournaled.add(p);
            }
        }
        for (Path journal : journals) {
            Path merging = new Path(journal.getParent(), LakeLayout.mergingFileOfJournal(journal.getName()));
            unjournaled.remove(merging);
            recover(journal, merging);
        }
        for (Path p : unjournaled) {
            deleteIfExists(p);   // a merge stopped before its journal: all its inputs are still there
        }
    }

    /** A file the writer put (or replaced) in the folder of {@code date}. */
    void added(String date, String name, long bytes) {
        folders.computeIfAbsent(date, d -> new HashMap<>()).put(name, bytes);
    }

    /**
     * A file of the lake or the quarantine that cannot be read (truncated, empty, a column of
     * another type): left where it is and out of every merge, with one ERROR, rather than failing
     * every micro-batch for ever. Its records are not counted: the index does not know its orders,
     * so copies of them arriving again are written (repairing the file in place would then show
     * them twice: it is to be moved out).
     */
    void leaveAlone(Path file, String reason) {
        boolean quarantined = file.getParent().equals(layout.quarantine);
        if (quarantined) {
            LOG.error("Quarantine file {} cannot be read ({}); it is left where it is and out of merges. Move it out "
                    + "of {} (its rejected records are not in the lake either way)", file, reason, layout.quarantine);
            quarantine.remove(file.getName());
            return;
        }
        LOG.error("Lake file {} cannot be read ({}); it is left where it is, out of merges, and its orders are not "
                + "counted. Move it out of datalake.path; if it held orders of this lake, run "
                + "scripts/replay_from_source.sh once it is out to write them again", file, reason);
        String date = LakeLayout.dateOf(file.getParent().getName());
        if (date != null && folders.containsKey(date)) {
            folders.get(date).remove(file.getName());
        }
    }

    /** A file the writer put in the quarantine. */
    void quarantined(String name, long bytes) {
        quarantine.put(name, bytes);
    }

    /**
     * Runs at most one merge (bounding what it adds to a micro-batch); returns it. The quarantine
     * file of the running micro-batch, {@code batchFile}, is left out: Spark replays a batch that
     * stopped before its commit, and the replay writes that file again, so merged its records
     * would be there twice. (Its lake files need no such care: a replay drops the orders the
     * lake holds.) True when a merge ran to its end.
     */
    boolean compactOne(String batchFile) throws IOException {
        Map<String, Long> committed = new HashMap<>(quarantine);
        committed.remove(batchFile);
        Optional<Merge> next = CompactionPolicy.next(folders, committed, LocalDate.now(ZoneOffset.UTC));
        return next.isPresent() && merge(next.get());
    }

    /** The lake's files as this consumer knows them, of the open days ({@code today} and later) or the closed ones. */
    long files(LocalDate today, boolean open) {
        return folders.entrySet().stream()
                .filter(e -> (e.getKey().compareTo(today.toString()) >= 0) == open)   // ISO days sort as text
                .mapToLong(e -> e.getValue().size()).sum();
    }

    /** True when it ran to its end; false when it left its inputs as they are (an unreadable one, the JVM ending). */
    private boolean merge(Merge m) throws IOException {
        long t0 = System.nanoTime();
        Path folder = m.inQuarantine() ? layout.quarantine : layout.dateFolder(m.date());
        // Each folder's own columns, given: inferred, one file's schema would be taken for all.
        StructType schema = m.inQuarantine() ? OrderCleaning.QUARANTINE : lakeSchema;
        List<String> inputs = m.inputs().stream().map(name -> new Path(folder, name).toString()).toList();
        Journal plan = new Journal(LakeLayout.mergedFile(m.level()), m.inputs());
        String id = UUID.randomUUID().toString();
        Path stage = layout.stagedMerge(id);
        // A file that cannot be read must fail the merge, never be left out of it and then deleted.
        try {
            spark.read().schema(schema).option("ignoreCorruptFiles", "false").option("ignoreMissingFiles", "false")
                    .parquet(inputs.toArray(String[]::new)).coalesce(1)
                    .write().mode(SaveMode.Overwrite).parquet(stage.toString());
        } catch (Exception e) {   // Spark's failure, which names neither the file nor what to do
            Map<String, String> unreadable = LakeFileCheck.unreadable(fs.getConf(), inputs, schema);
            if (unreadable.isEmpty()) {
                unreadable = eachAlone(inputs, schema);   // what no footer tells: a damaged page, a type Spark refuses
            }
            if (unreadable.isEmpty()) {
                throw e;
            }
            fs.delete(stage, true);
            unreadable.forEach((file, reason) -> leaveAlone(new Path(file), reason));
            return false;   // the others are merged by a later micro-batch
        }
        FileStatus[] parts = fs.listStatus(stage, p -> LakeLayout.isParquet(p.getName()));
        if (parts.length != 1) {
            throw new IOException("expected one merged file in " + stage + ", found " + parts.length);
        }
        Path merging = new Path(folder, LakeLayout.mergingFile(id));
        Path journal = new Path(folder, LakeLayout.journalFile(id));
        Path target = new Path(folder, plan.target());
        plain.replace(parts[0].getPath(), merging);
        fs.delete(stage, true);
        steps.reached("merged file in place");
        FINISHING.lock();
        try {
            if (ending) {
                deleteIfExists(merging);   // the JVM is ending: the inputs stay as they are, merged another time
                return false;
            }
            plain.write(journal, plan.encode());
            steps.reached("journal written");
            finish(journal, merging, plan, steps);
        } finally {
            FINISHING.unlock();
        }
        Map<String, Long> files = m.inQuarantine() ? quarantine : folders.get(m.date());
        m.inputs().forEach(files::remove);
        files.put(target.getName(), parts[0].getLen());
        LOG.info("Merged {} files of {} into {} ({} bytes) in {} ms", inputs.size(),
                m.inQuarantine() ? "the quarantine" : m.date(), target.getName(),
                parts[0].getLen(), (System.nanoTime() - t0) / 1_000_000);
        return true;
    }

    /** The files of a failed merge (at most {@link CompactionPolicy#MAX_INPUTS}) that Spark cannot read alone, and why. */
    private Map<String, String> eachAlone(List<String> files, StructType schema) {
        Map<String, String> bad = new LinkedHashMap<>();
        for (String f : files) {
            try {
                spark.read().schema(schema).parquet(f).write().format("noop").mode(SaveMode.Overwrite).save();
            } catch (Exception e) {   // Spark's failure of this one file
                if (Thread.currentThread().isInterrupted()) {
                    return Map.of();   // stopping: not the file's fault
                }
                bad.put(f, RootCause.describe(e));
            }
        }
        return bad;
    }

    /**
     * Steps 3 and 4: from a written journal on, the merge only moves forward. An interrupt (the
     * query being stopped) is held back until the merged file is in place, so that a normal
     * stop never leaves its orders hidden until the next start; {@link #FINISHING} is held
     * meanwhile, so that the JVM's shutdown waits too.
     */
    private void finish(Path journal, Path merging, Journal j, Steps at) throws IOException {
        Path folder = journal.getParent();
        Path target = new Path(folder, j.target());
        boolean interrupted = Thread.interrupted();
        FINISHING.lock();
        try {
            if (fs.exists(merging)) {
                boolean first = true;
                for (String input : j.inputs()) {
                    deleteIfExists(new Path(folder, input));
                    if (first) {
                        at.reached("first input deleted");
                        first = false;
                    }
                }
                at.reached("inputs deleted");
                interrupted |= pause(LISTING_GRACE_MS);
                at.reached("grace passed");
                interrupted |= replaceThroughInterrupt(merging, target);
                at.reached("merged file renamed");
            } else if (fs.exists(target)) {
                // Renamed into place already; only deletions may be left.
                for (String input : j.inputs()) {
                    deleteIfExists(new Path(folder, input));
                }
            } else {
                // Never delete inputs whose merged copy is gone (someone removed it): they are the only copy.
                LOG.error("Merge journal {} names {} but neither it nor {} exists; leaving its inputs in place",
                        journal, merging.getName(), target);
            }
            deleteIfExists(journal);
        } finally {
            FINISHING.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * {@link PlainFiles#replace}, done even if the query is stopped meanwhile: it forces the file
     * to disk through a file channel (on HDFS it calls the NameNode), which an interrupt aborts,
     * and the merged orders would stay hidden until the next start. So the interrupt is cleared
     * for it, and a rename that one cut short anyway is tried once more. Returns whether one came.
     */
    private boolean replaceThroughInterrupt(Path from, Path to) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            plain.replace(from, to);
        } catch (ClosedByInterruptException | InterruptedIOException e) {
            interrupted = true;
            Thread.interrupted();
            if (fs.exists(from)) {   // on HDFS the rename may be done though the call was cut short
                plain.replace(from, to);
            }
        }
        return interrupted | Thread.interrupted();
    }

    /**
     * Waits, at most {@code timeout}, for a merge past its journal to end; false if it still runs.
     * For the JVM's shutdown, after the query was stopped: Spark's own shutdown hook may have
     * stopped its context first, and then the query's stop does not wait for the merge.
     */
    static boolean awaitFinishing(Duration timeout) throws InterruptedException {
        if (!FINISHING.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
        }
        ending = true;   // a merge not past its journal yet does not start steps 3 and 4 any more
        FINISHING.unlock();
        return true;
    }

    /** Sleeps {@code millis} whatever happens; returns whether it was interrupted meanwhile. */
    static boolean pause(long millis) {
        boolean interrupted = false;
        long until = System.nanoTime() + millis * 1_000_000;
        for (long left = millis; left > 0; left = (until - System.nanoTime()) / 1_000_000) {
            try {
                Thread.sleep(left);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    private void recover(Path journal, Path merging) throws IOException {
        Journal j;
        try (FSDataInputStream in = fs.open(journal)) {
            j = Journal.decode(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        LOG.info("Finishing the merge into {} that a stop interrupted", new Path(journal.getParent(), j.target()));
        finish(journal, merging, j, Steps.NONE);
    }

    /** Deletes a file; a delete that reports failure while the file is still there is an error, not a shrug. */
    private void deleteIfExists(Path p) throws IOException {
        if (!fs.delete(p, false) && fs.exists(p)) {
            throw new IOException("could not delete " + p);
        }
    }

    /**
     * Every file under {@code root}, none if it does not exist. On a local disk by a walk of
     * plain listings: Hadoop's recursive {@code listFiles} gives each local file's permissions,
     * which it reads by running {@code ls} once a file (about 50 s for 4,000 files here, before
     * the stream could start). Elsewhere (HDFS, S3) its one recursive listing is the cheap way.
     */
    private List<FileStatus> listAll(Path root) throws IOException {
        List<FileStatus> all = new ArrayList<>();
        if (!fs.exists(root)) {
            return all;
        }
        if (!"file".equals(fs.getUri().getScheme())) {
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
            while (it.hasNext()) {
                all.add(it.next());
            }
            return all;
        }
        ArrayDeque<Path> folders = new ArrayDeque<>(List.of(root));
        while (!folders.isEmpty()) {
            for (FileStatus f : fs.listStatus(folders.pop())) {
                if (f.isDirectory()) {
                    folders.push(f.getPath());
                } else {
                    all.add(f);
                }
            }
        }
        return all;
    }

    /**
     * A journal's content: the merged file's final name, then the inputs, one a line; names
     * within the journal's folder, so a copied lake's journal never touches the original.
     */
    record Journal(String target, List<String> inputs) {
        byte[] encode() {
            List<String> lines = new ArrayList<>();
            lines.add(target);
            lines.addAll(inputs);
            return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
        }

        static Journal decode(String text) throws IOException {
            List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
            if (lines.size() < 2) {
                throw new IOException("merge journal is incomplete: " + lines.size() + " lines");
            }
            if (lines.stream().anyMatch(l -> l.contains("/"))) {
                throw new IOException("merge journal names a path, not a file of its folder");
            }
            return new Journal(lines.get(0), lines.subList(1, lines.size()));
        }
    }
}
