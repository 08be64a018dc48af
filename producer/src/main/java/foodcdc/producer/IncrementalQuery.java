package foodcdc.producer;

import static foodcdc.contract.OrderEvent.CREATED_AT;
import static foodcdc.contract.OrderEvent.ORDER_ID;

import foodcdc.contract.OrderEvent;
import foodcdc.sql.SqlIdentifier;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of one poll, and nothing else (no I/O), so every clause is unit-tested as text.
 *
 * <p>A poll reads the rows after the watermark in {@code (created_at, order_id)} order, up to
 * a <em>horizon</em>: the start of the oldest transaction still open in this database (250 ms
 * ago at the latest). {@code created_at} defaults to {@code now()}, which is the
 * inserting transaction's start time, so every row that is not yet committed carries a
 * {@code created_at} at or after that horizon. Rows before it are all committed and visible,
 * and a transaction that commits late is waited for instead of being skipped.
 *
 * <p>The horizon is read in its own statement, before the statement that looks at the rows:
 * a transaction that ends in between has then committed before the rows' snapshot was taken.
 */
final class IncrementalQuery {
    /** The order the table is read in, and the watermark's form. */
    private static final String KEY = CREATED_AT + ", " + ORDER_ID;
    /** How much of the holder's query the WARN shows: its first words, never the whole text. */
    static final int QUERY_WORDS = 60;

    private final String table;

    IncrementalQuery(String table) {
        this.table = SqlIdentifier.quote(table);
    }

    /**
     * The horizon, and the oldest open transaction that sets it, if any: pid, application, since
     * (below), client address, xact_start, query_start, state and the first 60 characters of its
     * query with whitespace and control characters collapsed (cut on the server: the whole text
     * never reaches the log). Those are for the WARN only; what counts is unchanged by them.
     * Every backend of this database counts, not only client sessions: a logical
     * replication walsender, a logical replication worker or an extension's background worker
     * (pg_cron, say) may insert too. Autovacuum workers are left out: they never insert rows,
     * and a long vacuum would hold publishing back for its whole length.
     *
     * <p>Some backends do not report when their transaction started (a walsender running SQL
     * shows no xact_start). Such a transaction, once it is seen in a transaction block or holding
     * a transaction id, started after the previous poll looked (or that poll would have seen
     * it), so after the watermark: the horizon is then NULL, nothing new is published until it
     * ends, and {@code since} says when its state last changed.
     *
     * <p>The 250 ms margin covers the instant between a transaction's start time (taken when its
     * first statement arrives) and its appearance in pg_stat_activity (a few function calls
     * later, in StartTransaction): only a backend stalled that long in between could slip past.
     * It is also the least delay a row has before it is published. Seeing other roles'
     * transactions needs pg_read_all_stats; {@link SourceChecks} refuses to start without it.
     *
     * <p>Read-only transactions count too (pg_dump, a report, the validator's read), for their
     * whole length, and there is no lossless way to leave them out: a READ ONLY transaction
     * cannot insert, but no other session can see that it is one. pg_stat_activity has no such
     * column, pg_locks shows the same virtualxid lock for both kinds (and the same relation locks
     * for their reads), and transaction_read_only is a setting of the backend itself (until its
     * first query a transaction may still SET TRANSACTION READ WRITE). "No transaction id yet" is
     * no proof either: a transaction that reads for minutes, then inserts, stamps its start. Nor
     * is a role without INSERT on the table (SET ROLE, a SECURITY DEFINER function, a GRANT in
     * the meantime). A hot standby's sessions are not in this server's pg_stat_activity at all (a
     * physical walsender has no datname, and its backend_xmin, which hot_standby_feedback sets,
     * is not read): a pg_dump against a standby holds nothing back.
     */
    String horizon() {
        return "SELECT (CASE WHEN o.pid IS NULL OR o.xact_start IS NOT NULL THEN"
                + " LEAST(o.xact_start, clock_timestamp() - INTERVAL '250 milliseconds') AT TIME ZONE 'UTC' END)::timestamp,"
                + " o.pid, o.application_name, (o.since AT TIME ZONE 'UTC')::timestamp,"
                + " host(o.client_addr), (o.xact_start AT TIME ZONE 'UTC')::timestamp,"
                + " (o.query_start AT TIME ZONE 'UTC')::timestamp, o.state,"
                + " left(btrim(regexp_replace(o.query, '[[:space:][:cntrl:]]+', ' ', 'g')), " + QUERY_WORDS + "),"
                + " (clock_timestamp() AT TIME ZONE 'UTC')::timestamp"
                + " FROM (SELECT 1) AS one LEFT JOIN ("
                + "SELECT pid, application_name, xact_start, COALESCE(xact_start, state_change, backend_start) AS since,"
                + " client_addr, query_start, state, query"
                + " FROM pg_stat_activity"
                + " WHERE datname = current_database() AND backend_type <> 'autovacuum worker'"
                + " AND pid <> pg_backend_pid()"
                + " AND (xact_start IS NOT NULL OR backend_xid IS NOT NULL OR state LIKE 'idle in transaction%')"
                + " ORDER BY xact_start NULLS FIRST, backend_start, pid LIMIT 1) AS o ON true";
    }

    /** A statement's SQL text and the values of its {@code ?} parameters, in order. */
    record Bound(String sql, List<Object> parameters) {
    }

    /**
     * The last key, the row count and the highest order_id of the next batch: at most
     * {@code limit} rows after the watermark (if any) and before the horizon. Empty result:
     * nothing new.
     */
    Bound nextBatchEnd(Optional<Watermark> after, LocalDateTime horizon, int limit) {
        List<Object> parameters = new ArrayList<>();
        after.ifPresent(w -> parameters.addAll(List.of(w.createdAt(), w.orderId())));
        parameters.addAll(List.of(horizon, limit));
        String sql = "SELECT " + KEY + ", count(*) OVER (), max(" + ORDER_ID + ") OVER () FROM ("
                + "SELECT " + KEY + " FROM " + table
                + " WHERE " + (after.isPresent() ? "(" + KEY + ") > (?, ?) AND " : "")
                + CREATED_AT + " < ?"
                + " ORDER BY " + KEY + " LIMIT ?) AS batch"
                + " ORDER BY " + CREATED_AT + " DESC, " + ORDER_ID + " DESC LIMIT 1";
        return new Bound(sql, List.copyOf(parameters));
    }

    /**
     * How many rows lie after the watermark (if any): the backlog's size, for the progress line
     * of a long catch-up. An index-only count where the visibility map allows.
     */
    Bound rowsAfter(Optional<Watermark> after) {
        List<Object> parameters = new ArrayList<>();
        after.ifPresent(w -> parameters.addAll(List.of(w.createdAt(), w.orderId())));
        return new Bound("SELECT count(*) FROM " + table + after.map(w -> " WHERE (" + KEY + ") > (?, ?)").orElse(""),
                List.copyOf(parameters));
    }

    /**
     * Every row of one batch: after {@code after} (if any), up to and including {@code last}.
     * The bounds are literals, not parameters: Spark's JDBC {@code query} option takes SQL text.
     */
    String rowsOfBatch(Optional<Watermark> after, Watermark last) {
        return "SELECT " + OrderEvent.columnList() + " FROM " + table
                + " WHERE " + after.map(w -> "(" + KEY + ") > " + w.sqlRow() + " AND ").orElse("")
                + "(" + KEY + ") <= " + last.sqlRow();
    }
}
