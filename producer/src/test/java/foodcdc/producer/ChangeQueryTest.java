package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChangeQueryTest {
    private final ChangeQuery q = new ChangeQuery("ROLL001_orders");
    private final ChangeWatermark after = new ChangeWatermark(7_000_000_123L, 41);
    private final ChangeWatermark last = new ChangeWatermark(7_000_000_200L, 99);

    @Test
    void shouldReadTheFenceAsTheOldestTransactionIdStillRunning() {
        assertEquals("SELECT pg_snapshot_xmin(pg_current_snapshot())::text", q.fence());
    }

    @Test
    void shouldFindTheEndOfABoundedBatchAfterTheWatermarkAndBelowTheFence() {
        IncrementalQuery.Bound end = q.nextBatchEnd(Optional.of(after), 7_000_000_300L, 500);
        assertEquals("SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.order_id) OVER ()"
                + " FROM (SELECT xid, change_id, order_id FROM \"ROLL001_orders_changes\""
                + " WHERE (xid, change_id) > (?::xid8, ?) AND xid < ?::xid8"
                + " ORDER BY xid, change_id LIMIT ?) AS batch"
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1", end.sql());
        assertEquals(List.of("7000000123", 41L, "7000000300", 500), end.parameters());
    }

    @Test
    void shouldStartFromTheFirstChangeWithoutAWatermark() {
        IncrementalQuery.Bound end = q.nextBatchEnd(Optional.empty(), 12, 10);
        assertEquals("SELECT batch.xid::text AS last_xid, batch.change_id, count(*) OVER (), max(batch.order_id) OVER ()"
                + " FROM (SELECT xid, change_id, order_id FROM \"ROLL001_orders_changes\""
                + " WHERE xid < ?::xid8"
                + " ORDER BY xid, change_id LIMIT ?) AS batch"
                + " ORDER BY batch.xid DESC, batch.change_id DESC LIMIT 1", end.sql());
        assertEquals(List.of("12", 10), end.parameters());
    }

    @Test
    void shouldReadExactlyTheChangesBetweenTwoWatermarks() {
        String cols = "op, change_id, order_id, customer_name, restaurant_name, item, amount, order_status, "
                + "created_at, changed_at";
        assertEquals("SELECT " + cols + " FROM \"ROLL001_orders_changes\""
                + " WHERE (xid, change_id) > ('7000000123'::xid8, 41) AND (xid, change_id) <= ('7000000200'::xid8, 99)"
                + " ORDER BY xid, change_id",
                q.changesOfBatch(Optional.of(after), last));
        assertEquals("SELECT " + cols + " FROM \"ROLL001_orders_changes\""
                + " WHERE (xid, change_id) <= ('7000000200'::xid8, 99) ORDER BY xid, change_id",
                q.changesOfBatch(Optional.empty(), last));
    }

    @Test
    void shouldNameTheChangeTableAfterTheOrdersTable() {
        assertEquals("ROLL001_orders_changes", ChangeQuery.changeTable("ROLL001_orders"));
    }
}
