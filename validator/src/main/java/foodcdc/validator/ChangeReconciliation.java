package foodcdc.validator;

import foodcdc.lake.LakeLayout;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Change capture mode's reconciliation, as a pure function: the change history in the lake
 * against the change table (every valid change exactly once, with the change table's values, in
 * the date partition of its changed_at; every invalid one quarantined with its reason), and the
 * current state the history gives (each order's latest change by change_id, deletes left out)
 * against the orders table (every column). An order whose row in the table breaks a cleaning
 * rule is expected in the quarantine (its latest change is invalid), not in the current state.
 * Changes pruned from the change table (prune_changes.sh) are in the history only: they are
 * not compared, and the current state still takes them into account; their number must still
 * be there (a history file lost after pruning cannot be written again from the change table).
 */
record ChangeReconciliation(
        SortedMap<Long, Change> changes,          // every row of the change table, by change_id
        SortedMap<Integer, OrderValues> orders,   // every row of the orders table, by order_id
        List<HistoryRow> history,                 // every row of every history file, duplicates included
        List<QuarantinedChange> quarantine,       // every quarantined record
        Map<String, String> unreadable,           // each file that cannot be read → why
        Pruned pruned) {                          // what prune_changes.sh deleted from the change table

    private static final String PROBLEM = "PROBLEM: ";
    private static final String CONSISTENT = "CONSISTENT";

    /**
     * The changes pruned from the change table: those up to change_id {@code through} (-1:
     * none), {@code changes} of them (-1: not known, a record of an earlier version).
     */
    record Pruned(long through, long changes) {
        static final Pruned NONE = new Pruned(-1, 0);
    }

    /** One change: its op, its order and the order's other columns after it (before it, for a delete), and when. */
    record Change(String op, int orderId, OrderValues values, LocalDateTime changedAt) {
        /** The cleaning rule it breaks, or null; a delete is judged by its order_id only (the consumer's rule). */
        String rule() {
            return op.equals("d") ? null : Reconciliation.rule(orderId, values);
        }
    }

    /** One row of a history file: the folder holding the file, its change_id (null when none) and its values. */
    record HistoryRow(String folder, Long changeId, Change change) {
    }

    /** One quarantined record: the change_id its payload names (null when none can be read), and why. */
    record QuarantinedChange(Long changeId, String reason) {
    }

    SortedMap<Long, String> invalidChanges() {
        SortedMap<Long, String> invalid = new TreeMap<>();
        changes.forEach((id, c) -> {
            if (c.rule() != null) {
                invalid.put(id, c.rule());
            }
        });
        return invalid;
    }

    private Set<Long> historyIds() {
        return history.stream().map(HistoryRow::changeId).filter(Objects::nonNull).collect(Collectors.toSet());
    }

    Set<Long> missingFromHistory() {
        Set<Long> inHistory = historyIds();
        return changes.entrySet().stream().filter(e -> e.getValue().rule() == null && !inHistory.contains(e.getKey()))
                .map(Map.Entry::getKey).collect(Collectors.toCollection(TreeSet::new));
    }

    Set<Long> duplicatedInHistory() {
        Set<Long> seen = new HashSet<>();
        return history.stream().map(HistoryRow::changeId).filter(Objects::nonNull).filter(id -> !seen.add(id))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** History rows whose change_id the change table does not have (or that have none), but the pruned ones. */
    Set<String> notInChangeTable() {
        return history.stream().filter(r -> r.changeId() == null
                        || !changes.containsKey(r.changeId()) && r.changeId() > pruned.through())
                .map(r -> String.valueOf(r.changeId())).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * How many pruned changes are neither in the history nor in its quarantine (nor still in
     * the change table, where a prune that did not commit leaves them): 0 when all are there.
     */
    long prunedMissing() {
        if (pruned.changes() <= 0) {
            return 0;
        }
        Set<Long> held = new HashSet<>(historyIds());
        quarantine.stream().map(QuarantinedChange::changeId).filter(Objects::nonNull).forEach(held::add);
        held.addAll(changes.keySet());
        long there = held.stream().filter(id -> id <= pruned.through()).count();
        return Math.max(0, pruned.changes() - there);
    }

    /** change_id → what differs from the change table (op, order_id, columns, changed_at, the partition). */
    SortedMap<Long, String> differing() {
        SortedMap<Long, String> out = new TreeMap<>();
        for (HistoryRow r : history) {
            Change expected = r.changeId() == null ? null : changes.get(r.changeId());
            if (expected == null) {
                continue;
            }
            List<String> what = differences(expected, r);
            if (!what.isEmpty()) {
                out.merge(r.changeId(), String.join(", ", what), (a, b) -> a + "; " + b);
            }
        }
        return out;
    }

    /** How a history row differs from the change table's change (empty: it is that change, in its partition). */
    static List<String> differences(Change expected, HistoryRow r) {
        List<String> what = new ArrayList<>();
        if (!expected.op().equals(r.change().op())) {
            what.add("op");
        }
        if (expected.orderId() != r.change().orderId()) {
            what.add("order_id");
        }
        what.addAll(expected.values().differingColumns(r.change().values()));
        if (!Objects.equals(expected.changedAt(), r.change().changedAt())) {
            what.add("changed_at");
        }
        String folder = expected.changedAt() == null ? null
                : LakeLayout.dateFolderName(expected.changedAt().toLocalDate());
        if (!Objects.equals(folder, r.folder())) {
            what.add("partition " + r.folder() + " (expected " + folder + ")");
        }
        return what;
    }

    Set<Long> invalidInHistory() {
        Set<Long> invalid = invalidChanges().keySet();
        return historyIds().stream().filter(invalid::contains).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Invalid change_id → what the quarantine says of it, when it is not there with its rule. */
    SortedMap<Long, String> invalidNotQuarantined() {
        Map<Long, Set<String>> reasons = quarantine.stream().filter(q -> q.changeId() != null).collect(
                Collectors.groupingBy(QuarantinedChange::changeId, HashMap::new,
                        Collectors.mapping(q -> String.valueOf(q.reason()), Collectors.toCollection(TreeSet::new))));
        SortedMap<Long, String> out = new TreeMap<>();
        invalidChanges().forEach((id, rule) -> {
            Set<String> found = reasons.get(id);
            if (found == null) {
                out.put(id, rule + " expected, not quarantined");
            } else if (!found.contains(rule)) {
                out.put(id, rule + " expected, found " + String.join(", ", found));
            }
        });
        return out;
    }

    /** Each order's latest change in the history (by change_id), deletes included. */
    private Map<Integer, HistoryRow> latestInHistory() {
        Map<Integer, HistoryRow> latest = new HashMap<>();
        for (HistoryRow r : history) {
            if (r.changeId() == null) {
                continue;
            }
            latest.merge(r.change().orderId(), r, (a, b) -> a.changeId() >= b.changeId() ? a : b);
        }
        return latest;
    }

    /**
     * order_id → how the current state the history gives differs from the orders table: a valid
     * row missing or with other values; a row that breaks a rule shown as current (its latest
     * change reached the history); an order shown that the table no longer has.
     */
    SortedMap<Integer, String> currentStateDiffers() {
        Map<Integer, HistoryRow> latest = latestInHistory();
        SortedMap<Integer, String> out = new TreeMap<>();
        orders.forEach((id, row) -> {
            HistoryRow shown = latest.get(id);
            boolean current = shown != null && !shown.change().op().equals("d");
            if (Reconciliation.rule(id, row) != null) {
                // Its latest change broke the rule: in the quarantine (checked above), not in the current state.
                return;
            }
            if (!current) {
                out.put(id, "missing from the current state");
            } else {
                List<String> columns = shown.change().values().differingColumns(row);
                if (!columns.isEmpty()) {
                    out.put(id, "differs in " + String.join(", ", columns));
                }
            }
        });
        latest.forEach((id, r) -> {
            if (!orders.containsKey(id) && !r.change().op().equals("d")) {
                out.put(id, "current in the history, not in the table (its delete is missing)");
            }
        });
        return out;
    }

    /** The plain-words report, one fact a line. */
    List<String> report() {
        List<String> out = new ArrayList<>();
        SortedMap<Long, String> invalid = invalidChanges();
        Map<String, Long> byOp = changes.values().stream()
                .collect(Collectors.groupingBy(Change::op, TreeMap::new, Collectors.counting()));
        out.add("PostgreSQL: " + changes.size() + " changes " + byOp + ", " + (changes.size() - invalid.size())
                + " valid, " + invalid.size() + " invalid; " + orders.size() + " orders now"
                + (pruned.through() >= 0 ? " (changes up to change_id " + pruned.through() + " pruned: prune_changes.sh)" : ""));
        Map<String, Long> perFolder = history.stream()
                .collect(Collectors.groupingBy(HistoryRow::folder, TreeMap::new, Collectors.counting()));
        out.add("Change history: " + history.size() + " rows" + (perFolder.isEmpty() ? "" : " " + perFolder));
        out.add("Quarantine: " + quarantine.size() + " records");
        unreadable.forEach((file, why) -> out.add(PROBLEM + "file " + file + " cannot be read (" + why + "): its "
                + "records are not counted. Move it out of its folder"));
        Reconciliation.problem(out, "valid changes missing from the history", missingFromHistory());
        if (prunedMissing() > 0) {
            out.add(PROBLEM + prunedMissing() + " of the " + pruned.changes() + " changes pruned from the change table "
                    + "(up to change_id " + pruned.through() + ") are neither in the history nor in its quarantine: a "
                    + "history file lost, moved out or unreadable after pruning, which the change table cannot give "
                    + "again. Restore it from a backup");
        }
        Reconciliation.problem(out, "changes more than once in the history", duplicatedInHistory());
        Reconciliation.problem(out, "invalid changes that reached the history", invalidInHistory());
        Reconciliation.problem(out, "history rows the change table does not have", notInChangeTable());
        Reconciliation.detailedProblem(out, "history rows whose values differ from the change table", differing());
        Reconciliation.detailedProblem(out, "invalid changes not in the quarantine with their reason", invalidNotQuarantined());
        Reconciliation.detailedProblem(out, "orders whose current state differs from the table", currentStateDiffers());
        out.add(out.stream().noneMatch(line -> line.startsWith(PROBLEM))
                ? CONSISTENT + ": every valid change is in the history exactly once, every invalid one is quarantined, "
                + "and the current state is the table's."
                : "NOT CONSISTENT: see the differences above.");
        return out;
    }
}
