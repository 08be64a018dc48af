package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeQueryTest {
    private static final String COLS = "op, change_id, order_id, customer_name, restaurant_name, item, amount, "
            + "order_status, created_at, changed_at";
    private final ChangeQuery q = new ChangeQuery("ROLL001_orders");
    private final Snapshot published = Snapshot.parse("7000000100:7000000110:7000000100,7000000105");
    private final Snapshot target = Snapshot.parse("7000000105:7000000300:7000000105");
    private final ChangeWatermark.Key after = new ChangeWatermark.Key(7_000_000_123L, 41);
    private final ChangeWatermark.Key last = new ChangeWatermark.Key(7_000_000_200L, 99);
    /** The changes of the transactions that ended between the two snapshots. */
    private final String between = "xid >= '7000000100'::xid8 AND NOT pg_visible_in_snapshot(xid, "
            + "'7000000100:7000000110:7000000100,7000000105'::pg_snapshot) AND xid < '7000000300'::xid8"
            + " AND pg_visible_in_snapshot(xid, '7000000105:7000000300:7000000105'::pg_snapshot)";

    @Test
    void shouldTakeTheSnapshotAsText() {
        assertEquals("SELECT pg_current_snapshot()::text", q.snapshot());
        assertEquals("SELECT pg_current_wal_flush_lsn() >= ?::pg_lsn", q.flushedTo());
    }

    @Test
    void shouldFindTheEndOfABoundedBatchOfWhatEndedBetweenTwoSnapshotsAfterTheKeyReached() {
        ChangeWatermark midway = new ChangeWatermark(Optional.of(published), Optional.of(target), Optional.of(after));
        IncrementalQuery.Bound end = q.nextBatchEnd(Optional.of(midway), target, 500);
        assertEquals("SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.change_id) OVER ()"
                + " FROM (SELECT xid, change_id FROM \"ROLL001_orders_changes\" WHERE " + between
                + " AND (xid, change_id) > ('7000000123'::xid8, 41)"
                + " ORDER BY xid, change_id LIMIT ?) AS batch"
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1", end.sql());
        assertEquals(List.of(500), end.parameters());
    }

    @Test
    void shouldStartFromTheFirstChangeWithoutAWatermark() {
        IncrementalQuery.Bound end = q.nextBatchEnd(Optional.empty(), Snapshot.parse("12:15:"), 10);
        assertEquals("SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.change_id) OVER ()"
                + " FROM (SELECT xid, change_id FROM \"ROLL001_orders_changes\""
                + " WHERE xid < '15'::xid8 AND pg_visible_in_snapshot(xid, '12:15:'::pg_snapshot)"
                + " ORDER BY xid, change_id LIMIT ?) AS batch"
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1", end.sql());
    }

    @Test
    void shouldReadExactlyTheChangesOfOneBatch() {
        ChangeWatermark done = ChangeWatermark.upTo(published);
        ChangeWatermark midway = new ChangeWatermark(Optional.of(published), Optional.of(target), Optional.of(after));
        ChangeWatermark further = new ChangeWatermark(Optional.of(published), Optional.of(target), Optional.of(last));
        String from = "SELECT " + COLS + " FROM \"ROLL001_orders_changes\" WHERE " + between;
        assertEquals(from + " AND (xid, change_id) <= ('7000000123'::xid8, 41) ORDER BY xid, change_id",
                q.changesOfBatch(Optional.of(done), midway), "the first part of a snapshot's changes");
        assertEquals(from + " AND (xid, change_id) > ('7000000123'::xid8, 41)"
                        + " AND (xid, change_id) <= ('7000000200'::xid8, 99) ORDER BY xid, change_id",
                q.changesOfBatch(Optional.of(midway), further), "a part in the middle");
        assertEquals(from + " AND (xid, change_id) > ('7000000200'::xid8, 99) ORDER BY xid, change_id",
                q.changesOfBatch(Optional.of(further), ChangeWatermark.upTo(target)), "the rest");
        assertEquals(from + " ORDER BY xid, change_id", q.changesOfBatch(Optional.of(done),
                ChangeWatermark.upTo(target)), "all of it in one batch");
        assertEquals("SELECT " + COLS + " FROM \"ROLL001_orders_changes\" WHERE xid < '7000000110'::xid8 AND "
                        + "pg_visible_in_snapshot(xid, '7000000100:7000000110:7000000100,7000000105'::pg_snapshot)"
                        + " ORDER BY xid, change_id", q.changesOfBatch(Optional.empty(), done), "the first batch ever");
    }

    @Test
    void shouldNameTheChangeTableAfterTheOrdersTable() {
        assertEquals("ROLL001_orders_changes", foodcdc.contract.ChangeEvent.table("ROLL001_orders"));
    }
}
