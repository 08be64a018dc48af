package foodcdc.validator;

import foodcdc.config.PipelineConfig;
import foodcdc.contract.OrderEvent;
import foodcdc.sql.SqlIdentifier;
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
    static SortedMap<Integer, OrderValues> read(PipelineConfig.Postgres pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        // Seconds. A database behind a network black hole must end the validator with a message,
        // not hang it: connecting, and every later read (a fetch of FETCH_SIZE rows), is bounded.
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        SortedMap<Integer, OrderValues> rows = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), props)) {
            // pgjdbc reads through a server-side cursor (FETCH_SIZE rows a round trip) only
            // inside a transaction; otherwise it buffers the whole table.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // created_at has no time zone and holds UTC wall-clock; read in UTC, nothing shifts it.
                s.execute("SET TimeZone = 'UTC'");
                s.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = s.executeQuery("SELECT " + OrderEvent.ORDER_ID + ", "
                        + String.join(", ", OrderValues.COLUMN_NAMES) + " FROM " + SqlIdentifier.quote(pg.table()))) {
                    while (rs.next()) {
                        rows.put(rs.getInt(1), values(rs));
                    }
                }
            }
            c.rollback();
        }
        return rows;
    }

    /** Columns 2 on of a row: {@link OrderValues#COLUMNS}, each read as its type. */
    private static OrderValues values(ResultSet rs) throws SQLException {
        Object[] values = new Object[OrderValues.COLUMNS.size()];
        for (int i = 0; i < values.length; i++) {
            int column = i + 2;
            values[i] = switch (OrderValues.COLUMNS.get(i).type()) {
                case TEXT -> rs.getString(column);
                case AMOUNT -> rs.getBigDecimal(column);
                case TIMESTAMP -> rs.getObject(column, LocalDateTime.class);
                case INTEGER -> rs.getObject(column, Integer.class);
            };
        }
        return OrderValues.of(values);
    }
}
