package foodcdc.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
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
        SortedMap<Integer, String> invalidInSource,   // order_id -> rule, rows the lake must not get
        Set<Integer> validInSource,
        long kafkaEvents,
        Set<Integer> kafkaKeys,
        SortedMap<String, Long> lakeRowsPerDate,
        List<Integer> lakeIds,                          // one entry per lake row
        List<Integer> wrongPartition,
        SortedMap<Integer, String> quarantinedIds,    // order_id (when the payload had one) -> reason
        SortedMap<String, Long> quarantineReasons) {

    static final int SHOWN = 10;

    Set<Integer> missingFromLake() {
        Set<Integer> missing = new TreeSet<>(validInSource);
        missing.removeAll(lakeIds);
        return missing;
    }

    Set<Integer> duplicatedInLake() {
        Set<Integer> seen = new TreeSet<>();
        return lakeIds.stream().filter(id -> !seen.add(id)).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Integer> invalidInLake() {
        return lakeIds.stream().filter(invalidInSource::containsKey).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Integer> invalidNotQuarantined() {
        Set<Integer> notQuarantined = new TreeSet<>(invalidInSource.keySet());
        notQuarantined.removeAll(quarantinedIds.keySet());
        return notQuarantined;
    }

    boolean consistent() {
        return missingFromLake().isEmpty() && duplicatedInLake().isEmpty() && wrongPartition.isEmpty()
                && invalidInLake().isEmpty() && invalidNotQuarantined().isEmpty();
    }

    /** The plain-words report, one fact a line. */
    List<String> report() {
        List<String> out = new ArrayList<>();
        Map<String, Long> byRule = invalidInSource.values().stream()
                .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
        out.add("PostgreSQL: " + (validInSource.size() + invalidInSource.size()) + " rows, " + validInSource.size()
                + " valid, " + invalidInSource.size() + " invalid" + (byRule.isEmpty() ? "" : " " + byRule));
        out.add("Kafka: " + kafkaEvents + " events, " + kafkaKeys.size() + " distinct order_ids, "
                + (kafkaEvents - kafkaKeys.size()) + " duplicate events (the producer is at-least-once; "
                + "the consumer removes them)");
        out.add("Lake: " + lakeIds.size() + " rows" + (lakeRowsPerDate.isEmpty() ? "" : " " + lakeRowsPerDate));
        out.add("Quarantine: " + quarantineReasons.values().stream().mapToLong(Long::longValue).sum() + " records"
                + (quarantineReasons.isEmpty() ? "" : " " + quarantineReasons));
        problem(out, "valid orders missing from the lake", missingFromLake());
        problem(out, "orders more than once in the lake", duplicatedInLake());
        problem(out, "lake rows in the wrong date partition", new TreeSet<>(wrongPartition));
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
