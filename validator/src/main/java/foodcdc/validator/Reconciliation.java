package foodcdc.validator;

import foodcdc.contract.CleaningRules;
import foodcdc.contract.OrderEvent;
import foodcdc.lake.LakeLayout;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the three stages hold, compared, as a pure function: which orders are missing from the
 * lake, duplicated in it, unknown to PostgreSQL, holding other values than PostgreSQL's, in the
 * wrong date partition, or rejected without their reason in the quarantine. The pipeline is
 * consistent when every valid row is in the lake exactly once, with PostgreSQL's seven values,
 * in the date partition of PostgreSQL's created_at, the lake holds nothing else, and every
 * invalid row is quarantined with the reason the consumer's cleaning rules give it.
 *
 * <p>PostgreSQL is the truth: the lake's own created_at and order_id are not trusted (another
 * tool may have rewritten a file), so partitions and values are judged from the table's row.
 */
record Reconciliation(
        SortedMap<Integer, OrderValues> source,   // every row of the table, by order_id
        long kafkaEvents,
        Set<Integer> kafkaKeys,
        List<LakeRow> lake,                  // every row of every lake file, duplicates included
        List<Quarantined> quarantine,        // every quarantined record
        Map<String, String> unreadable) {    // each file of either that cannot be read → why

    /** With every file readable. */
    Reconciliation(SortedMap<Integer, OrderValues> source, long kafkaEvents, Set<Integer> kafkaKeys, List<LakeRow> lake,
                   List<Quarantined> quarantine) {
        this(source, kafkaEvents, kafkaKeys, lake, quarantine, Map.of());
    }

    static final int SHOWN = 10;
    private static final String PROBLEM = "PROBLEM: ";
    private static final String CONSISTENT = "CONSISTENT";
    /** Orders whose differing columns (or reasons) the report spells out. */
    static final int DETAILED = 5;
    /** Lake ids as a sorted set that also holds null (a lake row without order_id), shown first. */
    private static final Comparator<Integer> IDS = Comparator.nullsFirst(Comparator.naturalOrder());
    /**
     * One row of a lake file: the name of the folder holding the file ({@code date=2025-11-18}),
     * and the row's order_id (null when a file has none) and values.
     */
    record LakeRow(String folder, Integer orderId, OrderValues values) {
    }

    /** One quarantined record: the order_id its payload names (null when none can be read), and why. */
    record Quarantined(Integer orderId, String reason) {
    }

    /**
     * The cleaning rule a row of the table breaks, or null when it is valid: the contract's value
     * rules ({@link CleaningRules.ValueRule}) that the consumer applies, in their order, so the
     * reason is the one it records. (order_id is the table's key, never null.)
     */
    static String rule(int orderId, OrderValues v) {
        return CleaningRules.ValueRule.reasonFor(column -> column.equals(OrderEvent.ORDER_ID) ? orderId : v.get(column));
    }

    /** The lake folder a row of the table belongs in: its created_at's day (UTC wall-clock). */
    static String expectedFolder(OrderValues source) {
        return source.createdAt() == null ? null : LakeLayout.dateFolderName(source.createdAt().toLocalDate());
    }

    /** order_id -> the rule it breaks, for the rows the lake must not get. */
    SortedMap<Integer, String> invalidInSource() {
        SortedMap<Integer, String> invalid = new TreeMap<>();
        source.forEach((id, v) -> {
            String rule = rule(id, v);
            if (rule != null) {
                invalid.put(id, rule);
            }
        });
        return invalid;
    }

    Set<Integer> validInSource() {
        return source.entrySet().stream().filter(e -> rule(e.getKey(), e.getValue()) == null).map(Map.Entry::getKey)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private List<Integer> lakeIds() {
        return lake.stream().map(LakeRow::orderId).filter(Objects::nonNull).toList();
    }

    Set<Integer> missingFromLake() {
        // A hash set: removeAll of a List would scan the list for every order (quadratic).
        Set<Integer> inLake = new HashSet<>(lakeIds());
        Set<Integer> missing = validInSource();
        missing.removeIf(inLake::contains);
        return missing;
    }

    Set<Integer> duplicatedInLake() {
        Set<Integer> seen = new TreeSet<>();
        return lakeIds().stream().filter(id -> !seen.add(id)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Lake rows of a known order whose folder is not the day of PostgreSQL's created_at. */
    Set<Integer> wrongPartition() {
        return lake.stream().filter(r -> r.orderId() != null && source.containsKey(r.orderId()))
                .filter(r -> !Objects.equals(r.folder(), expectedFolder(source.get(r.orderId()))))
                .map(LakeRow::orderId).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Lake rows whose order_id the table does not have (or that have none). */
    Set<Integer> notInSource() {
        return lake.stream().map(LakeRow::orderId).filter(id -> id == null || !source.containsKey(id))
                .collect(Collectors.toCollection(() -> new TreeSet<>(IDS)));
    }

    /** order_id -> the columns that differ from PostgreSQL, over every lake row of a known order. */
    SortedMap<Integer, List<String>> differingValues() {
        SortedMap<Integer, List<String>> differing = new TreeMap<>();
        for (LakeRow r : lake) {
            OrderValues expected = r.orderId() == null ? null : source.get(r.orderId());
            if (expected == null) {
                continue;
            }
            List<String> columns = expected.differingColumns(r.values());
            if (!columns.isEmpty()) {
                // A duplicated order may differ in other columns in each copy: name them all.
                differing.merge(r.orderId(), columns, (a, b) -> Stream.concat(a.stream(), b.stream()).distinct()
                        .sorted(Comparator.comparingInt(OrderValues.COLUMN_NAMES::indexOf)).toList());
            }
        }
        return differing;
    }

    Set<Integer> invalidInLake() {
        SortedMap<Integer, String> invalid = invalidInSource();
        return lakeIds().stream().filter(invalid::containsKey).collect(Collectors.toCollection(TreeSet::new));
    }

    /** order_id -> every reason the quarantine holds for it (it may hold several records of one order). */
    private SortedMap<Integer, Set<String>> quarantineReasons() {
        return quarantine.stream().filter(q -> q.orderId() != null).collect(Collectors.groupingBy(
                Quarantined::orderId, TreeMap::new, Collectors.mapping(q -> String.valueOf(q.reason()),
                        Collectors.toCollection(TreeSet::new))));
    }

    Set<Integer> invalidNotQuarantined() {
        Set<Integer> quarantined = quarantineReasons().keySet();
        Set<Integer> notQuarantined = new TreeSet<>(invalidInSource().keySet());
        notQuarantined.removeIf(quarantined::contains);
        return notQuarantined;
    }

    /** Invalid order_id -> "rule expected, found reasons": quarantined, but never with the rule it breaks. */
    SortedMap<Integer, String> quarantinedUnderAnotherReason() {
        SortedMap<Integer, Set<String>> reasons = quarantineReasons();
        SortedMap<Integer, String> wrong = new TreeMap<>();
        invalidInSource().forEach((id, rule) -> {
            Set<String> found = reasons.get(id);
            if (found != null && !found.contains(rule)) {
                wrong.put(id, rule + " expected, found " + String.join(", ", found));
            }
        });
        return wrong;
    }

    /** Valid order_id missing from the lake -> the reasons it was quarantined for. */
    SortedMap<Integer, String> validOnlyInQuarantine() {
        SortedMap<Integer, Set<String>> reasons = quarantineReasons();
        SortedMap<Integer, String> found = new TreeMap<>();
        for (Integer id : missingFromLake()) {
            if (reasons.containsKey(id)) {
                found.put(id, String.join(", ", reasons.get(id)));
            }
        }
        return found;
    }

    /** Consistent exactly when the report names no problem: the exit code and the report cannot disagree. */
    boolean consistent() {
        return isConsistent(report());
    }

    static boolean isConsistent(List<String> report) {
        return report.get(report.size() - 1).startsWith(CONSISTENT);
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
                .collect(Collectors.groupingBy(q -> String.valueOf(q.reason()), TreeMap::new, Collectors.counting()));
        out.add("Quarantine: " + quarantine.size() + " records" + (reasons.isEmpty() ? "" : " " + reasons));
        // Before the orders it explains: a missing order may be in a file that cannot be read.
        unreadable.forEach((file, why) -> out.add(PROBLEM + "file " + file + " cannot be read (" + why + "): its "
                + "records are not counted. Move it out of its folder; a lake file that held orders of this lake: then "
                + "run scripts/replay_from_source.sh"));
        problem(out, "valid orders missing from the lake", missingFromLake());
        problem(out, "orders more than once in the lake", duplicatedInLake());
        problem(out, "lake rows in the wrong date partition", wrongPartition());
        problem(out, "invalid orders that reached the lake", invalidInLake());
        problem(out, "invalid orders not in the quarantine", invalidNotQuarantined());
        problem(out, "lake orders PostgreSQL does not have", notInSource());
        SortedMap<Integer, String> differing = differingValues().entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.join(", ", e.getValue()),
                        (a, b) -> a, TreeMap::new));
        detailedProblem(out, "lake orders whose values differ from PostgreSQL", differing);
        detailedProblem(out, "invalid orders quarantined under another reason", quarantinedUnderAnotherReason());
        detailedProblem(out, "valid orders found only in the quarantine", validOnlyInQuarantine());
        out.add(out.stream().noneMatch(line -> line.startsWith(PROBLEM))
                ? CONSISTENT + ": every valid order is in the lake exactly once and every invalid one is quarantined."
                : "NOT CONSISTENT: see the differences above.");
        return out;
    }

    static void problem(List<String> out, String what, Collection<?> ids) {
        if (ids.isEmpty()) {
            out.add("OK: no " + what);
            return;
        }
        out.add(PROBLEM + ids.size() + " " + what + ": " + first(ids));
    }

    /** A problem with a detail per order, spelled out for the first {@link #DETAILED} orders. */
    static void detailedProblem(List<String> out, String what, SortedMap<?, String> details) {
        if (details.isEmpty()) {
            out.add("OK: no " + what);
            return;
        }
        String shown = details.entrySet().stream().limit(DETAILED).map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("; "));
        out.add(PROBLEM + details.size() + " " + what + ": " + first(details.keySet()) + " (" + shown
                + (details.size() > DETAILED ? "; ..." : "") + ")");
    }

    /** The first {@link #SHOWN} ids, then "..." when there are more. */
    private static String first(Collection<?> ids) {
        return ids.stream().limit(SHOWN).map(String::valueOf).collect(Collectors.joining(", "))
                + (ids.size() > SHOWN ? ", ..." : "");
    }
}
