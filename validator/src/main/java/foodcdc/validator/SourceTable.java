package foodcdc.validator;

import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
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

/** Every row of the source table with its seven columns (in change capture mode, of its change table too), for the validator. */
final class SourceTable {
    /** Rows the driver fetches at a time: the result is streamed, never held whole by the driver. */
    private static final int FETCH_SIZE = 10_000;

    private SourceTable() {
    }

    /** order_id -> the other six columns, created_at as PostgreSQL's UTC wall-clock. */
    static SortedMap<Integer, OrderValues> read(PipelineConfig.Postgres pg) throws SQLException {
        SortedMap<Integer, OrderValues> rows = new TreeMap<>();
        stream(pg, "SELECT " + OrderEvent.ORDER_ID + ", " + String.join(", ", OrderValues.COLUMN_NAMES) + " FROM "
                + SqlIdentifier.quote(pg.table()), rs -> rows.put(rs.getInt(1), values(rs, 2)));
        return rows;
    }

    /** Change capture mode: change_id -> the change, from the change table db/changes.sql fills. */
    static SortedMap<Long, ChangeReconciliation.Change> readChanges(PipelineConfig.Postgres pg) throws SQLException {
        SortedMap<Long, ChangeReconciliation.Change> rows = new TreeMap<>();
        stream(pg, changesQuery(pg.table()), rs -> rows.put(rs.getLong(1), change(rs)));
        return rows;
    }

    /** Every change of {@code table}'s change table, in change_id order: change_id, then {@link #change}'s columns. */
    static String changesQuery(String table) {
        return "SELECT " + ChangeEvent.CHANGE_ID + ", " + ChangeEvent.OP + ", " + OrderEvent.ORDER_ID + ", "
                + String.join(", ", OrderValues.COLUMN_NAMES) + ", " + ChangeEvent.CHANGED_AT + " FROM "
                + SqlIdentifier.quote(ChangeEvent.table(table)) + " ORDER BY " + ChangeEvent.CHANGE_ID;
    }

    /** The change in a row of {@link #changesQuery}. */
    static ChangeReconciliation.Change change(ResultSet rs) throws SQLException {
        return new ChangeReconciliation.Change(rs.getString(2), rs.getInt(3), values(rs, 4),
                rs.getObject(4 + OrderValues.COLUMNS.size(), LocalDateTime.class));
    }

    private interface RowReader {
        void read(ResultSet rs) throws SQLException;
    }

    /** A connection with bounded waits, for the validator's tools. */
    static Connection connect(PipelineConfig.Postgres pg) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        // Seconds. A database behind a network black hole must end the validator with a message,
        // not hang it: connecting, and every later read (a fetch of FETCH_SIZE rows), is bounded.
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    /** Streams every row of {@code sql} to {@code reader}, in one read-only transaction. */
    private static void stream(PipelineConfig.Postgres pg, String sql, RowReader reader) throws SQLException {
        try (Connection c = connect(pg)) {
            // pgjdbc reads through a server-side cursor (FETCH_SIZE rows a round trip) only
            // inside a transaction; otherwise it buffers the whole table.
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (Statement s = c.createStatement()) {
                // Timestamps have no time zone and hold UTC wall-clock; read in UTC, nothing shifts them.
                s.execute("SET TimeZone = 'UTC'");
                s.setFetchSize(FETCH_SIZE);
                try (ResultSet rs = s.executeQuery(sql)) {
                    while (rs.next()) {
                        reader.read(rs);
                    }
                }
            }
            c.rollback();
        }
    }

    /** Columns {@code first} on of a row: {@link OrderValues#COLUMNS}, each read as its type. */
    private static OrderValues values(ResultSet rs, int first) throws SQLException {
        Object[] values = new Object[OrderValues.COLUMNS.size()];
        for (int i = 0; i < values.length; i++) {
            int column = i + first;
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
