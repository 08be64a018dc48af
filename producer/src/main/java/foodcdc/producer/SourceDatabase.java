package foodcdc.producer;

import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The producer's JDBC connection in the driver: where the next batch ends. The rows themselves
 * are read by Spark ({@link ProducerJob}). Reconnects after a failure.
 */
final class SourceDatabase implements AutoCloseable {

    /**
     * The oldest open transaction in the database, which holds the horizon back, as
     * pg_stat_activity shows it (times UTC wall-clock, as created_at). {@code since} is its
     * xact_start, or for a backend that reports none (a walsender) when its state last changed.
     * {@code client}, {@code xactStart} and {@code queryStart} may be null (a background worker
     * has no client; a walsender reports no xact_start). {@code queryWords}: the first words of
     * its query (the last one, when idle in transaction), never the whole text.
     */
    record OpenTransaction(int pid, String application, LocalDateTime since, String client,
                           LocalDateTime xactStart, LocalDateTime queryStart, String state, String queryWords) {

        /** Which transaction it is, for the WARN: enough to find it, and its session, in pg_stat_activity. */
        String describe() {
            return "pid " + pid + ", application '" + application + "', client " + (client == null ? "none" : client)
                    + ", xact_start " + time(xactStart) + ", query_start " + time(queryStart) + ", state " + state
                    + ", query '" + queryWords + "'";
        }

        private static String time(LocalDateTime t) {
            return t == null ? "not reported" : Watermark.ISO_MICROS.format(t);
        }
    }

    /**
     * A batch to publish: its last key (an order's, or a change's), its size and its highest key
     * (order_id; in change capture mode change_id), which the lake's source record keeps.
     */
    record Batch(Position last, long rows, long maxKey) {
    }

    /**
     * What one look at the table found: the next batch (if any), what held the horizon back (if
     * anything), and in insert mode the horizon itself and the database's clock when it was read
     * (for the lag metrics; the horizon is absent while a transaction of unknown start is open).
     */
    record Next(Optional<Batch> batch, Optional<OpenTransaction> heldBackBy, Optional<LocalDateTime> horizon,
                Optional<LocalDateTime> databaseNow) {
        /** Change capture mode's: no horizon in time, no open transaction looked up. */
        static Next ofChanges(Optional<Batch> batch) {
            return new Next(batch, Optional.empty(), Optional.empty(), Optional.empty());
        }
    }

    /**
     * pgjdbc waits forever by default: a network that drops packets without a reset (a
     * firewall, a NAT table expiring, a cable) would block a poll for good, silently. With these
     * bounds (seconds) every wait ends in an error, so the poll loop says "Waiting for
     * PostgreSQL" and retries. No statement of a poll sits 30 s without sending a row (Spark's
     * read streams in fetches of 10,000). Used by the driver's connection and Spark's read.
     */
    static final Map<String, String> WAIT_BOUNDS = Map.of(
            "connectTimeout", "10",
            "loginTimeout", "15",
            "socketTimeout", "30",
            "tcpKeepAlive", "true");

    /**
     * Run in every session of the producer: a poll that waits for a table lock (an ALTER TABLE,
     * a VACUUM FULL) gives up on the server after 20 s, before the socket does (30 s); otherwise
     * each abandoned poll would leave a server process waiting in the lock queue. A SET, not a
     * startup option, so connection poolers that refuse startup options (PgBouncer) still work.
     */
    static final String SESSION_SETUP = "SET lock_timeout = '20s'";
    /** How the producer's own session shows in pg_stat_activity (its Spark reads show the driver's default). */
    static final String APPLICATION_NAME = "orders-cdc-producer";
    /** How long a poll in change capture mode waits for the WAL to reach disk before it retries. */
    private static final java.time.Duration WAL_FLUSH_WAIT = java.time.Duration.ofSeconds(10);

    private final PipelineConfig.Postgres pg;
    private final IncrementalQuery query;
    private final ChangeQuery changeQuery;
    private final SourceChecks checks;
    /** streaming.capture: changes (the change table's checks instead of the insert mode's). */
    private final boolean changes;
    private final ChangeCaptureChecks changeChecks;
    private final Optional<SourceIdentity> identity;
    private Connection connection;
    private boolean primaryChecked;

    /** Without a lake to compare the source with: for tests of the SQL. */
    SourceDatabase(PipelineConfig.Postgres pg) {
        this(pg, Optional.empty(), false);
    }

    /**
     * Checks, at every poll, that the source is still the one the lake was built from; in change
     * capture mode ({@code changes}) at start what that mode needs ({@link ChangeCaptureChecks}).
     */
    SourceDatabase(PipelineConfig.Postgres pg, Optional<SourceIdentity> identity, boolean changes) {
        this.pg = pg;
        this.query = new IncrementalQuery(pg.table());
        this.changeQuery = new ChangeQuery(pg.table());
        this.checks = new SourceChecks(pg.table(), pg.user());
        this.changes = changes;
        this.changeChecks = new ChangeCaptureChecks(pg.table(), pg.user());
        this.identity = identity;
    }

    /**
     * The problems that forbid a start, one line each (see {@link SourceChecks}, and
     * {@link SourceIdentity}: the source is still the lake's); empty when none.
     */
    List<String> startProblems() throws SQLException {
        List<String> problems = new ArrayList<>(changes ? changeChecks.problems(connection()) : checks.problems(connection()));
        if (problems.isEmpty()) {   // a standby, say, would look like another source too
            problems.addAll(identityProblems(connection()));
        }
        return problems;
    }

    private List<String> identityProblems(Connection c) throws SQLException {
        if (identity.isEmpty()) {
            return List.of();
        }
        return identity.get().problems(c);
    }

    /** What the producer should warn about at start, if anything (see {@link SourceChecks#warnings}). */
    List<String> startWarnings() throws SQLException {
        return changes ? List.of() : checks.warnings(connection());
    }

    /** The next batch; {@link ProducerJob.SourceUnfit} when the source is not the lake's any more. */
    Next nextBatch(Optional<Watermark> after, int maxRows) throws SQLException, ProducerJob.SourceUnfit {
        Connection c = primary();
        // Before anything is read (and on the primary: a lagging standby's sequence is behind):
        // rows of another source must never be published into this lake.
        List<String> changed = identityProblems(c);
        if (!changed.isEmpty()) {
            throw new ProducerJob.SourceUnfit(changed);
        }
        LocalDateTime horizon;
        Optional<OpenTransaction> open;
        Optional<LocalDateTime> now;
        // Statement 1: the horizon. It must be read before statement 2 takes its snapshot.
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(query.horizon())) {
            rs.next();
            horizon = rs.getObject(1, LocalDateTime.class);
            open = rs.getObject(2) == null ? Optional.empty()
                    : Optional.of(new OpenTransaction(rs.getInt(2), rs.getString(3), rs.getObject(4, LocalDateTime.class),
                            rs.getString(5), rs.getObject(6, LocalDateTime.class), rs.getObject(7, LocalDateTime.class),
                            rs.getString(8), rs.getString(9)));
            now = Optional.of(rs.getObject(10, LocalDateTime.class));
        }
        if (horizon == null) {
            return new Next(Optional.empty(), open, Optional.empty(), now);   // a transaction of unknown start is open: wait for it
        }
        // Statement 2: where a batch of at most maxRows rows before the horizon ends.
        IncrementalQuery.Bound end = query.nextBatchEnd(after, horizon, maxRows);
        try (PreparedStatement s = c.prepareStatement(end.sql())) {
            bind(s, end);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return new Next(Optional.empty(), open, Optional.of(horizon), now);
                }
                Watermark last = new Watermark(rs.getObject(1, LocalDateTime.class), rs.getLong(2));
                return new Next(Optional.of(new Batch(last, rs.getLong(3), rs.getLong(4))), open, Optional.of(horizon), now);
            }
        }
    }

    /**
     * Change capture mode: the next batch of at most {@code maxChanges} changes after
     * {@code from} ({@link ChangeQuery}): of the watermark's working snapshot if it has one, else
     * of a new snapshot. A batch of no changes when the working snapshot has none left (the
     * watermark moves on all the same); no batch when a new snapshot brings nothing new.
     * {@link ProducerJob.SourceUnfit} when the source is not the lake's any more.
     */
    Next nextChangeBatch(Optional<ChangeWatermark> from, int maxChanges) throws SQLException, ProducerJob.SourceUnfit {
        Connection c = primary();
        List<String> changed = identityProblems(c);
        if (!changed.isEmpty()) {
            throw new ProducerJob.SourceUnfit(changed);
        }
        // At every poll, not only at start: a trigger disabled or dropped now misses every change from now on.
        List<String> unfit = changeChecks.problems(c);
        if (!unfit.isEmpty()) {
            throw new ProducerJob.SourceUnfit(unfit);
        }
        Optional<Snapshot> working = from.flatMap(ChangeWatermark::working);
        Snapshot target;
        if (working.isPresent()) {
            target = working.get();
        } else {
            // Statement 1: the snapshot. Every transaction visible in it has ended before statement 2's.
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(changeQuery.snapshot())) {
                rs.next();
                target = Snapshot.parse(rs.getString(1));
            }
            flushWal(c);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(changeQuery.idsFromElsewhere())) {
                rs.next();
                if (rs.getBoolean(1)) {
                    String changes = ChangeEvent.table(pg.table());
                    throw new ProducerJob.SourceUnfit(List.of(changes + " holds changes with transaction ids this "
                            + "server has not handed out yet (rows restored from another cluster): they would stay "
                            + "unpublished. Take the capture afresh: DROP TABLE \"" + changes + "\" CASCADE, then "
                            + changeChecks.installCommand() + "; and start a new pipeline: point "
                            + "streaming.last_processed_timestamp_location, streaming.checkpoint_location and "
                            + "datalake.path at new folders and kafka.topic at a new topic"));
                }
            }
            Optional<Snapshot> published = from.flatMap(ChangeWatermark::published);
            if (published.isPresent() && target.xmax() < published.get().xmax()) {
                throw new ProducerJob.SourceUnfit(List.of("the transaction ids of postgres.jdbc_url went back (next "
                        + target.xmax() + ", below " + published.get().xmax() + " of the last change published): its "
                        + "changes would be taken for published ones and never published. Start a new pipeline on "
                        + "it: point streaming.last_processed_timestamp_location, streaming.checkpoint_location and "
                        + "datalake.path at new folders and kafka.topic at a new topic"));
            }
        }
        IncrementalQuery.Bound end = changeQuery.nextBatchEnd(from, target, maxChanges);
        try (PreparedStatement s = c.prepareStatement(end.sql())) {
            bind(s, end);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Next.ofChanges(working.map(w -> new Batch(ChangeWatermark.upTo(w), 0, -1)));
                }
                long rows = rs.getLong(3);
                ChangeWatermark.Key last = new ChangeWatermark.Key(Long.parseLong(rs.getString(1)), rs.getLong(2));
                ChangeWatermark to = ChangeWatermark.after(from, target, last, rows < maxChanges);
                return Next.ofChanges(Optional.of(new Batch(to, rows, rs.getLong(4))));
            }
        }
    }

    /**
     * Waits until PostgreSQL has flushed its WAL past the snapshot just taken, so that no
     * transaction visible in it can have its id handed out again after a crash (an abort, or a
     * commit with synchronous_commit off, is not flushed at once). How: a transaction of the
     * producer's own takes an id, notes where the WAL ends, and commits. Having written nothing
     * else, that commit is asynchronous, which is what makes the WAL writer flush up to its commit
     * record within a fraction of a second (it leaves other part-filled pages unflushed); and
     * every transaction visible in the snapshot wrote its commit or abort record before. The
     * producer's role needs no right for it. Waits at most {@link #WAL_FLUSH_WAIT}, then fails
     * the poll (it is retried: "Waiting for PostgreSQL").
     */
    private void flushWal(Connection c) throws SQLException {
        String walEnd;
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.executeQuery("SELECT pg_current_xact_id()").close();
            try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                walEnd = rs.getString(1);
            }
            c.commit();
        } finally {
            c.setAutoCommit(true);
        }
        long deadline = System.nanoTime() + WAL_FLUSH_WAIT.toNanos();
        try (PreparedStatement s = c.prepareStatement(changeQuery.flushedTo())) {
            s.setString(1, walEnd);
            while (true) {
                try (ResultSet rs = s.executeQuery()) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new SQLException("PostgreSQL has not flushed its WAL to " + walEnd + " within "
                            + WAL_FLUSH_WAIT.toSeconds() + " s", "58000");
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted while waiting for the WAL to be flushed", "57014", e);
                }
            }
        }
    }

    /** Insert mode: how many rows of the table lie after {@code after} (all, without a watermark). */
    long rowsAfter(Optional<Watermark> after) throws SQLException {
        IncrementalQuery.Bound count = query.rowsAfter(after);
        try (PreparedStatement s = connection().prepareStatement(count.sql())) {
            s.setQueryTimeout(5);   // a progress line is not worth holding up the catch-up
            bind(s, count);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void bind(PreparedStatement s, IncrementalQuery.Bound bound) throws SQLException {
        for (int i = 0; i < bound.parameters().size(); i++) {
            s.setObject(i + 1, bound.parameters().get(i));
        }
    }

    /**
     * The connection, once it is known to reach the primary: after a failover the same URL may
     * reach a demoted server, whose pg_stat_activity shows none of the primary's writers (the
     * horizon would pass their rows) and whose transaction ids are not the primary's.
     */
    private Connection primary() throws SQLException {
        Connection c = connection();
        if (!primaryChecked) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
                rs.next();
                if (rs.getBoolean(1)) {
                    throw new SQLException("postgres.jdbc_url reaches a standby (a read-only replica) now; "
                            + "waiting for the primary", "08000");
                }
            }
            primaryChecked = true;
        }
        return c;
    }

    private Connection connection() throws SQLException {
        if (connection != null && !connection.isClosed() && connection.isValid(5)) {
            return connection;
        }
        close();
        primaryChecked = false;
        Properties props = new Properties();
        props.setProperty("user", pg.user());
        props.setProperty("password", pg.password());
        props.putAll(WAIT_BOUNDS);
        connection = DriverManager.getConnection(pg.jdbcUrl(), props);
        connection.setAutoCommit(true);
        try (Statement s = connection.createStatement()) {
            // created_at is UTC wall-clock; the horizon is compared with it in UTC too.
            s.execute("SET TIME ZONE 'UTC'");
            s.execute("SET application_name = '" + APPLICATION_NAME + "'");
            s.execute(SESSION_SETUP);
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
