package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.Repository;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Change capture mode's two ends, for assertions: the change table in PostgreSQL and the change
 * history in the lake (read by DuckDB, listing files), each change as one line of its values;
 * the current state of the orders, from the table and from the documented view
 * (docs/sql/orders_now.duckdb.sql).
 */
final class ChangeRows {
    /** The change rows the cleaning rules let into the history: valid rows (as {@link OrderRows#VALID}), and every delete. */
    static final String VALID = "(op = 'd' OR " + OrderRows.VALID + ")";
    static final String INVALID = "NOT " + VALID;

    /** One change, in PostgreSQL's and DuckDB's SQL alike. */
    private static final String CHANGE = "change_id || ' ' || op || ' ' || order_id || ' ' || coalesce(order_status, '-')"
            + " || ' ' || coalesce(CAST(amount AS VARCHAR), '-') || ' ' || coalesce(customer_name, '-')";
    /** One order with every column, in DuckDB's SQL ({@link #postgres} turns it into PostgreSQL's). */
    private static final String ORDER = "order_id || ' ' || coalesce(customer_name, '-') || ' ' || coalesce(restaurant_name, "
            + "'-') || ' ' || coalesce(item, '-') || ' ' || coalesce(CAST(amount AS VARCHAR), '-') || ' ' || "
            + "coalesce(order_status, '-') || ' ' || strftime(created_at, '%Y-%m-%d %H:%M:%S.%f')";
    private static final Pattern CHANGE_ID = Pattern.compile("\"change_id\":(\\d+)");

    /** Connects to the source database. */
    interface Source {
        Connection connect() throws SQLException;
    }

    private ChangeRows() {
    }

    private static String postgres(String duckDbSql) {
        return duckDbSql.replace("CAST(amount AS VARCHAR)", "amount::text")
                .replace("strftime(created_at, '%Y-%m-%d %H:%M:%S.%f')", "to_char(created_at, 'YYYY-MM-DD HH24:MI:SS.US')");
    }

    /** change_id → the change, for the rows of the change table that match {@code where}. */
    static Map<Long, String> inChangeTable(Source db, PipelineConfig c, String where) throws SQLException {
        Map<Long, String> out = new TreeMap<>();
        try (Connection conn = db.connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT change_id, " + postgres(CHANGE) + " FROM \"" + c.postgres().table()
                     + "_changes\" WHERE " + where)) {
            while (rs.next()) {
                out.put(rs.getLong(1), rs.getString(2));
            }
        }
        return out;
    }

    /** change_id → the change, for every row of every file of the history; a change seen twice fails. */
    static Map<Long, String> inHistory(String history) throws Exception {
        Map<Long, String> out = new TreeMap<>();
        if (LakeFiles.parquetFiles(history).length == 0) {
            return out;
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT change_id, " + CHANGE + " FROM read_parquet('" + history
                     + "/**/*.parquet', hive_partitioning = true)")) {
            while (rs.next()) {
                String was = out.put(rs.getLong(1), rs.getString(2));
                if (was != null) {
                    throw new AssertionError("change " + rs.getLong(1) + " twice in the history: " + was);
                }
            }
        }
        return out;
    }

    /** change_id (read from the raw payload) → reason, for every quarantined change event that has one. */
    static Map<Long, String> quarantined(String history) throws Exception {
        Map<Long, String> reasons = new TreeMap<>();
        OrderRows.quarantineReasons(history, CHANGE_ID).forEach((id, reason) -> reasons.put(Long.parseLong(id), reason));
        return reasons;
    }

    /** The change_id a change event's JSON names, if any. */
    static Optional<Long> changeIdOf(String payload) {
        Matcher m = CHANGE_ID.matcher(payload);
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** The orders as the table holds them, those matching {@code where}, one line each with every column. */
    static List<String> currentState(Source db, PipelineConfig c, String where) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection conn = db.connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + postgres(ORDER) + " FROM \"" + c.postgres().table() + "\" WHERE "
                     + where + " ORDER BY order_id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    /** The current state as docs/sql/orders_now.duckdb.sql shows it, those matching {@code where}, as {@link #currentState}. */
    static List<String> viewed(String history, String where) throws Exception {
        String view = Files.readString(Repository.home().resolve("docs/sql/orders_now.duckdb.sql"))
                .replace("HISTORY", history);
        List<String> out = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute(view);
            try (ResultSet rs = s.executeQuery("SELECT " + ORDER + " FROM orders_now WHERE " + where
                    + " ORDER BY order_id")) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }
}
