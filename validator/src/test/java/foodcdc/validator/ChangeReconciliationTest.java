package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.validator.ChangeReconciliation.Change;
import foodcdc.validator.ChangeReconciliation.HistoryRow;
import foodcdc.validator.ChangeReconciliation.QuarantinedChange;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ChangeReconciliationTest {
    private static final LocalDateTime CREATED = LocalDateTime.of(2025, 11, 18, 12, 0, 0, 123_456_000);
    private static final LocalDateTime CHANGED = LocalDateTime.of(2025, 11, 19, 0, 0, 1, 5_000);
    private static final String DAY = "date=2025-11-19";

    private static OrderValues order(String status, String amount) {
        return OrderValues.of("Customer", "R", "Item", new BigDecimal(amount), status, CREATED);
    }

    /**
     * Order 1: created, then delivered. Order 2: created, then deleted. Order 3: created, then
     * updated to a negative amount (invalid now: in the quarantine, not in the current state).
     */
    private static TreeMap<Long, Change> changes() {
        TreeMap<Long, Change> c = new TreeMap<>();
        c.put(1L, new Change("r", 1, order("PLACED", "10.00"), CHANGED));
        c.put(2L, new Change("r", 2, order("PLACED", "20.00"), CHANGED));
        c.put(3L, new Change("c", 3, order("PLACED", "30.00"), CHANGED));
        c.put(4L, new Change("u", 1, order("DELIVERED", "10.00"), CHANGED));
        c.put(5L, new Change("d", 2, order("PLACED", "20.00"), CHANGED));
        c.put(6L, new Change("u", 3, order("PLACED", "-1.00"), CHANGED));
        return c;
    }

    private static final TreeMap<Integer, OrderValues> ORDERS = new TreeMap<>(Map.of(
            1, order("DELIVERED", "10.00"), 3, order("PLACED", "-1.00")));

    private static List<HistoryRow> history(long... ids) {
        List<HistoryRow> rows = new ArrayList<>();
        for (long id : ids) {
            rows.add(new HistoryRow(DAY, id, changes().get(id)));
        }
        return rows;
    }

    private static final List<QuarantinedChange> QUARANTINE = List.of(new QuarantinedChange(6L, "negative_amount"));

    private static ChangeReconciliation of(List<HistoryRow> history, List<QuarantinedChange> quarantine) {
        return new ChangeReconciliation(changes(), ORDERS, history, quarantine, Map.of(), ChangeReconciliation.Pruned.NONE);
    }

    @Test
    void shouldBeConsistentWithEveryValidChangeOnceAndTheInvalidOneQuarantined() {
        List<String> report = of(history(1, 2, 3, 4, 5), QUARANTINE).report();
        assertTrue(Reconciliation.isConsistent(report), String.join("\n", report));
        assertEquals("PostgreSQL: 6 changes {c=1, d=1, r=2, u=2}, 5 valid, 1 invalid; 2 orders now", report.get(0));
    }

    @Test
    void shouldNameEachKindOfDifference() {
        ChangeReconciliation r = of(history(1, 2, 3, 3, 5, 6), List.of());
        assertEquals(Set.of(4L), r.missingFromHistory());
        assertEquals(Set.of(3L), r.duplicatedInHistory());
        assertEquals(Set.of(6L), r.invalidInHistory());
        assertEquals(Map.of(6L, "negative_amount expected, not quarantined"), r.invalidNotQuarantined());
        // Order 1's latest change (4, DELIVERED) is missing: the current state shows it PLACED.
        assertEquals(Map.of(1, "differs in order_status"), r.currentStateDiffers());
        assertTrue(!Reconciliation.isConsistent(r.report()));
    }

    @Test
    void shouldTakeChangesPrunedFromTheTableForGranted() {
        TreeMap<Long, Change> left = changes();
        left.headMap(4L).clear();   // prune_changes.sh took 1 to 3
        ChangeReconciliation pruned = new ChangeReconciliation(left, ORDERS, history(1, 2, 3, 4, 5), QUARANTINE,
                Map.of(), new ChangeReconciliation.Pruned(3, 3));
        assertTrue(Reconciliation.isConsistent(pruned.report()), String.join("\n", pruned.report()));
        ChangeReconciliation notPruned = new ChangeReconciliation(left, ORDERS, history(1, 2, 3, 4, 5), QUARANTINE,
                Map.of(), new ChangeReconciliation.Pruned(2, 2));
        assertEquals(Set.of("3"), notPruned.notInChangeTable());
    }

    @Test
    void shouldMissPrunedChangesTheHistoryLost() {
        TreeMap<Long, Change> left = changes();
        left.headMap(4L).clear();   // prune_changes.sh took 1 to 3; then the history lost the file holding 2
        ChangeReconciliation lost = new ChangeReconciliation(left, ORDERS, history(1, 3, 4, 5), QUARANTINE, Map.of(),
                new ChangeReconciliation.Pruned(3, 3));
        assertEquals(1, lost.prunedMissing());
        assertTrue(lost.report().contains("PROBLEM: 1 of the 3 changes pruned from the change table (up to change_id "
                + "3) are neither in the history nor in its quarantine: a history file lost, moved out or "
                + "unreadable after pruning, which the change table cannot give again. Restore it from a backup"),
                String.join("\n", lost.report()));
        assertTrue(!Reconciliation.isConsistent(lost.report()));
        // A prune that recorded its count but did not commit its delete: the changes are still in the table.
        ChangeReconciliation uncommitted = new ChangeReconciliation(changes(), ORDERS, history(1, 2, 3, 4, 5),
                QUARANTINE, Map.of(), new ChangeReconciliation.Pruned(3, 3));
        assertEquals(0, uncommitted.prunedMissing());
        // A record of an earlier version has no count: nothing to check.
        assertEquals(0, new ChangeReconciliation(left, ORDERS, history(1, 3, 4, 5), QUARANTINE, Map.of(),
                new ChangeReconciliation.Pruned(3, -1)).prunedMissing());
    }

    @Test
    void shouldSeeADeleteThatNeverArrivedAndValuesOrPartitionsThatDiffer() {
        List<HistoryRow> rows = history(1, 2, 3, 4);
        rows.add(new HistoryRow("date=2025-11-18", 5L, new Change("u", 2, order("PLACED", "20.00"), CHANGED)));
        ChangeReconciliation r = of(rows, QUARANTINE);
        assertEquals(Map.of(5L, "op, partition date=2025-11-18 (expected date=2025-11-19)"), r.differing());
        assertEquals(Map.of(2, "current in the history, not in the table (its delete is missing)"),
                r.currentStateDiffers());
    }
}
