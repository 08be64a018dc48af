package foodcdc.validator;

import static foodcdc.contract.OrderEvent.ORDER_ID;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.regexp_extract;

import foodcdc.contract.ChangeEvent;
import foodcdc.contract.CleaningRules;
import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeFileCheck;
import foodcdc.lake.LakeLayout;
import foodcdc.validator.Reconciliation.LakeRow;
import foodcdc.validator.Reconciliation.Quarantined;
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
import org.apache.spark.sql.Column;
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
    static final StructType LAKE = OrderEvent.Spark.schema();
    static final StructType QUARANTINE = new StructType()
            .add(CleaningRules.REASON, DataTypes.StringType)
            .add(CleaningRules.PAYLOAD, DataTypes.StringType);
    /** The name of the folder that holds a file: {@code date=2025-11-18} in {@code .../date=2025-11-18/batch-1.parquet}. */
    private static final String FOLDER = "([^/]+)/[^/]+$";

    private LakeReader() {
    }

    /**
     * Every row of every readable Parquet file under {@code lake}, duplicates included; each
     * file that cannot be read as the lake's columns goes into {@code unreadable} (file → why)
     * instead of failing the whole read. A running consumer's merge may delete files between
     * the listing and the read: then it lists again.
     */
    static List<LakeRow> lakeRows(SparkSession spark, String lake, Map<String, String> unreadable) throws IOException {
        return readable(spark, lake, LAKE, unreadable, files -> lakeRowsOf(spark, files));
    }

    /** What {@code read} gives for the files under {@code dir} it can read, with the others in {@code unreadable}. */
    private static <T> T readable(SparkSession spark, String dir, StructType columns, Map<String, String> unreadable,
                                  FilesReader<T> read) throws IOException {
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        for (int attempt = 1; ; attempt++) {
            List<String> files = new ArrayList<>(parquetFiles(conf, dir));
            files.removeAll(unreadable.keySet());
            try {
                return read.read(files);
            } catch (Exception e) {   // Spark's AnalysisException and SparkException are checked to Java
                Map<String, String> bad = fileGone(e) ? Map.of() : LakeFileCheck.unreadable(conf, files, columns);
                if (attempt >= 5 || !fileGone(e) && bad.isEmpty()) {
                    if (e instanceof IOException io) {
                        throw io;
                    }
                    if (e instanceof RuntimeException r) {
                        throw r;
                    }
                    throw new IOException(e.getMessage(), e);
                }
                unreadable.putAll(bad);
                pause(200L * attempt);
            }
        }
    }

    /** Reads a list of files. */
    private interface FilesReader<T> {
        T read(List<String> files) throws Exception;
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

    private static List<LakeRow> lakeRowsOf(SparkSession spark, List<String> files) {
        List<LakeRow> rows = new ArrayList<>();
        if (files.isEmpty()) {
            return rows;
        }
        List<Column> columns = new ArrayList<>(List.of(regexp_extract(input_file_name(), FOLDER, 1), col(ORDER_ID)));
        // created_at as microseconds since the epoch: exact, whatever Java's time types do.
        OrderValues.COLUMNS.forEach(f -> columns.add(f.type() == OrderEvent.Type.TIMESTAMP
                ? expr("unix_micros(" + f.name() + ")") : col(f.name())));
        Iterator<Row> it = spark.read().schema(LAKE).parquet(files.toArray(String[]::new))
                .select(columns.toArray(Column[]::new)).toLocalIterator();
        // Millions of rows share a few folder names: one String each.
        Map<String, String> folders = new HashMap<>();
        while (it.hasNext()) {
            Row r = it.next();
            rows.add(new LakeRow(folders.computeIfAbsent(r.getString(0), f -> f),
                    r.isNullAt(1) ? null : r.getInt(1), values(r)));
        }
        return rows;
    }

    /** Change capture mode: every row of every readable file of the change history, as {@link #lakeRows}. */
    static List<ChangeReconciliation.HistoryRow> historyRows(SparkSession spark, String history,
                                                             Map<String, String> unreadable) throws IOException {
        return readable(spark, history, ChangeEvent.Spark.schema(), unreadable, files -> historyRowsOf(spark, files));
    }

    private static List<ChangeReconciliation.HistoryRow> historyRowsOf(SparkSession spark, List<String> files) {
        List<ChangeReconciliation.HistoryRow> rows = new ArrayList<>();
        if (files.isEmpty()) {
            return rows;
        }
        List<Column> columns = new ArrayList<>(List.of(regexp_extract(input_file_name(), FOLDER, 1),
                col(ChangeEvent.CHANGE_ID), col(ChangeEvent.OP), col(ORDER_ID)));
        OrderValues.COLUMNS.forEach(f -> columns.add(f.type() == OrderEvent.Type.TIMESTAMP
                ? expr("unix_micros(" + f.name() + ")") : col(f.name())));
        columns.add(expr("unix_micros(" + ChangeEvent.CHANGED_AT + ")"));
        Iterator<Row> it = spark.read().schema(ChangeEvent.Spark.schema()).parquet(files.toArray(String[]::new))
                .select(columns.toArray(Column[]::new)).toLocalIterator();
        Map<String, String> folders = new HashMap<>();
        int changedAt = 4 + OrderValues.COLUMNS.size();
        while (it.hasNext()) {
            Row r = it.next();
            rows.add(new ChangeReconciliation.HistoryRow(folders.computeIfAbsent(r.getString(0), f -> f),
                    r.isNullAt(1) ? null : r.getLong(1), new ChangeReconciliation.Change(r.getString(2),
                    r.isNullAt(3) ? -1 : r.getInt(3), values(r, 4), r.isNullAt(changedAt) ? null
                    : utc(r.getLong(changedAt)))));
        }
        return rows;
    }

    /** Change capture mode: every quarantined record, with the change_id its payload names (null when none). */
    static List<ChangeReconciliation.QuarantinedChange> quarantinedChanges(SparkSession spark, String dir,
                                                                           Map<String, String> unreadable)
            throws IOException {
        return readable(spark, dir, QUARANTINE, unreadable, files -> {
            List<ChangeReconciliation.QuarantinedChange> records = new ArrayList<>();
            if (files.isEmpty()) {
                return records;
            }
            Iterator<Row> it = spark.read().schema(QUARANTINE).parquet(files.toArray(String[]::new)).select(
                    get_json_object(col(CleaningRules.PAYLOAD), "$." + ChangeEvent.CHANGE_ID).cast("long"),
                    col(CleaningRules.REASON)).toLocalIterator();
            while (it.hasNext()) {
                Row r = it.next();
                records.add(new ChangeReconciliation.QuarantinedChange(r.isNullAt(0) ? null : r.getLong(0),
                        r.getString(1)));
            }
            return records;
        });
    }

    /**
     * Every quarantined record of the readable files: the order_id its payload names (when it has
     * a readable one) and the reason; files that cannot be read go into {@code unreadable}.
     */
    static List<Quarantined> quarantine(SparkSession spark, String dir, Map<String, String> unreadable)
            throws IOException {
        return readable(spark, dir, QUARANTINE, unreadable, files -> quarantineOf(spark, files));
    }

    private static List<Quarantined> quarantineOf(SparkSession spark, List<String> files) {
        List<Quarantined> records = new ArrayList<>();
        if (files.isEmpty()) {
            return records;
        }
        Iterator<Row> it = spark.read().schema(QUARANTINE).parquet(files.toArray(String[]::new)).select(
                get_json_object(col(CleaningRules.PAYLOAD), "$." + ORDER_ID).cast("int"), col(CleaningRules.REASON))
                .toLocalIterator();
        while (it.hasNext()) {
            Row r = it.next();
            records.add(new Quarantined(r.isNullAt(0) ? null : r.getInt(0), r.getString(1)));
        }
        return records;
    }

    /** Columns 2 on of a row: {@link OrderValues#COLUMNS}, each read as its type. */
    private static OrderValues values(Row r) {
        return values(r, 2);
    }

    /** Columns {@code first} on of a row: {@link OrderValues#COLUMNS}, each read as its type. */
    private static OrderValues values(Row r, int first) {
        Object[] values = new Object[OrderValues.COLUMNS.size()];
        for (int i = 0; i < values.length; i++) {
            int column = i + first;
            values[i] = r.isNullAt(column) ? null : switch (OrderValues.COLUMNS.get(i).type()) {
                case TEXT -> r.getString(column);
                case AMOUNT -> r.getDecimal(column);
                case TIMESTAMP -> utc(r.getLong(column));
                case INTEGER -> r.getInt(column);
            };
        }
        return OrderValues.of(values);
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
            if (LakeLayout.isParquet(p.getName())) {
                files.add(p.toString());
            }
        }
        return files;
    }
}
