package foodcdc.producer;

import foodcdc.config.PipelineConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * The producer's JDBC connection in the driver: where the next batch ends. The rows themselves
 * are read by Spark ({@link ProducerJob}). Reconnects after a failure.
 */
final class SourceDatabase implements AutoCloseable {

    /** The oldest open transaction in the database, which holds the horizon back. */
    record OpenTransaction(int pid, String application, LocalDateTime since) {
    }

    /** The next batch: its last key, its size, and what held the horizon back (if anything). */
    record Batch(Watermark last, long rows, Optional<OpenTransaction> heldBackBy) {
    }

    private final PipelineConfig.Postgres pg;
    private final IncrementalQuery query;
    private Connection connection;

    SourceDatabase(PipelineConfig.Postgres pg) {
        this.pg = pg;
        this.query = new IncrementalQuery(pg.table());
    }

    /** Fails with a message that says what to grant, when the horizon could not see every transaction. */
    void checkPrivileges() throws SQLException {
        try (Statement s = connection().createStatement(); ResultSet rs = s.executeQuery(query.canSeeAllTransactions())) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new SQLException("role " + pg.user() + " cannot see other sessions' transactions, so late "
                        + "commits could be missed; run: GRANT pg_read_all_stats TO " + pg.user(), "42501");
            }
        }
    }

    Optional<Batch> nextBatch(Optional<Watermark> after, int maxRows) throws SQLException {
        Connection c = connection();
        LocalDateTime horizon;
        Optional<OpenTransaction> open;
        // Statement 1: the horizon. It must be read before statement 2 takes its snapshot.
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query.horizon())) {
            rs.next();
            horizon = rs.getObject(1, LocalDateTime.class);
            open = rs.getObject(2) == null ? Optional.empty()
                    : Optional.of(new OpenTransaction(rs.getInt(2), rs.getString(3), rs.getObject(4, LocalDateTime.class)));
        }
        // Statement 2: where a batch of at most maxRows rows before the horizon ends.
        try (PreparedStatement s = c.prepareStatement(query.nextBatchEnd(after))) {
            s.setObject(1, horizon);
            s.setInt(2, maxRows);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                Watermark last = new Watermark(rs.getObject(1, LocalDateTime.class), rs.getLong(2));
                return Optional.of(new Batch(last, rs.getLong(3), open));
            }
        }
    }

    String rowsOfBatchSql(Optional<Watermark> after, Watermark last) {
        return query.rowsOfBatch(after, last);
    }

    private Connection connection() throws SQLException {
        if (connection != null && !connection.isClosed() && connection.isValid(5)) {
            return connection;
        }
        close();
        connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            // created_at is UTC wall-clock; the horizon is compared with it in UTC too.
            s.execute("SET TIME ZONE 'UTC'");
            s.execute("SET application_name = 'orders-cdc-producer'");
        }
        return connection;
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // The connection is being dropped after a failure; nothing more to do with it.
            }
            connection = null;
        }
    }
}
