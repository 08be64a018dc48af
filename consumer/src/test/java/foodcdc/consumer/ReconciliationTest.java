package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.consumer.Reconciliation.LakeRow;
import foodcdc.consumer.Reconciliation.Quarantined;
import foodcdc.consumer.Reconciliation.Values;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ReconciliationTest {
    private static final String DAY = "date=2025-11-18";

    /** Orders 1, 2 and 3 are valid, 4 has a negative amount. */
    private static final TreeMap<Integer, Values> SOURCE = new TreeMap<>(java.util.Map.of(
            1, order(1), 2, order(2), 3, order(3),
            4, new Values("Refund", "R", "Item 4", new BigDecimal("-5.00"), "PLACED", at(4))));

    private static LocalDateTime at(int minute) {
        return LocalDateTime.of(2025, 11, 18, 12, minute, 0, 123_456_000);
    }

    private static Values order(int id) {
        return new Values("Customer " + id, "R", "Item " + id, new BigDecimal("220.00"), "PLACED", at(id));
    }

    /** Order {@code id} in the lake as PostgreSQL holds it, in its own date folder. */
    private static LakeRow inLake(int id) {
        return new LakeRow(DAY, id, SOURCE.get(id));
    }

    private static Reconciliation of(List<LakeRow> lake, List<Quarantined> quarantine) {
        return new Reconciliation(SOURCE, 6, Set.of(1, 2, 3, 4), lake, quarantine);
    }

    @Test
    void shouldBeConsistentWhenEveryValidOrderIsInTheLakeOnceAndEveryInvalidOneQuarantined() {
        Reconciliation r = of(List.of(inLake(1), inLake(2), inLake(3)), List.of(new Quarantined(4, "negative_amount")));
        assertTrue(r.consistent());
        assertEquals(List.of(
                "PostgreSQL: 4 rows, 3 valid, 1 invalid {negative_amount=1}",
                "Kafka: 6 events, 4 distinct order_ids, 2 duplicate events (the producer is at-least-once; the consumer removes them)",
                "Lake: 3 rows {date=2025-11-18=3}",
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
        Reconciliation r = of(List.of(inLake(1), new LakeRow("date=2025-11-17", 1, SOURCE.get(1)), inLake(4)), List.of());
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
