package foodcdc.producer;

import foodcdc.sql.SqlIdentifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of one poll in change capture mode (db/changes.sql fills the change table), and
 * nothing else (no I/O), so every clause is unit-tested as text.
 *
 * <p>A poll reads the changes after the watermark in {@code (xid, change_id)} order, below a
 * <em>fence</em>: the oldest transaction id still running, {@code pg_snapshot_xmin} of the
 * current snapshot. Every transaction below it has ended, committed or rolled back, so the
 * changes below it are final: a later look finds none that this one did not see, however late
 * a transaction commits, however many changes share one transaction (they share its xid and
 * are ordered by change_id), and whatever a rolled-back subtransaction wrote (gone, with it).
 * New transactions take ids above the fence. Work that writes nothing (a pg_dump, a long
 * report, the validator) has no transaction id and does not hold the fence back; anything that
 * takes one does, in any database of the cluster (transaction ids are the cluster's): a writer
 * left idle in a transaction, a prepared transaction, {@code SELECT … FOR UPDATE}, a temporary
 * table, a CREATE INDEX.
 *
 * <p>The fence is read in its own statement, before the statement that looks at the changes,
 * so that every transaction below it has ended before the changes' snapshot is taken.
 *
 * <p>xid order is not the order in which an order's changes happened (a transaction may take
 * its id early and change the order late); change_id is (an order's row lock makes its
 * changes take their ids one after the other), and the events carry it.
 */
final class ChangeQuery {
    private static final String KEY = "xid, change_id";
    /** The event's columns, in the change event's order. */
    static final String COLUMNS = "op, change_id, order_id, customer_name, restaurant_name, item, amount, order_status, "
            + "created_at, changed_at";

    private final String changes;

    ChangeQuery(String table) {
        this.changes = SqlIdentifier.quote(changeTable(table));
    }

    /** The change table that db/changes.sql makes for {@code table}. */
    static String changeTable(String table) {
        return table + "_changes";
    }

    /** The fence, as text: JDBC has no type for xid8 (a 64-bit transaction id, never wrapping around). */
    String fence() {
        return "SELECT pg_snapshot_xmin(pg_current_snapshot())::text";
    }

    /**
     * The last key, the change count and the highest order_id of the next batch: at most
     * {@code limit} changes after the watermark (if any) and below the fence. Empty result:
     * nothing new.
     */
    IncrementalQuery.Bound nextBatchEnd(Optional<ChangeWatermark> after, long fence, int limit) {
        List<Object> parameters = new ArrayList<>();
        after.ifPresent(w -> parameters.addAll(List.of(Long.toString(w.xid()), w.changeId())));
        parameters.addAll(List.of(Long.toString(fence), limit));
        // Ordered by batch.xid, the xid8: a bare "xid" would name the output column, the text, and
        // '999' sorts after '1000'.
        String sql = "SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.order_id) OVER ()"
                + " FROM (SELECT " + KEY + ", order_id FROM " + changes
                + " WHERE " + (after.isPresent() ? "(" + KEY + ") > (?::xid8, ?) AND " : "")
                + "xid < ?::xid8"
                + " ORDER BY " + KEY + " LIMIT ?) AS batch"
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1";
        return new IncrementalQuery.Bound(sql, List.copyOf(parameters));
    }

    /**
     * Every change of one batch: after {@code after} (if any), up to and including {@code last},
     * in publishing order (one JDBC partition, so Kafka gets them in this order per partition).
     * Literal bounds: Spark's JDBC {@code query} option takes SQL text.
     */
    String changesOfBatch(Optional<ChangeWatermark> after, ChangeWatermark last) {
        return "SELECT " + COLUMNS + " FROM " + changes
                + " WHERE " + after.map(w -> "(" + KEY + ") > " + w.sqlRow() + " AND ").orElse("")
                + "(" + KEY + ") <= " + last.sqlRow() + " ORDER BY " + KEY;
    }
}
