package foodcdc.consumer;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.current_timestamp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import foodcdc.contract.ChangeEvent;
import foodcdc.lake.LakeFileCheck;
import foodcdc.lake.LakeLayout;
import foodcdc.metrics.Progress;
import foodcdc.storage.PlainFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.roaringbitmap.longlong.Roaring64NavigableMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one micro-batch into the lake so that any reader listing the files sees every order
 * once, even when Spark replays a batch after a crash.
 *
 * <p>How: the files of batch N are named after N and the streaming query's id
 * ({@link LakeLayout}: {@code date=D/batch-N-<query id>.parquet}, at most one per date). They
 * are written to a staging folder beside the lake and then renamed into place, atomically
 * replacing a file of the same name ({@link PlainFiles#replace}); a replayed batch (same offsets,
 * same rows) therefore replaces its own files instead of adding new ones. The query id is kept
 * in the checkpoint, so a replay within one checkpoint finds its files, while a new checkpoint
 * (an operator's reset: batch ids start at 0 again) gets a new id and never replaces or hides an
 * earlier run's files.
 *
 * <p>Duplicates of an order (the producer is at-least-once) are removed within the batch and
 * against the {@link OrderIndex} of the orders already in the lake, built from the lake's files
 * when the stream starts, leaving out the files of the batch it starts with: that batch may be
 * a replay, whose rows are in its own earlier files and must be written again to replace them.
 * After each batch, at most one merge keeps the file count bounded ({@link Compactor}). Rejected
 * records go, the same way, to {@code <datalake.path>_quarantine/batch-N-<query id>.parquet},
 * which is compacted likewise.
 */
final class LakeWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LakeWriter.class);
    /** Records up to which a micro-batch is processed in a single partition. */
    static final long SMALL_BATCH = 20_000;
    /** Spark's thread-local property holding the running streaming query's id (StreamExecution.QUERY_ID_KEY). */
    private static final String QUERY_ID_PROPERTY = "sql.streaming.queryId";
    /** The longest silence of a long index build: a progress line at least this often. */
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private final SparkSession spark;
    /** Orders, or in change capture mode changes: what the lake holds once each. */
    private final EventShape shape;
    private final LakeLayout layout;
    private final FileSystem fs;
    private final PlainFiles plain;
    private final Compactor compactor;
    private final ConsumerMetrics metrics;
    /** Null until the first batch of this query builds it, and again after a failed batch. */
    private OrderIndex index;
    /** The lake's files as listed before the stream started; used once, by the first batch. */
    private List<Path> listedAtStart;
    /**
     * The keys of the files the first batch replaces (its own, from before a crash: a replay),
     * left out of its commit-to-lake latencies; empty after it.
     */
    private Roaring64NavigableMap replayed = new Roaring64NavigableMap();

    LakeWriter(SparkSession spark, String lakePath, EventShape shape, Compactor.Steps steps, ConsumerMetrics metrics)
            throws IOException {
        this.spark = spark;
        this.shape = shape;
        this.metrics = metrics;
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        this.layout = new LakeLayout(lakePath);
        this.fs = layout.lake.getFileSystem(conf);
        this.plain = new PlainFiles(layout.lake, conf);   // the quarantine and staging folders are beside it
        this.compactor = new Compactor(spark, layout, shape.schema, fs, plain, steps);
    }

    /**
     * Finishes a merge a crash interrupted before the stream starts: its orders are hidden until
     * then, and the first micro-batch may be long in coming (Kafka away, nothing new).
     */
    void finishInterruptedMerges() throws IOException {
        listedAtStart = compactor.start();
    }

    /** The foreachBatch function: classify → summarize → write orders → write quarantine → log, then one merge. */
    void write(Dataset<Row> kafkaBatch, long batchId) {
        long t0 = System.nanoTime();
        String fileName = LakeLayout.batchFile(queryId(), batchId);
        Dataset<Row> classified = OrderCleaning.classify(kafkaBatch, shape).persist();
        boolean done = false;
        try {
            if (index == null) {
                index = startIndex(fileName);
            }
            // Every Spark job costs a few hundred ms on a small batch: what the batch holds is
            // found in one job, the lake is written in a second.
            OrderCleaning.BatchSummary summary = OrderCleaning.summarize(classified, shape);
            long summarized = System.nanoTime();
            if (summary.records() > 0) {
                Map<String, Long> writtenByOp = summary.valid() > 0 ? writeOrders(classified, summary, fileName, batchId)
                        : Map.of();
                long written = writtenByOp.values().stream().mapToLong(Long::longValue).sum();
                if (summary.rejected() > 0) {
                    writeQuarantine(classified, fileName);
                }
                long end = System.nanoTime();
                LOG.info("Batch {}: {} records -> {} new {} (dates {}), {} duplicates dropped, {} quarantined; "
                                + "{} ms (read and summarize {} ms, write {} ms)", batchId, summary.records(), written,
                        shape == EventShape.CHANGES ? "changes" : "orders",
                        summary.dates(), summary.valid() - written, summary.rejected(), (end - t0) / 1_000_000,
                        (summarized - t0) / 1_000_000, (end - summarized) / 1_000_000);
                boolean merged = compactor.compactOne(fileName);
                countBatch(summary, writtenByOp, merged, t0);
            }
            replayed = new Roaring64NavigableMap();   // only the first batch can be a replay
            done = true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while writing batch " + batchId, e);
        } finally {
            classified.unpersist();
            if (!done) {
                index = null;   // the lake may hold part of this batch: the next attempt reads it again
            }
        }
    }

    /** The batch's metrics; a failure here is not the batch's (its files are in place): said, never thrown. */
    private void countBatch(OrderCleaning.BatchSummary summary, Map<String, Long> writtenByOp, boolean merged, long t0) {
        try {
            if (merged) {
                metrics.merged();
            }
            metrics.batch(summary.validByOp(), writtenByOp, summary.rejectedByReason(),
                    Duration.ofNanos(System.nanoTime() - t0));
            LocalDate today = LocalDate.now(ZoneOffset.UTC);
            metrics.files(compactor.files(today, true), compactor.files(today, false));
            metrics.indexed(index.size());
        } catch (RuntimeException e) {
            LOG.warn("Metrics of a batch not counted: {}", e.toString());
        }
    }

    /**
     * The batch's valid orders that the lake does not hold yet, one file per date; returns how
     * many were written, by op (change capture mode; else all under {@code ""}). Then every
     * valid order of the batch is in the lake, and the latencies of those new to it are measured.
     */
    private Map<String, Long> writeOrders(Dataset<Row> classified, OrderCleaning.BatchSummary summary, String fileName,
                                          long batchId) throws IOException, InterruptedException {
        Roaring64NavigableMap batchIds = OrderIndex.bitmapOf(summary.validIds());
        // A small batch is cleaned in one partition: de-duplication and the one file per date
        // then need no shuffle.
        Dataset<Row> input = summary.records() <= SMALL_BATCH ? classified.coalesce(1) : classified;
        Dataset<Row> valid = OrderCleaning.valid(input, shape);
        // The summary holds every valid key of the batch: copies within it (the producer's
        // retries, a replayed poll) show as fewer distinct keys than keys. Only then is the
        // de-duplication, a shuffle of the whole batch, needed; usually there are none.
        boolean copies = batchIds.getLongCardinality() < summary.validIds().size();
        Dataset<Row> unique = copies ? valid.dropDuplicates(shape.key) : valid;
        Roaring64NavigableMap known = index.known(batchIds);
        Dataset<Row> fresh = withoutKnown(unique, known);
        Observation newOrders = new Observation("new_orders_" + batchId);
        Column[] counts = newOrderCounts();
        writeLakeFiles(fresh.observe(newOrders, counts[0], Arrays.copyOfRange(counts, 1, counts.length)),
                fileName, summary.dates().size());
        long inPlaceMicros = System.currentTimeMillis() * 1000;
        index.addAll(batchIds);
        known.or(replayed);
        try {
            metrics.inPlace(CommitLatency.seconds(summary.validIds(), summary.validMicros(), known, inPlaceMicros));
        } catch (RuntimeException e) {   // the files are in place: a metric must not fail the batch
            LOG.warn("Commit-to-lake latencies of batch {} not measured: {}", batchId, e.toString());
        }
        Map<String, Object> observed = newOrders.getAsJava();
        Map<String, Long> byOp = new LinkedHashMap<>();
        for (String op : shape.ops().isEmpty() ? List.of("") : shape.ops()) {
            byOp.put(op, (Long) observed.get("rows_" + op));
        }
        return byOp;
    }

    /** The counts the write observes: the new rows, by op in change capture mode. */
    private Column[] newOrderCounts() {
        if (shape.ops().isEmpty()) {
            return new Column[] {count(lit(1)).as("rows_")};
        }
        return shape.ops().stream().map(op -> count(when(col(ChangeEvent.OP).equalTo(op), lit(1))).as("rows_" + op))
                .toArray(Column[]::new);
    }

    /**
     * Finishes an interrupted merge, lists the lake and reads its order_ids, all but those of
     * {@code ownFile}: this batch (maybe a replay) replaces that file, so its orders must not
     * count as already written (their keys are kept apart, to leave them out of the latencies).
     */
    private OrderIndex startIndex(String ownFile) throws IOException {
        long t0 = System.nanoTime();
        // Only this consumer writes the lake (LakeLock): the listing made before the stream started
        // still holds for its first batch. After a failed batch the lake is listed again.
        List<Path> files = listedAtStart != null ? listedAtStart : compactor.start();
        listedAtStart = null;
        List<String> others = files.stream().filter(p -> !p.getName().equals(ownFile)).map(Path::toString).toList();
        List<String> own = files.stream().filter(p -> p.getName().equals(ownFile)).map(Path::toString).toList();
        replayed = replayedKeys(own);
        OrderIndex read = OrderIndex.empty();
        // In parts, so that a large lake's build says how far it is; each part sized to take
        // about a second at the rate so far (a Spark job per part costs a little, a part too
        // large leaves the log silent).
        int part = 100;
        long lastLine = t0;
        for (int done = 0; done < others.size(); ) {
            List<String> next = others.subList(done, Math.min(others.size(), done + part));
            long p0 = System.nanoTime();
            read.addAll(readIndex(next));
            done += next.size();
            long now = System.nanoTime();
            part = (int) Math.max(50, Math.min(20_000, next.size() * 1e9 / Math.max(1, now - p0)));
            if (now - lastLine >= PROGRESS_EVERY.toNanos() && done < others.size()) {
                double rate = Progress.rate(done, Duration.ofNanos(now - t0));
                LOG.info("Order index: read {} of {} lake files, {} {} so far, {} files/s, {}", done, others.size(),
                        read.size(), shape == EventShape.CHANGES ? "changes" : "orders", Math.round(rate),
                        Progress.timeLeft(others.size() - done, rate));
                lastLine = now;
            }
        }
        LOG.info("Order index: {} {} in {} lake files, read in {} ms", read.size(),
                shape == EventShape.CHANGES ? "changes" : "orders", others.size(),
                (System.nanoTime() - t0) / 1_000_000);
        metrics.indexed(read.size());
        return read;
    }

    /**
     * The keys of the files the first batch replaces, for the latencies alone: a file that cannot
     * be read is about to be replaced, so it is neither reported nor a reason to fail the batch.
     */
    private Roaring64NavigableMap replayedKeys(List<String> own) {
        if (own.isEmpty()) {
            return new Roaring64NavigableMap();
        }
        try {
            return OrderIndex.read(spark, own, shape).keys();
        } catch (RuntimeException e) {
            LOG.debug("Reading the keys of {} (replaced by this batch): {}", own, e.toString());
            return new Roaring64NavigableMap();
        }
    }

    /** The keys of {@code files}; a file that cannot be read is left alone, with one ERROR, and its keys not counted. */
    private OrderIndex readIndex(List<String> files) throws IOException {
        try {
            return OrderIndex.read(spark, files, shape);
        } catch (Exception e) {   // Spark's failure, which names neither the file nor what to do
            Map<String, String> unreadable = LakeFileCheck.unreadable(fs.getConf(), files, OrderIndex.columns(shape));
            if (unreadable.isEmpty()) {
                throw e;
            }
            unreadable.forEach((file, reason) -> compactor.leaveAlone(new Path(file), reason));
            return OrderIndex.read(spark, files.stream().filter(f -> !unreadable.containsKey(f)).toList(), shape);
        }
    }

    /** {@code unique} without the keys of {@code known} (usually none: then no join at all). */
    private Dataset<Row> withoutKnown(Dataset<Row> unique, Roaring64NavigableMap known) {
        if (known.isEmpty()) {
            return unique;
        }
        List<Long> ids = new ArrayList<>((int) known.getLongCardinality());
        known.forEach(ids::add);
        Dataset<Row> knownIds = spark.createDataset(ids, Encoders.LONG()).toDF(shape.key);
        return unique.join(broadcast(knownIds), unique.col(shape.key).equalTo(knownIds.col(shape.key)), "left_anti");
    }

    private void writeLakeFiles(Dataset<Row> fresh, String fileName, int dates) throws IOException {
        Path stage = layout.stagedBatch(fileName);
        // One task per date (a single one for a single date: no shuffle), so one file per date.
        Dataset<Row> perDate = dates == 1 ? fresh.coalesce(1) : fresh.repartition(col(LakeLayout.DATE));
        perDate.write().mode(SaveMode.Overwrite).partitionBy(LakeLayout.DATE).parquet(stage.toString());
        for (FileStatus dateDir : fs.listStatus(stage, p -> LakeLayout.dateOf(p.getName()) != null)) {
            FileStatus[] parts = fs.listStatus(dateDir.getPath(), p -> LakeLayout.isParquet(p.getName()));
            if (parts.length != 1) {
                throw new IOException("expected one file in " + dateDir.getPath() + ", found " + parts.length);
            }
            String date = LakeLayout.dateOf(dateDir.getPath().getName());
            moveReplacing(parts[0].getPath(), new Path(layout.dateFolder(date), fileName));
            compactor.added(date, fileName, parts[0].getLen());
        }
        fs.delete(stage, true);
    }

    private void writeQuarantine(Dataset<Row> classified, String fileName) throws IOException {
        Path stage = layout.stagedQuarantine(fileName);
        OrderCleaning.rejected(classified, current_timestamp()).coalesce(1)
                .write().mode(SaveMode.Overwrite).parquet(stage.toString());
        FileStatus[] parts = fs.listStatus(stage, p -> LakeLayout.isParquet(p.getName()));
        moveReplacing(parts[0].getPath(), new Path(layout.quarantine, fileName));
        compactor.quarantined(fileName, parts[0].getLen());
        fs.delete(stage, true);
    }

    /**
     * Renames into place, atomically replacing a file of the same name (local and HDFS): a
     * replayed batch's file replaces the one its first attempt left, and a reader sees one or
     * the other, never both, and never neither. Only the Parquet file moves: no {@code .crc}
     * sidecar reaches the lake, so other tools may rewrite its files.
     */
    private void moveReplacing(Path from, Path to) throws IOException {
        fs.mkdirs(to.getParent());
        plain.replace(from, to);
    }

    /**
     * The id of the streaming query running this batch: Spark keeps it in the checkpoint (it
     * stays the same across restarts) and sets it on the thread that calls foreachBatch.
     */
    private String queryId() {
        String id = spark.sparkContext().getLocalProperty(QUERY_ID_PROPERTY);
        if (id == null) {
            throw new IllegalStateException("no streaming query id on this thread (" + QUERY_ID_PROPERTY + ")");
        }
        return id;
    }
}
