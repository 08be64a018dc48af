package foodcdc.consumer;

import foodcdc.stack.JobProcess;
import foodcdc.stack.Wait;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Orders with every value, read from PostgreSQL and from the lake (by DuckDB, listing files),
 * so tests compare the two exactly: strings char for char, amounts as decimals with their
 * scale, created_at as microseconds since the epoch (UTC) on both sides.
 */
public final class OrderRows {

    public record OrderRow(int orderId, String customerName, String restaurantName, String item, BigDecimal amount,
                    String orderStatus, long createdAtMicros) {
    }

    /** In PostgreSQL's "valid" sense of the cleaning rules; the rest must be quarantined. */
    public static final String VALID = "amount IS NOT NULL AND amount >= 0";
    public static final String INVALID = "NOT (" + VALID + ")";
    private static final Pattern ORDER_ID = Pattern.compile("\"order_id\":(\\d+)");

    private OrderRows() {
    }

    /** The table's rows that match {@code where}, by order_id. */
    public static List<OrderRow> inPostgres(Connection conn, String table, String where) throws SQLException {
        String sql = "SELECT order_id, customer_name, restaurant_name, item, amount, order_status, "
                + "(extract(epoch FROM created_at) * 1000000)::bigint FROM \"" + table + "\" WHERE " + where
                + " ORDER BY order_id";
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return read(rs);
        }
    }

    /** Every row of every Parquet file under the lake, duplicates included, by order_id. */
    public static List<OrderRow> inLake(String lake) throws Exception {
        if (LakeFiles.parquetFiles(lake).length == 0) {
            return List.of();
        }
        String sql = "SELECT order_id, customer_name, restaurant_name, item, amount, order_status, "
                + "epoch_us(created_at) FROM read_parquet('" + lake + "/**/*.parquet', hive_partitioning = true) "
                + "ORDER BY order_id";
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            return read(rs);
        }
    }

    /** order_id (read from the raw payload) → reason, for every quarantined record that has one. */
    public static Map<Integer, String> quarantined(String lake) throws Exception {
        Map<Integer, String> reasons = new TreeMap<>();
        quarantineReasons(lake, ORDER_ID).forEach((id, reason) -> reasons.put(Integer.parseInt(id), reason));
        return reasons;
    }

    /** The number {@code field} (a pattern with one group) finds in each quarantined payload → its reason. */
    static Map<String, String> quarantineReasons(String lake, Pattern field) throws Exception {
        String dir = lake + "_quarantine";
        Map<String, String> reasons = new TreeMap<>();
        if (LakeFiles.parquetFiles(dir).length == 0) {
            return reasons;
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT reason, payload FROM read_parquet('" + dir + "/**/*.parquet')")) {
            while (rs.next()) {
                Matcher m = field.matcher(String.valueOf(rs.getString(2)));
                if (m.find()) {
                    reasons.put(m.group(1), rs.getString(1));
                }
            }
        }
        return reasons;
    }

    /**
     * Waits until the quarantine holds {@code n} distinct orders, failing at once if one of
     * {@code jobs} ends.
     */
    public static void awaitQuarantined(String lake, int n, Duration timeout, JobProcess... jobs) throws Exception {
        Wait.every(Duration.ofMillis(500)).look(() -> {
            for (JobProcess job : jobs) {
                job.assertAlive();
            }
            return quarantined(lake);
        }, reasons -> reasons.size() >= n, timeout, n + " orders in the quarantine of " + lake);
    }

    /** The reason the consumer must give an invalid row of the table. */
    public static String expectedReason(OrderRow r) {
        return r.amount() == null ? "null_amount" : "negative_amount";
    }

    private static List<OrderRow> read(ResultSet rs) throws SQLException {
        List<OrderRow> rows = new ArrayList<>();
        while (rs.next()) {
            rows.add(new OrderRow(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4),
                    rs.getBigDecimal(5), rs.getString(6), rs.getLong(7)));
        }
        return rows;
    }
}
