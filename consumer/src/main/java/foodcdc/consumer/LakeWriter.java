package foodcdc.consumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.current_timestamp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one micro-batch into the lake so that any reader listing the files sees every order
 * once, even when Spark replays a batch after a crash.
 *
 * <p>How: the files of batch N are named after N ({@code date=D/batch-N.parquet}, at most one
 * per date). They are written to a staging folder beside the lake and then renamed into place,
 * replacing a file of the same name; a replayed batch (same offsets, same rows) therefore
 * replaces its own files instead of adding new ones. Duplicates of an order (the producer is
 * at-least-once) are removed within the batch and against the orders already in the lake: an
 * order's created_at never changes, so its copies always fall into the same date partition,
 * and only that partition's order_ids are read. Rejected records go, the same way, to
 * {@code <datalake.path>_quarantine/batch-N.parquet}.
 */
final class LakeWriter {
    private static final Logger LOG = LoggerFactory.getLogger(LakeWriter.class);

    private final SparkSession spark;
    private final Path lake;
    private final Path quarantine;
    private final Path staging;
    private final FileSystem fs;
    private final FileContext files;

    LakeWriter(SparkSession spark, String lakePath) throws IOException {
        this.spark = spark;
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        this.lake = new Path(lakePath);
        this.fs = lake.getFileSystem(conf);
        this.files = FileContext.getFileContext(lake.toUri(), conf);
        this.quarantine = new Path(lakePath + "_quarantine");
        this.staging = new Path(lakePath + "_staging");
    }

    /** The foreachBatch function. */
    void write(Dataset<Row> kafkaBatch, long batchId) {
        long t0 = System.nanoTime();
        Dataset<Row> classified = OrderCleaning.classify(kafkaBatch).persist();
        try {
            long total = classified.count();
            if (total == 0) {
                return;
            }
            Dataset<Row> valid = OrderCleaning.valid(classified);
            long validCount = valid.count();
            Dataset<Row> unique = valid.dropDuplicates("order_id");
            List<String> dates = unique.select("date").distinct().as(Encoders.DATE()).collectAsList().stream()
                    .map(Object::toString).sorted().toList();
            Dataset<Row> fresh = withoutOrdersAlreadyInTheLake(unique, dates, batchId).persist();
            try {
                long written = fresh.count();
                writeLakeFiles(fresh, batchId);
                long rejected = writeQuarantine(classified, batchId);
                LOG.info("Batch {}: {} records -> {} new orders (dates {}), {} duplicates dropped, {} quarantined; {} ms",
                        batchId, total, written, dates, validCount - written, rejected,
                        (System.nanoTime() - t0) / 1_000_000);
            } finally {
                fresh.unpersist();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            classified.unpersist();
        }
    }

    /** Drops orders that an earlier batch already put into the lake (this batch's own files excepted). */
    private Dataset<Row> withoutOrdersAlreadyInTheLake(Dataset<Row> valid, List<String> dates, long batchId)
            throws IOException {
        List<String> earlierFiles = new ArrayList<>();
        for (String date : dates) {
            Path dir = new Path(lake, "date=" + date);
            if (!fs.exists(dir)) {
                continue;
            }
            for (FileStatus f : fs.listStatus(dir)) {
                String name = f.getPath().getName();
                if (name.endsWith(".parquet") && !name.equals(fileName(batchId))) {
                    earlierFiles.add(f.getPath().toString());
                }
            }
        }
        if (earlierFiles.isEmpty()) {
            return valid;
        }
        Dataset<Row> known = spark.read().parquet(earlierFiles.toArray(String[]::new)).select("order_id");
        return valid.join(known, valid.col("order_id").equalTo(known.col("order_id")), "left_anti");
    }

    private void writeLakeFiles(Dataset<Row> fresh, long batchId) throws IOException {
        Path stage = new Path(staging, "batch-" + batchId);
        // One task per date, so one file per date partition.
        fresh.repartition(col("date")).write().mode(SaveMode.Overwrite).partitionBy("date").parquet(stage.toString());
        for (FileStatus dateDir : fs.listStatus(stage, p -> p.getName().startsWith("date="))) {
            FileStatus[] parts = fs.listStatus(dateDir.getPath(), p -> p.getName().endsWith(".parquet"));
            if (parts.length != 1) {
                throw new IOException("expected one file in " + dateDir.getPath() + ", found " + parts.length);
            }
            moveReplacing(parts[0].getPath(), new Path(new Path(lake, dateDir.getPath().getName()), fileName(batchId)));
        }
        fs.delete(stage, true);
    }

    private long writeQuarantine(Dataset<Row> classified, long batchId) throws IOException {
        Dataset<Row> rejected = OrderCleaning.rejected(classified, current_timestamp()).persist();
        try {
            long n = rejected.count();
            if (n == 0) {
                return 0;
            }
            Path stage = new Path(staging, "quarantine-" + batchId);
            rejected.coalesce(1).write().mode(SaveMode.Overwrite).parquet(stage.toString());
            FileStatus[] parts = fs.listStatus(stage, p -> p.getName().endsWith(".parquet"));
            moveReplacing(parts[0].getPath(), new Path(quarantine, fileName(batchId)));
            fs.delete(stage, true);
            return n;
        } finally {
            rejected.unpersist();
        }
    }

    /**
     * Renames into place, atomically replacing a file of the same name (local and HDFS): a
     * replayed batch's file replaces the one its first attempt left, and a reader sees one or
     * the other, never both.
     */
    private void moveReplacing(Path from, Path to) throws IOException {
        fs.mkdirs(to.getParent());
        files.rename(from, to, Options.Rename.OVERWRITE);
    }

    static String fileName(long batchId) {
        return "batch-" + batchId + ".parquet";
    }
}
