package foodcdc.consumer;

import java.math.BigDecimal;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the three stages hold, compared, as a pure function: which orders are missing from the
 * lake, duplicated in it, in the wrong date partition, or rejected without a trace in the
 * quarantine. The pipeline is consistent when every valid row is in the lake exactly once, in
 * its own date partition, and every invalid row is quarantined.
 */
record Reconciliation(
        SortedMap<Integer, Values> source,   // every row of the table, by order_id
        long kafkaEvents,
        Set<Integer> kafkaKeys,
        List<LakeRow> lake,                  // every row of every lake file, duplicates included
        List<Quarantined> quarantine) {      // every quarantined record

    static final int SHOWN = 10;

    /** An order's six columns besides order_id, as PostgreSQL and the lake hold them (created_at in UTC). */
    record Values(String customerName, String restaurantName, String item, BigDecimal amount, String orderStatus,
                  LocalDateTime createdAt) {
    }

    /**
     * One row of a lake file: the name of the folder holding the file ({@code date=2025-11-18}),
     * and the row's order_id (null when a file has none) and values.
     */
    record LakeRow(String folder, Integer orderId, Values values) {
    }

    /** One quarantined record: the order_id its payload names (null when none can be read), and why. */
    record Quarantined(Integer orderId, String reason) {
    }

    /** The consumer's cleaning rule a row of the table breaks (see OrderCleaning), or null when it is valid. */
    static String rule(Values v) {
        if (v.amount() == null) {
            return OrderCleaning.NULL_AMOUNT;
        }
        return v.amount().signum() < 0 ? OrderCleaning.NEGATIVE_AMOUNT : null;
    }

    /** order_id -> the rule it breaks, for the rows the lake must not get. */
    SortedMap<Integer, String> invalidInSource() {
        SortedMap<Integer, String> invalid = new TreeMap<>();
        source.forEach((id, v) -> {
            String rule = rule(v);
            if (rule != null) {
                invalid.put(id, rule);
            }
        });
        return invalid;
    }

    Set<Integer> validInSource() {
        return source.entrySet().stream().filter(e -> rule(e.getValue()) == null).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private List<Integer> lakeIds() {
        return lake.stream().map(LakeRow::orderId).filter(Objects::nonNull).toList();
    }

    Set<Integer> missingFromLake() {
        Set<Integer> missing = validInSource();
        missing.removeAll(lakeIds());
        return missing;
    }

    Set<Integer> duplicatedInLake() {
        Set<Integer> seen = new TreeSet<>();
        return lakeIds().stream().filter(id -> !seen.add(id)).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Integer> wrongPartition() {
        return lake.stream().filter(r -> !r.folder().equals("date=" + r.values().createdAt().toLocalDate()))
                .map(LakeRow::orderId).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Integer> invalidInLake() {
        SortedMap<Integer, String> invalid = invalidInSource();
        return lakeIds().stream().filter(invalid::containsKey).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Integer> invalidNotQuarantined() {
        Set<Integer> notQuarantined = new TreeSet<>(invalidInSource().keySet());
        notQuarantined.removeAll(quarantine.stream().map(Quarantined::orderId).filter(Objects::nonNull).toList());
        return notQuarantined;
    }

    boolean consistent() {
        return missingFromLake().isEmpty() && duplicatedInLake().isEmpty() && wrongPartition().isEmpty()
                && invalidInLake().isEmpty() && invalidNotQuarantined().isEmpty();
    }

    /** The plain-words report, one fact a line. */
    List<String> report() {
        List<String> out = new ArrayList<>();
        SortedMap<Integer, String> invalid = invalidInSource();
        Map<String, Long> byRule = invalid.values().stream()
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        out.add("PostgreSQL: " + source.size() + " rows, " + (source.size() - invalid.size())
                + " valid, " + invalid.size() + " invalid" + (byRule.isEmpty() ? "" : " " + byRule));
        out.add("Kafka: " + kafkaEvents + " events, " + kafkaKeys.size() + " distinct order_ids, "
                + (kafkaEvents - kafkaKeys.size()) + " duplicate events (the producer is at-least-once; "
                + "the consumer removes them)");
        Map<String, Long> perFolder = lake.stream()
                .collect(Collectors.groupingBy(LakeRow::folder, TreeMap::new, Collectors.counting()));
        out.add("Lake: " + lake.size() + " rows" + (perFolder.isEmpty() ? "" : " " + perFolder));
        Map<String, Long> reasons = quarantine.stream()
                .collect(Collectors.groupingBy(Quarantined::reason, TreeMap::new, Collectors.counting()));
        out.add("Quarantine: " + quarantine.size() + " records" + (reasons.isEmpty() ? "" : " " + reasons));
        problem(out, "valid orders missing from the lake", missingFromLake());
        problem(out, "orders more than once in the lake", duplicatedInLake());
        problem(out, "lake rows in the wrong date partition", wrongPartition());
        problem(out, "invalid orders that reached the lake", invalidInLake());
        problem(out, "invalid orders not in the quarantine", invalidNotQuarantined());
        out.add(consistent()
                ? "CONSISTENT: every valid order is in the lake exactly once and every invalid one is quarantined."
                : "NOT CONSISTENT: see the differences above.");
        return out;
    }

    private static void problem(List<String> out, String what, Collection<Integer> ids) {
        if (ids.isEmpty()) {
            out.add("OK: no " + what);
            return;
        }
        String first = ids.stream().limit(SHOWN).map(String::valueOf).collect(Collectors.joining(", "));
        out.add("PROBLEM: " + ids.size() + " " + what + ": " + first + (ids.size() > SHOWN ? ", ..." : ""));
    }
}
