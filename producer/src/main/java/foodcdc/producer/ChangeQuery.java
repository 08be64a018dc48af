package foodcdc.producer;

import foodcdc.contract.ChangeEvent;
import foodcdc.sql.SqlIdentifier;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of one poll in change capture mode (db/changes.sql fills the change table), and
 * nothing else (no I/O), so every clause is unit-tested as text.
 *
 * <p>A poll takes a snapshot ({@link #snapshot()}) and publishes the changes of the
 * transactions that had ended by it but not by the snapshot of the poll before: visible in the
 * new one ({@code pg_visible_in_snapshot}), not in the old. A transaction becomes visible once
 * and stays so, so each change is published once, in the first poll after its transaction
 * commits, however long it was open: an update that commits 15 s late is published then, and
 * the changes of the transactions that committed in the meantime were published as they came,
 * not held back behind it. Every change visible in a snapshot was final before it was taken (a
 * rolled-back transaction, or subtransaction, leaves no row: the change's xid is the top-level
 * transaction's), so a later look never finds one that this one missed. Work that writes
 * nothing (a pg_dump, a long report, the validator) has no transaction id and plays no part.
 *
 * <p>The snapshot is taken in its own statement, before the statement that reads the changes,
 * so that every transaction visible in it has ended before the changes' statement takes its own.
 * The changes of one pair of snapshots are read in {@code (xid, change_id)} order, in batches
 * of a bounded size ({@link ChangeWatermark#after}); changes inside one transaction share its
 * xid and are ordered by change_id. The scan starts at the old snapshot's xmin, the oldest
 * transaction then open: a transaction left open for hours makes each poll read the hours of
 * changes since (checked, then skipped), not wait for it.
 *
 * <p>Publishing order is not the order in which an order's changes happened (a transaction may
 * take its id early and change the order late, or commit after a later one); change_id is (an
 * order's row lock makes its changes take their ids one after the other), and the events carry it.
 */
final class ChangeQuery {
    private static final String KEY = "xid, change_id";
    /** The event's columns, in the change event's order. */
    static final String COLUMNS = "op, change_id, order_id, customer_name, restaurant_name, item, amount, order_status, "
            + "created_at, changed_at";

    private final String changes;

    ChangeQuery(String table) {
        this.changes = SqlIdentifier.quote(ChangeEvent.table(table));
    }


    /** The snapshot a poll publishes up to, as text: JDBC has no type for pg_snapshot. */
    String snapshot() {
        return "SELECT pg_current_snapshot()::text";
    }

    /** Whether PostgreSQL has flushed its WAL up to a point (text, as JDBC has no pg_lsn type). */
    String flushedTo() {
        return "SELECT pg_current_wal_flush_lsn() >= ?::pg_lsn";
    }

    /**
     * Whether the change table holds a change with a transaction id this server has not handed
     * out yet: rows copied from another cluster (pg_dump and restore), invisible to every
     * snapshot until the ids catch up. Judged by the statement's own snapshot: every row it sees
     * was committed below its xmax.
     */
    String idsFromElsewhere() {
        return "SELECT EXISTS (SELECT 1 FROM " + changes + " WHERE xid >= pg_snapshot_xmax(pg_current_snapshot()))";
    }

    /**
     * The last key, the change count and the highest change_id of the next batch: at most
     * {@code limit} of the changes visible in {@code target} and not in the watermark's
     * published snapshot, after its key (when {@code target} is its working snapshot). Empty
     * result: none left. Fewer than {@code limit}: these were the last of {@code target}'s.
     */
    IncrementalQuery.Bound nextBatchEnd(Optional<ChangeWatermark> from, Snapshot target, int limit) {
        // Only the index's columns: an index-only scan where the visibility map allows.
        String sql = "SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.change_id) OVER ()"
                + " FROM (SELECT " + KEY + " FROM " + changes
                + " WHERE " + between(from.flatMap(ChangeWatermark::published), target)
                + from.flatMap(ChangeWatermark::after).map(k -> " AND (" + KEY + ") > " + k.sqlRow()).orElse("")
                + " ORDER BY " + KEY + " LIMIT ?) AS batch"
                // Ordered by batch.xid, the xid8: a bare "xid" would name the output column, the text, and
                // '999' sorts after '1000'.
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1";
        return new IncrementalQuery.Bound(sql, List.of(limit));
    }

    /**
     * Every change of the batch that took the producer from {@code from} (empty: the first) to
     * {@code to}, in publishing order (one JDBC partition, so Kafka gets them in this order per
     * partition). Literal bounds: Spark's JDBC {@code query} option takes SQL text.
     */
    String changesOfBatch(Optional<ChangeWatermark> from, ChangeWatermark to) {
        Snapshot target = to.working().or(to::published).orElseThrow();
        return "SELECT " + COLUMNS + " FROM " + changes
                + " WHERE " + between(from.flatMap(ChangeWatermark::published), target)
                + from.flatMap(ChangeWatermark::after).map(k -> " AND (" + KEY + ") > " + k.sqlRow()).orElse("")
                + to.after().map(k -> " AND (" + KEY + ") <= " + k.sqlRow()).orElse("")
                + " ORDER BY " + KEY;
    }

    /** The changes of the transactions visible in {@code target} and not in {@code published} (if any). */
    private static String between(Optional<Snapshot> published, Snapshot target) {
        String after = published.map(p -> "xid >= '" + p.xmin() + "'::xid8 AND NOT pg_visible_in_snapshot(xid, "
                + p.sql() + ") AND ").orElse("");
        return after + "xid < '" + target.xmax() + "'::xid8 AND pg_visible_in_snapshot(xid, " + target.sql() + ")";
    }
}
