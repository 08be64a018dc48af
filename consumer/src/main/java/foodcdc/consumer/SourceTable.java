package foodcdc.consumer;

import foodcdc.config.PipelineConfig;
import foodcdc.consumer.Reconciliation.Values;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Properties;
import java.util.SortedMap;
import java.util.TreeMap;

/** Every row of the source table with its seven columns, for the validator. */
final class SourceTable {
    /** Rows the driver fetches at a time: the result is streamed, never held whole by the driver. */
    private static final int FETCH_SIZE = 10_000;

    private SourceTable() {
    }

    /** order_id -> the other six columns, created_at as PostgreSQL's UTC wall-clock. */
    static SortedMap<Integer, Values> read(PipelineConfig.Postgres pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        // Seconds. A database behind a network black hole must end the validator with a message,
        // not hang it: connecting, and every later read (a fetch of FETCH_SIZE rows), is bounded.
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        SortedMap<Integer, Values> rows = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props)) {
            // pgjdbc reads through a server-side cursor (FETCH_SIZE rows a round trip) only
            // inside a transaction; otherwise it buffers the whole table.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // created_at has no time zone and holds UTC wall-clock; read in UTC, nothing shifts it.
                s.execute("SET TimeZone = 'UTC'");
                s.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = s.executeQuery("SELECT order_id, customer_name, restaurant_name, item, amount, "
                        + "order_status, created_at FROM \"" + pg.table() + "\"")) {
                    while (rs.next()) {
                        rows.put(rs.getInt(1), new Values(rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getBigDecimal(5), rs.getString(6), rs.getObject(7, LocalDateTime.class)));
                    }
                }
            }
            c.rollback();
        }
        return rows;
    }
}
