package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.validator.Reconciliation.LakeRow;
import foodcdc.validator.Reconciliation.Quarantined;
import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ReconciliationTest {
    private static final String DAY = "date=2025-11-18";

    /** Orders 1, 2 and 3 are valid, 4 has a negative amount. */
    private static final TreeMap<Integer, OrderValues> SOURCE = new TreeMap<>(java.util.Map.of(
            1, order(1), 2, order(2), 3, order(3),
            4, OrderValues.of("Refund", "R", "Item 4", new BigDecimal("-5.00"), "PLACED", at(4))));

    /** A microsecond timestamp on 2025-11-18, one second apart per order. */
    private static LocalDateTime at(int id) {
        return LocalDateTime.of(2025, 11, 18, 12, 0, 0, 123_456_000).plusSeconds(id);
    }

    private static OrderValues order(int id) {
        return OrderValues.of("Customer " + id, "R", "Item " + id, new BigDecimal("220.00"), "PLACED", at(id));
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
                "OK: no lake orders PostgreSQL does not have",
                "OK: no lake orders whose values differ from PostgreSQL",
                "OK: no invalid orders quarantined under another reason",
                "OK: no valid orders found only in the quarantine",
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

    /** Orders 1 to 3 in the lake as they should be, order 4 quarantined with its reason, and these rows more. */
    private static Reconciliation withLakeRows(LakeRow... more) {
        List<LakeRow> lake = new ArrayList<>(List.of(inLake(1), inLake(3)));
        lake.addAll(List.of(more));
        return of(lake, List.of(new Quarantined(4, "negative_amount")));
    }

    private static void assertProblem(Reconciliation r, String line) {
        assertFalse(r.consistent(), "consistent:\n" + String.join("\n", r.report()));
        assertTrue(r.report().contains(line), "'" + line + "' not in:\n" + String.join("\n", r.report()));
    }

    @Test
    void shouldReportALakeOrderThatPostgresDoesNotHave() {
        Reconciliation r = withLakeRows(inLake(2), new LakeRow(DAY, 99, order(99)));
        assertProblem(r, "PROBLEM: 1 lake orders PostgreSQL does not have: 99");
    }

    @Test
    void shouldReportALakeRowWithoutOrderId() {
        Reconciliation r = withLakeRows(inLake(2), new LakeRow(DAY, null, order(2)));
        assertProblem(r, "PROBLEM: 1 lake orders PostgreSQL does not have: null");
    }

    @Test
    void shouldListTheFirstTenOrdersPostgresDoesNotHave() {
        Reconciliation r = withLakeRows(Stream.concat(Stream.of(inLake(2)),
                IntStream.rangeClosed(101, 112).mapToObj(id -> new LakeRow(DAY, id, order(id)))).toArray(LakeRow[]::new));
        assertProblem(r, "PROBLEM: 12 lake orders PostgreSQL does not have: "
                + "101, 102, 103, 104, 105, 106, 107, 108, 109, 110, ...");
    }

    static Stream<Arguments> changedColumns() {
        OrderValues v = order(2);
        return Stream.of(
                Arguments.of(v.with("customer_name", "Someone else"), "customer_name"),
                Arguments.of(v.with("restaurant_name", "Other"), "restaurant_name"),
                Arguments.of(v.with("item", "Other"), "item"),
                Arguments.of(v.with("amount", new BigDecimal("220.01")), "amount"),
                Arguments.of(v.with("amount", null), "amount"),
                Arguments.of(v.with("order_status", "DELIVERED"), "order_status"),
                Arguments.of(v.with("created_at", v.createdAt().plusNanos(1_000)), "created_at"),
                Arguments.of(v.with("created_at", null), "created_at"),
                Arguments.of(v.with("customer_name", null), "customer_name"),
                Arguments.of(v.with("order_status", null), "order_status"),
                Arguments.of(v.with("item", ""), "item"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("changedColumns")
    void shouldNameTheColumnWhoseValueDiffersFromPostgres(OrderValues changed, String column) {
        Reconciliation r = withLakeRows(new LakeRow(DAY, 2, changed));
        assertProblem(r, "PROBLEM: 1 lake orders whose values differ from PostgreSQL: 2 (2: " + column + ")");
    }

    @Test
    void shouldCatchARowWhoseOrderIdWasChanged() {
        // Order 3's row relabelled as order 2.
        Reconciliation r = withLakeRows(inLake(2), new LakeRow(DAY, 2, SOURCE.get(3)));
        assertProblem(r, "PROBLEM: 1 lake orders whose values differ from PostgreSQL: 2 (2: customer_name, item, created_at)");
        assertProblem(r, "PROBLEM: 1 orders more than once in the lake: 2");
    }

    @Test
    void shouldTellNullFromEmptyString() {
        TreeMap<Integer, OrderValues> source = new TreeMap<>(SOURCE);
        source.put(2, OrderValues.of("", null, "", new BigDecimal("220.00"), "PLACED", at(2)));
        Reconciliation r = new Reconciliation(source, 6, Set.of(1, 2, 3, 4), List.of(inLake(1), inLake(3),
                new LakeRow(DAY, 2, OrderValues.of(null, "", "", new BigDecimal("220.00"), "PLACED", at(2)))),
                List.of(new Quarantined(4, "negative_amount")));
        assertProblem(r, "PROBLEM: 1 lake orders whose values differ from PostgreSQL: 2 (2: customer_name, restaurant_name)");
    }

    @Test
    void shouldCompareAmountsAsNumbers() {
        OrderValues v = order(2);
        Reconciliation r = withLakeRows(new LakeRow(DAY, 2,
                v.with("amount", new BigDecimal("220.0"))));
        assertTrue(r.consistent(), String.join("\n", r.report()));
    }

    @Test
    void shouldNameEveryColumnThatDiffersForTheFirstFiveOrders() {
        OrderValues v = order(2);
        TreeMap<Integer, OrderValues> source = new TreeMap<>(SOURCE);
        List<LakeRow> lake = new ArrayList<>(List.of(inLake(1),
                new LakeRow(DAY, 2, v.with("customer_name", "X").with("item", "Y")),
                inLake(3)));
        for (int id = 11; id <= 16; id++) {
            source.put(id, order(id));
            lake.add(new LakeRow(DAY, id, order(id + 100)));
        }
        Reconciliation r = new Reconciliation(source, 6, Set.of(1, 2, 3, 4), lake, List.of(new Quarantined(4, "negative_amount")));
        assertProblem(r, "PROBLEM: 7 lake orders whose values differ from PostgreSQL: 2, 11, 12, 13, 14, 15, 16 "
                + "(2: customer_name, item; 11: customer_name, item, created_at; 12: customer_name, item, created_at; "
                + "13: customer_name, item, created_at; 14: customer_name, item, created_at; ...)");
    }

    @Test
    void shouldJudgeTheDatePartitionFromPostgresCreatedAt() {
        // created_at changed to the next day, and the row in that day's folder: consistent with
        // itself, not with PostgreSQL.
        OrderValues v = order(2);
        Reconciliation r = withLakeRows(new LakeRow("date=2025-11-19", 2, v.with("created_at",
                v.createdAt().plusDays(1))));
        assertProblem(r, "PROBLEM: 1 lake rows in the wrong date partition: 2");
        assertProblem(r, "PROBLEM: 1 lake orders whose values differ from PostgreSQL: 2 (2: created_at)");
    }

    @Test
    void shouldReportAnInvalidOrderQuarantinedUnderAnotherReason() {
        Reconciliation r = of(List.of(inLake(1), inLake(2), inLake(3)), List.of(new Quarantined(4, "null_amount")));
        assertProblem(r, "PROBLEM: 1 invalid orders quarantined under another reason: 4 (4: negative_amount expected, found null_amount)");
    }

    @Test
    void shouldAcceptTheExpectedReasonAmongSeveralRecordsOfAnOrder() {
        Reconciliation r = of(List.of(inLake(1), inLake(2), inLake(3)),
                List.of(new Quarantined(4, "malformed_json"), new Quarantined(4, "negative_amount"), new Quarantined(null, "empty_payload")));
        assertTrue(r.consistent(), String.join("\n", r.report()));
    }

    @Test
    void shouldReportAValidOrderFoundOnlyInTheQuarantine() {
        Reconciliation r = of(List.of(inLake(1), inLake(3)),
                List.of(new Quarantined(4, "negative_amount"), new Quarantined(2, "malformed_json")));
        assertProblem(r, "PROBLEM: 1 valid orders missing from the lake: 2");
        assertProblem(r, "PROBLEM: 1 valid orders found only in the quarantine: 2 (2: malformed_json)");
    }
}
