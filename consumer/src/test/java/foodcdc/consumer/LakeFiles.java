package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * The lake as an outside reader sees it: by listing its Parquet files (DuckDB, no Spark and no
 * {@code _spark_metadata}). Shared by the integration tests that watch the lake fill up.
 */
public final class LakeFiles {

    private LakeFiles() {
    }

    /** Every Parquet file under a folder, as a reader that lists files would find them. */
    public static String[] parquetFiles(String dir) throws Exception {
        if (!Files.exists(Path.of(dir))) {
            return new String[0];
        }
        try (Stream<Path> files = Files.walk(Path.of(dir))) {
            return files.filter(f -> f.toString().endsWith(".parquet")).map(Path::toString).sorted().toArray(String[]::new);
        }
    }

    /** {@code count(*)} and one more aggregate over every Parquet file under {@code dir}. */
    public static long[] count(String dir, String second) throws Exception {
        if (parquetFiles(dir).length == 0) {
            return new long[] {0, 0};
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), " + second + " FROM read_parquet('" + dir
                     + "/**/*.parquet', hive_partitioning = true)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }

    /** Rows and distinct order_ids in the lake. */
    public static long[] rowsAndOrders(String lake) throws Exception {
        return count(lake, "count(DISTINCT order_id)");
    }

    /** Waits until the lake holds {@code n} orders, failing if a reader ever sees a duplicate. */
    public static void awaitOrders(String lake, long n, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long[] seen = rowsAndOrders(lake);
        while (seen[1] < n) {
            assertTrue(System.nanoTime() < deadline, "only " + seen[1] + " of " + n + " orders in the lake after " + timeout);
            Thread.sleep(500);
            seen = rowsAndOrders(lake);
            assertEquals(seen[0], seen[1], "a reader saw a duplicate");
        }
        assertEquals(n, seen[0], "more orders than expected in the lake");
    }
}
