package foodcdc.validator;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.lake.LakeLayout;
import foodcdc.lake.LakeSource;
import foodcdc.sql.SqlIdentifier;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code prune_changes.sh [--config FILE]}: in change capture mode, deletes from the change
 * table the changes the lake holds, so that it does not grow for ever. What goes is a prefix:
 * every change up to the highest change_id P such that each change of the table up to P is held
 * as the validator would pass it: a valid one in the change history with the table's values in
 * its partition, an invalid one in the quarantine under the rule it breaks (both read by listing
 * their files). A change not yet consumed, held otherwise, or in a file that cannot be read,
 * stops the prefix: it and all after it stay.
 *
 * <p>Refused (exit 3, nothing deleted): a change table that is not the one the history was built
 * from (its record, {@link LakeSource}, in the history), a role that may not delete, another
 * prune running. The look and the delete share one snapshot (REPEATABLE READ, set inside the
 * transaction): a change that commits meanwhile with an id inside the prefix is left alone. P is
 * recorded in the history ({@value #FILE}) before the delete commits, so that the validator
 * knows which changes the table no longer has on purpose.
 *
 * <p>Run it as a role that may delete from the change table (its owner, or one granted
 * {@code SELECT, DELETE}: db/producer_role.sql says so); the producer itself stays read-only.
 * Safe while both jobs run: a pruned change was published and written; a producer re-publishing
 * a batch after a crash finds fewer rows, all of them already in the history.
 */
public final class PruneChanges {
    static final String FILE = "_pruned.properties";
    private static final int FETCH = 10_000;

    private PruneChanges() {
    }

    /** What stops a prune before anything is deleted; the message is the whole line. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "prune_changes.sh"))).number);
    }

    /** Where the pruned prefix is recorded: in the change history. */
    static StateFile record(String history, Configuration conf) throws IOException {
        return new StateFile(new Path(history, FILE), conf);
    }

    private static final String ABOUT = "The change table's changes up to this change_id were pruned, this many: the "
            + "change history or its quarantine holds them (prune_changes.sh).";

    private static Map<String, String> values(long through, long changes) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        values.put("pruned_through", Long.toString(through));
        values.put("pruned_changes", Long.toString(changes));
        return values;
    }

    /** What was pruned from the change table so far ({@link ChangeReconciliation.Pruned#NONE}: nothing). */
    static ChangeReconciliation.Pruned pruned(StateFile record) throws IOException {
        return record.read().map(v -> new ChangeReconciliation.Pruned(Long.parseLong(v.getOrDefault("pruned_through",
                "-1")), Long.parseLong(v.getOrDefault("pruned_changes", "-1"))))
                .filter(p -> p.through() >= 0).orElse(ChangeReconciliation.Pruned.NONE);
    }

    static ExitCode run(PipelineConfig config) throws Exception {
        if (!config.streaming().capturesChanges()) {
            System.err.println("prune_changes.sh: streaming.capture is inserts: there is no change table to prune");
            return ExitCode.BAD_CONFIG;
        }
        Steps steps = new Steps(config);
        SparkSession spark = null;
        try {
            spark = steps.run("Spark start", "start Spark", PipelineValidator::session);
            SparkSession s = spark;
            Configuration conf = s.sparkContext().hadoopConfiguration();
            LakeLayout layout = new LakeLayout(LakeLayout.changeHistory(config.datalake().path()));
            String history = layout.lake.toString();
            Map<String, String> unreadable = new HashMap<>();
            Map<Long, ChangeReconciliation.HistoryRow> inHistory = new HashMap<>();
            steps.run("change history", "read the change history at " + history, () -> LakeReader
                    .historyRows(s, history, unreadable)).forEach(r -> inHistory.putIfAbsent(r.changeId(), r));
            Map<Long, Set<String>> quarantined = new HashMap<>();
            steps.run("quarantine", "read the quarantine at " + layout.quarantine, () -> LakeReader
                    .quarantinedChanges(s, layout.quarantine.toString(), unreadable))
                    .forEach(q -> quarantined.computeIfAbsent(q.changeId(), id -> new HashSet<>()).add(q.reason()));
            unreadable.forEach((file, why) -> System.out.println("Not counted, unreadable: " + file + " (" + why + ")"));
            Optional<LakeSource> source = steps.run("history's source", "read the change history's record of its "
                    + "change table", () -> LakeSource.read(LakeSource.file(history, conf)));
            var pg = config.postgres();
            long[] result = steps.run("pruning", "prune " + ChangeEvent.table(pg.table()) + " at " + pg.host() + ":" + pg.port()
                    + "/" + pg.db(), () -> prune(pg, source, inHistory, quarantined, record(history, conf)));
            System.out.println(result[0] == 0 ? "Pruned nothing from " + ChangeEvent.table(pg.table()) + ": its first change is not "
                    + "in the change history or its quarantine yet; " + result[2] + " left."
                    : "Pruned " + result[0] + " changes from " + ChangeEvent.table(pg.table()) + " (up to change_id " + result[1]
                    + ", each in the change history or its quarantine as it is in the table); " + result[2] + " left.");
            return ExitCode.OK;
        } catch (Steps.Failed e) {
            if (e.getCause() instanceof Refused refused) {
                System.err.println("prune_changes.sh: " + refused.getMessage() + ". Nothing was deleted");
            } else {
                System.err.println("prune_changes.sh: " + e.getMessage());
            }
            return ExitCode.CANNOT_START;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    /** Deletes the held prefix; returns {deleted, the prefix's end (-1: none), rows left}. */
    private static long[] prune(PipelineConfig.Postgres pg, Optional<LakeSource> source,
                                Map<Long, ChangeReconciliation.HistoryRow> inHistory,
                                Map<Long, Set<String>> quarantined, StateFile record)
            throws SQLException, IOException, Refused {
        String changes = ChangeEvent.table(pg.table());
        String table = SqlIdentifier.quote(changes);
        try (Connection c = SourceTable.connect(pg)) {
            LakeSource.Live live = LakeSource.Live.read(c, changes, ChangeEvent.CHANGE_ID);
            if (source.isEmpty() || !source.get().systemIdentifier().equals(live.systemIdentifier())
                    || source.get().tableOid() != live.tableOid()) {
                throw new Refused(changes + " is not the change table the change history was built from ("
                        + source.map(r -> "recorded: cluster " + r.systemIdentifier() + ", OID " + r.tableOid())
                        .orElse("no record yet: start the producer first") + "; here: cluster "
                        + live.systemIdentifier() + ", OID " + live.tableOid() + "): its change_ids are not the "
                        + "history's, and pruning would delete changes never published");
            }
            c.setAutoCommit(false);
            long end = -1;
            try (Statement s = c.createStatement()) {
                // Inside the transaction, so that a pooler (PgBouncer) keeps it on this one server connection.
                s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
                try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(hashtext('prune_changes "
                        + changes + "')), has_table_privilege(to_regclass('" + table.replace("'", "''")
                        + "'), 'DELETE'), current_user")) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new Refused("another prune_changes.sh is pruning " + changes);
                    }
                    if (!rs.getBoolean(2)) {
                        throw new Refused("role " + rs.getString(3) + " may not delete from " + changes + "; run it "
                                + "as the table's owner, or GRANT SELECT, DELETE ON " + table + " TO a role of its "
                                + "own (never the producer's)");
                    }
                }
                s.setFetchSize(FETCH);
                try (ResultSet rs = s.executeQuery(SourceTable.changesQuery(pg.table()))) {
                    while (rs.next() && held(rs.getLong(1), SourceTable.change(rs), inHistory, quarantined)) {
                        end = rs.getLong(1);
                    }
                }
            }
            long deleted = 0;
            ChangeReconciliation.Pruned before = pruned(record);
            if (end >= 0) {
                // The prefix first, so that the validator does not miss a change the delete takes; the count
                // (checked against the history) only once the delete committed: a prune that fails in between
                // then under-counts, which can miss a loss but never reports one that did not happen.
                record.write(ABOUT, values(Math.max(end, before.through()), before.changes()));
                try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE "
                        + ChangeEvent.CHANGE_ID + " <= ?")) {
                    d.setLong(1, end);
                    deleted = d.executeUpdate();
                }
            }
            c.commit();
            if (end >= 0) {
                // A record of an earlier version has no count: it starts at what this prune deleted (a baseline).
                record.write(ABOUT, values(Math.max(end, before.through()), Math.max(0, before.changes()) + deleted));
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return new long[] {deleted, end, rs.getLong(1)};
            }
        }
    }

    /** Whether the lake holds a change as the validator would pass it. */
    private static boolean held(long changeId, ChangeReconciliation.Change change,
                                Map<Long, ChangeReconciliation.HistoryRow> inHistory,
                                Map<Long, Set<String>> quarantined) {
        String rule = change.rule();
        if (rule != null) {
            return quarantined.getOrDefault(changeId, Set.of()).contains(rule);
        }
        ChangeReconciliation.HistoryRow row = inHistory.get(changeId);
        return row != null && ChangeReconciliation.differences(change, row).isEmpty();
    }
}
