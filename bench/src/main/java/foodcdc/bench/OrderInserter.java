package foodcdc.bench;

import foodcdc.contract.ChangeEvent;
import foodcdc.contract.OrderEvent;
import foodcdc.sql.SqlIdentifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes orders into the source table the way the application does: inserts (created_at from
 * now()) and, in change capture mode, updates.
 */
final class OrderInserter {

    private OrderInserter() {
    }

    /**
     * {@code rate} orders per second for {@code seconds}, each in its own transaction, on a
     * fixed schedule (no catching up in bursts). Returns each order's id and the moment its
     * COMMIT returned (System.nanoTime).
     */
    static Map<Long, Long> steady(Connection db, String table, int rate, int seconds)
            throws SQLException, InterruptedException {
        db.setAutoCommit(true);
        Map<Long, Long> committedAt = new LinkedHashMap<>();
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO " + into(table)
                + " VALUES (?, 'Bench Bistro', 'Bench Bowl', ?, 'PLACED') RETURNING " + OrderEvent.ORDER_ID)) {
            for (int i = 0; i < rate * seconds; i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                insert.setString(1, "Customer " + i);
                insert.setBigDecimal(2, java.math.BigDecimal.valueOf(100 + i % 500, 0));
                try (ResultSet rs = insert.executeQuery()) {
                    // autocommit: the result arrives once the server has committed
                    rs.next();
                    committedAt.put(rs.getLong(1), System.nanoTime());
                }
            }
        }
        return committedAt;
    }

    /**
     * Change capture mode: {@code rate} updates per second for {@code seconds}, each in its own
     * transaction, on a fixed schedule, round the orders the table has (the next status, or a
     * new amount). Returns each change's change_id (the one the trigger took, read back in the
     * same session) and the moment its COMMIT returned (System.nanoTime).
     */
    static Map<Long, Long> steadyUpdates(Connection db, String table, int rate, int seconds)
            throws SQLException, InterruptedException {
        db.setAutoCommit(true);
        List<Long> orders = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + OrderEvent.ORDER_ID + " FROM " + SqlIdentifier.quote(table)
                     + " ORDER BY 1")) {
            while (rs.next()) {
                orders.add(rs.getLong(1));
            }
        }
        String[] statuses = {"PREPARING", "DELIVERED", "PLACED"};
        Map<Long, Long> committedAt = new LinkedHashMap<>();
        long start = System.nanoTime();
        long periodNanos = 1_000_000_000L / rate;
        try (PreparedStatement update = db.prepareStatement("UPDATE " + SqlIdentifier.quote(table)
                + " SET order_status = ?, amount = ? WHERE " + OrderEvent.ORDER_ID + " = ?");
             PreparedStatement changeId = db.prepareStatement("SELECT currval(pg_get_serial_sequence(?, 'change_id'))")) {
            changeId.setString(1, SqlIdentifier.quote(ChangeEvent.table(table)));
            for (int i = 0; i < rate * seconds; i++) {
                long due = start + i * periodNanos;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
                update.setString(1, statuses[(i / orders.size()) % statuses.length]);
                update.setBigDecimal(2, java.math.BigDecimal.valueOf(100 + i % 500, 0));
                update.setLong(3, orders.get(i % orders.size()));
                update.executeUpdate();   // autocommit: it returns once the server has committed
                long committed = System.nanoTime();
                try (ResultSet rs = changeId.executeQuery()) {
                    rs.next();
                    committedAt.put(rs.getLong(1), committed);
                }
            }
        }
        return committedAt;
    }

    /** The change table's highest change_id, 0 when empty. */
    static long lastChangeId(Connection db, String table) throws SQLException {
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(max(change_id), 0) FROM "
                     + SqlIdentifier.quote(ChangeEvent.table(table)))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code n} orders in transactions of 100,000 (each such transaction shares one created_at). */
    static void backlog(Connection db, String table, int n) throws SQLException {
        db.setAutoCommit(true);
        try (Statement s = db.createStatement()) {
            for (int done = 0; done < n; done += 100_000) {
                int size = Math.min(100_000, n - done);
                s.execute("INSERT INTO " + into(table) + " SELECT 'Customer ' || g, 'Restaurant ' || (g % 50), 'Item ' || (g % 20), "
                        + "(100 + g % 50000) / 100.0, 'PLACED' FROM generate_series(1, " + size + ") g");
            }
        }
    }

    /**
     * The table and the columns an application sets, in the contract's order: all but order_id
     * (a SERIAL) and created_at (its default stamps the transaction's start).
     */
    private static String into(String table) {
        return SqlIdentifier.quote(table) + " (" + OrderEvent.names().stream()
                .filter(n -> !n.equals(OrderEvent.ORDER_ID) && !n.equals(OrderEvent.CREATED_AT))
                .collect(Collectors.joining(", ")) + ")";
    }
}
