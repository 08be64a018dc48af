package foodcdc.consumer;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.regexp_extract;

import foodcdc.consumer.Reconciliation.LakeRow;
import foodcdc.consumer.Reconciliation.Quarantined;
import foodcdc.consumer.Reconciliation.Values;
import java.io.IOException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The lake and its quarantine as any reader sees them: every Parquet file found by listing the
 * folder (no Spark metadata), read by Spark. The session must run in UTC.
 */
final class LakeReader {
    /**
     * The lake's columns, given rather than inferred: inferring costs a Spark job, and it would
     * take one file's schema for all. Given, a file lacking a column reads it as NULL (a value
     * difference the report names) and a file with another type for it fails the read.
     */
    static final StructType LAKE = new StructType(java.util.Arrays.stream(OrderCleaning.EVENT.fields())
            .filter(f -> !f.name().equals(OrderCleaning.CORRUPT)).toArray(org.apache.spark.sql.types.StructField[]::new));
    static final StructType QUARANTINE = new StructType()
            .add("reason", DataTypes.StringType)
            .add("payload", DataTypes.StringType);
    /** The name of the folder that holds a file: {@code date=2025-11-18} in {@code .../date=2025-11-18/batch-1.parquet}. */
    private static final String FOLDER = "([^/]+)/[^/]+$";

    private LakeReader() {
    }

    /**
     * Every row of every Parquet file under {@code lake}, duplicates included. A running
     * consumer's merge may delete files between the listing and the read: then it lists again.
     */
    static List<LakeRow> lakeRows(SparkSession spark, String lake) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return lakeRowsOnce(spark, lake);
            } catch (Exception e) {   // Spark's AnalysisException and SparkException are checked to Java
                if (attempt >= 5 || !fileGone(e)) {
                    if (e instanceof IOException io) {
                        throw io;
                    }
                    if (e instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(e.getMessage(), e);
                }
                pause(200L * attempt);
            }
        }
    }

    /** A file listed but gone when read (reading) or when planned (Spark's PATH_NOT_FOUND). */
    static boolean fileGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.io.FileNotFoundException || String.valueOf(t.getMessage()).contains("PATH_NOT_FOUND")) {
                return true;
            }
        }
        return false;
    }

    private static void pause(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the lake", e);
        }
    }

    private static List<LakeRow> lakeRowsOnce(SparkSession spark, String lake) throws IOException {
        List<String> files = parquetFiles(spark.sparkContext().hadoopConfiguration(), lake);
        List<LakeRow> rows = new ArrayList<>();
        if (files.isEmpty()) {
            return rows;
        }
        // created_at as microseconds since the epoch: exact, whatever Java's time types do.
        Iterator<Row> it = spark.read().schema(LAKE).parquet(files.toArray(String[]::new)).select(
                regexp_extract(input_file_name(), FOLDER, 1), col("order_id"), col("customer_name"),
                col("restaurant_name"), col("item"), col("amount"), col("order_status"),
                expr("unix_micros(created_at)")).toLocalIterator();
        // Millions of rows share a few folder names: one String each.
        Map<String, String> folders = new HashMap<>();
        while (it.hasNext()) {
            Row r = it.next();
            rows.add(new LakeRow(folders.computeIfAbsent(r.getString(0), f -> f),
                    r.isNullAt(1) ? null : r.getInt(1),
                    new Values(r.getString(2), r.getString(3), r.getString(4), r.getDecimal(5), r.getString(6),
                            r.isNullAt(7) ? null : utc(r.getLong(7)))));
        }
        return rows;
    }

    /** Every quarantined record: the order_id its payload names (when it has a readable one) and the reason. */
    static List<Quarantined> quarantine(SparkSession spark, String dir) throws IOException {
        List<String> files = parquetFiles(spark.sparkContext().hadoopConfiguration(), dir);
        List<Quarantined> records = new ArrayList<>();
        if (files.isEmpty()) {
            return records;
        }
        Iterator<Row> it = spark.read().schema(QUARANTINE).parquet(files.toArray(String[]::new)).select(
                get_json_object(col("payload"), "$.order_id").cast("int"), col("reason")).toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            records.add(new Quarantined(r.isNullAt(0) ? null : r.getInt(0), r.getString(1)));
        }
        return records;
    }

    static LocalDateTime utc(long epochMicros) {
        return LocalDateTime.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L),
                (int) Math.floorMod(epochMicros, 1_000_000L) * 1_000, ZoneOffset.UTC);
    }

    static List<String> parquetFiles(Configuration conf, String dir) throws IOException {
        Path root = new Path(dir);
        FileSystem fs = root.getFileSystem(conf);
        List<String> files = new ArrayList<>();
        if (!fs.exists(root)) {
            return files;
        }
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(root, true);
        while (it.hasNext()) {
            Path p = it.next().getPath();
            if (p.getName().endsWith(".parquet")) {
                files.add(p.toString());
            }
        }
        return files;
    }
}
