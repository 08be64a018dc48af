package foodcdc.consumer;

import foodcdc.stack.JobProcess;
import foodcdc.stack.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * The lake as an outside reader sees it: by listing its Parquet files (DuckDB, no Spark and no
 * {@code _spark_metadata}). Shared by the integration tests that watch the lake fill up.
 */
public final class LakeFiles {

    private LakeFiles() {
    }

    /** Rows and distinct order_ids a reader found: equal unless it saw a duplicate. */
    public record Counts(long rows, long orders) {
        public boolean sawDuplicate() {
            return rows != orders;
        }

        @Override
        public String toString() {
            return rows + " rows of " + orders + " orders";
        }
    }

    /** Every Parquet file under a folder, as a reader that lists files would find them. */
    public static String[] parquetFiles(String dir) throws Exception {
        if (!Files.exists(Path.of(dir))) {
            return new String[0];
        }
        // The jobs write while this looks: a file renamed away between the listing and its look
        // (a ._source.properties.tmp, a merge's input) is simply no longer there.
        java.util.List<String> found = new java.util.ArrayList<>();
        Files.walkFileTree(Path.of(dir), new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path f, java.nio.file.attribute.BasicFileAttributes a) {
                if (f.toString().endsWith(".parquet")) {
                    found.add(f.toString());
                }
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFileFailed(Path f, java.io.IOException e) throws java.io.IOException {
                if (e instanceof java.nio.file.NoSuchFileException) {
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
        return found.stream().sorted().toArray(String[]::new);
    }

    /** Rows and distinct order_ids over every Parquet file under the lake. */
    public static Counts rowsAndOrders(String lake) throws Exception {
        return rowsAndKeys(lake, "order_id");
    }

    /** Rows and distinct values of {@code key} (order_id, or a change history's change_id) over every Parquet file under the lake. */
    public static Counts rowsAndKeys(String lake, String key) throws Exception {
        if (parquetFiles(lake).length == 0) {
            return new Counts(0, 0);
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), count(DISTINCT " + key + ") FROM read_parquet('" + lake
                     + "/**/*.parquet', hive_partitioning = true)")) {
            rs.next();
            return new Counts(rs.getLong(1), rs.getLong(2));
        } catch (SQLException e) {
            // Listed just now, gone when DuckDB listed again: a merge of the lake's only files, in
            // its 500 ms between deleting the inputs and showing the output (docs/GUARANTEES.md).
            // A reader then sees no orders, which is what this says.
            if (String.valueOf(e.getMessage()).contains("No files found that match the pattern")) {
                return new Counts(0, 0);
            }
            throw e;
        }
    }

    /**
     * Waits until the lake holds {@code n} orders, failing at once if a reader sees a duplicate or
     * one of {@code jobs} ends, and at the end if there are more than {@code n}.
     */
    public static void awaitOrders(String lake, long n, Duration timeout, JobProcess... jobs) throws Exception {
        Counts seen = Wait.every(Duration.ofMillis(500)).look(() -> {
            Counts now = rowsAndOrders(lake);
            if (now.sawDuplicate()) {
                throw new AssertionError("a reader saw a duplicate: " + now);
            }
            for (JobProcess job : jobs) {
                job.assertAlive();
            }
            return now;
        }, now -> now.orders() >= n, timeout, n + " orders in the lake " + lake);
        if (seen.rows() != n) {
            throw new AssertionError("more orders than expected in the lake: " + seen + ", expected " + n);
        }
    }
}
