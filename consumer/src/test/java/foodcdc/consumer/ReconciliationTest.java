package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReconciliationTest {

    private static Reconciliation of(List<Integer> lakeIds, List<Integer> wrongPartition, TreeMap<Integer, String> quarantined) {
        TreeMap<Integer, String> invalid = new TreeMap<>(java.util.Map.of(4, "negative_amount"));
        return new Reconciliation(invalid, Set.of(1, 2, 3), 6, Set.of(1, 2, 3, 4), new TreeMap<>(java.util.Map.of(
                "2025-11-18", (long) lakeIds.size())), lakeIds, wrongPartition, quarantined,
                new TreeMap<>(java.util.Map.of("negative_amount", (long) quarantined.size())));
    }

    @Test
    void shouldBeConsistentWhenEveryValidOrderIsInTheLakeOnceAndEveryInvalidOneQuarantined() {
        Reconciliation r = of(List.of(1, 2, 3), List.of(), new TreeMap<>(java.util.Map.of(4, "negative_amount")));
        assertTrue(r.consistent());
        assertEquals(List.of(
                "PostgreSQL: 4 rows, 3 valid, 1 invalid {negative_amount=1}",
                "Kafka: 6 events, 4 distinct order_ids, 2 duplicate events (the producer is at-least-once; the consumer removes them)",
                "Lake: 3 rows {2025-11-18=3}",
                "Quarantine: 1 records {negative_amount=1}",
                "OK: no valid orders missing from the lake",
                "OK: no orders more than once in the lake",
                "OK: no lake rows in the wrong date partition",
                "OK: no invalid orders that reached the lake",
                "OK: no invalid orders not in the quarantine",
                "CONSISTENT: every valid order is in the lake exactly once and every invalid one is quarantined."),
                r.report());
    }

    @Test
    void shouldNameEveryDifference() {
        Reconciliation r = of(List.of(1, 1, 4), List.of(1), new TreeMap<>());
        assertFalse(r.consistent());
        List<String> report = r.report();
        assertTrue(report.contains("PROBLEM: 2 valid orders missing from the lake: 2, 3"), report.toString());
        assertTrue(report.contains("PROBLEM: 1 orders more than once in the lake: 1"), report.toString());
        assertTrue(report.contains("PROBLEM: 1 lake rows in the wrong date partition: 1"), report.toString());
        assertTrue(report.contains("PROBLEM: 1 invalid orders that reached the lake: 4"), report.toString());
        assertTrue(report.contains("PROBLEM: 1 invalid orders not in the quarantine: 4"), report.toString());
        assertEquals("NOT CONSISTENT: see the differences above.", report.get(report.size() - 1));
    }
}
