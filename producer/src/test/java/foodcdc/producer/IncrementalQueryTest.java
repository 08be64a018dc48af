package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IncrementalQueryTest {
    private final IncrementalQuery q = new IncrementalQuery("ROLL001_orders");
    private final Watermark after = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.123456"), 41);
    private static final LocalDateTime HORIZON = LocalDateTime.parse("2025-11-18T12:25:00");
    private final Watermark last = new Watermark(LocalDateTime.parse("2025-11-18T12:24:00.123456"), 99);

    @Test
    void shouldReadTheHorizonFromTheOldestOpenTransactionOfThisDatabase() {
        assertEquals("SELECT (CASE WHEN o.pid IS NULL OR o.xact_start IS NOT NULL THEN"
                + " LEAST(o.xact_start, clock_timestamp() - INTERVAL '250 milliseconds') AT TIME ZONE 'UTC' END)::timestamp,"
                + " o.pid, o.application_name, (o.since AT TIME ZONE 'UTC')::timestamp,"
                + " host(o.client_addr), (o.xact_start AT TIME ZONE 'UTC')::timestamp,"
                + " (o.query_start AT TIME ZONE 'UTC')::timestamp, o.state,"
                + " left(btrim(regexp_replace(o.query, '[[:space:][:cntrl:]]+', ' ', 'g')), 60),"
                + " (clock_timestamp() AT TIME ZONE 'UTC')::timestamp"
                + " FROM (SELECT 1) AS one LEFT JOIN ("
                + "SELECT pid, application_name, xact_start, COALESCE(xact_start, state_change, backend_start) AS since,"
                + " client_addr, query_start, state, query"
                + " FROM pg_stat_activity"
                + " WHERE datname = current_database() AND backend_type <> 'autovacuum worker'"
                + " AND pid <> pg_backend_pid()"
                + " AND (xact_start IS NOT NULL OR backend_xid IS NOT NULL OR state LIKE 'idle in transaction%')"
                + " ORDER BY xact_start NULLS FIRST, backend_start, pid LIMIT 1) AS o ON true", q.horizon());
    }

    @Test
    void shouldFindTheEndOfABoundedBatchAfterTheWatermarkAndBeforeTheHorizon() {
        IncrementalQuery.Bound end = q.nextBatchEnd(Optional.of(after), HORIZON, 500);
        assertEquals("SELECT created_at, order_id, count(*) OVER (), max(order_id) OVER () FROM ("
                + "SELECT created_at, order_id FROM \"ROLL001_orders\""
                + " WHERE (created_at, order_id) > (?, ?) AND created_at < ?"
                + " ORDER BY created_at, order_id LIMIT ?) AS batch"
                + " ORDER BY created_at DESC, order_id DESC LIMIT 1", end.sql());
        assertEquals(List.of(after.createdAt(), 41L, HORIZON, 500), end.parameters());
    }

    @Test
    void shouldStartFromTheFirstRowWithoutAWatermark() {
        IncrementalQuery.Bound first = q.nextBatchEnd(Optional.empty(), HORIZON, 500);
        assertEquals("SELECT created_at, order_id, count(*) OVER (), max(order_id) OVER () FROM ("
                + "SELECT created_at, order_id FROM \"ROLL001_orders\" WHERE created_at < ?"
                + " ORDER BY created_at, order_id LIMIT ?) AS batch"
                + " ORDER BY created_at DESC, order_id DESC LIMIT 1", first.sql());
        assertEquals(List.of(HORIZON, 500), first.parameters());
    }

    @Test
    void shouldReadExactlyTheRowsOfTheBatchIncludingTiesAtBothEnds() {
        assertEquals("SELECT order_id, customer_name, restaurant_name, item, amount, order_status, created_at"
                + " FROM \"ROLL001_orders\""
                + " WHERE (created_at, order_id) > (TIMESTAMP '2025-11-18 12:24:00.123456', 41)"
                + " AND (created_at, order_id) <= (TIMESTAMP '2025-11-18 12:24:00.123456', 99)",
                q.rowsOfBatch(Optional.of(after), last));
        assertEquals("SELECT order_id, customer_name, restaurant_name, item, amount, order_status, created_at"
                + " FROM \"ROLL001_orders\" WHERE (created_at, order_id) <= (TIMESTAMP '2025-11-18 12:24:00.123456', 99)",
                q.rowsOfBatch(Optional.empty(), last));
    }
}
