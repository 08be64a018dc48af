package foodcdc.validator;

import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.lake.LakeLayout;
import foodcdc.sql.SqlIdentifier;
import foodcdc.storage.StateFile;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * {@code prune_changes.sh [--config FILE]}: in change capture mode, deletes from the change
 * table the changes the lake holds, so that it does not grow for ever. What goes is a prefix:
 * every change up to the highest change_id P such that each change of the table up to P is in
 * the change history or its quarantine (read by listing their files, as the validator does).
 * A change not yet consumed, or in a file that cannot be read, stops the prefix: it and all
 * after it stay. The look and the delete share one snapshot (REPEATABLE READ): a change that
 * commits meanwhile with an id inside the prefix is left alone. P is recorded in the history
 * ({@value #FILE}) before anything is deleted, so the validator knows which changes the table
 * no longer has on purpose.
 *
 * <p>Run it as a role that may delete from the change table (its owner, or one granted
 * {@code SELECT, DELETE}: db/producer_role.sql says so); the producer itself stays read-only.
 * Safe while both jobs run: a pruned change was published and written; a producer re-publishing
 * a batch after a crash finds fewer rows, all of them already in the history.
 */
public final class PruneChanges {
    static final String FILE = "_pruned.properties";
    private static final int CHUNK = 10_000;

    private PruneChanges() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "prune_changes.sh"))).number);
    }

    /** Where the pruned prefix is recorded: in the change history. */
    static StateFile record(String history, org.apache.hadoop.conf.Configuration conf) throws IOException {
        return new StateFile(new Path(history, FILE), conf);
    }

    /** The highest change_id pruned from the change table so far, if any. */
    static Optional<Long> prunedThrough(StateFile record) throws IOException {
        return record.read().map(v -> Long.parseLong(v.getOrDefault("pruned_through", "-1"))).filter(p -> p >= 0);
    }

    static ExitCode run(PipelineConfig config) throws Exception {
        if (!config.streaming().capturesChanges()) {
            System.err.println("prune_changes.sh: streaming.capture is inserts: there is no change table to prune");
            return ExitCode.BAD_CONFIG;
        }
        Steps steps = new Steps();
        SparkSession spark = null;
        try {
            spark = steps.run("Spark start", "start Spark", PipelineValidator::session);
            SparkSession s = spark;
            LakeLayout layout = new LakeLayout(LakeLayout.changeHistory(config.datalake().path()));
            Map<String, String> unreadable = new HashMap<>();
            Set<Long> held = new HashSet<>();
            steps.run("change history", "read the change history at " + layout.lake, () -> LakeReader
                    .historyRows(s, layout.lake.toString(), unreadable)).forEach(r -> held.add(r.changeId()));
            steps.run("quarantine", "read the quarantine at " + layout.quarantine, () -> LakeReader
                    .quarantinedChanges(s, layout.quarantine.toString(), unreadable)).forEach(q -> held.add(q.changeId()));
            unreadable.forEach((file, why) -> System.out.println("Not counted, unreadable: " + file + " (" + why + ")"));
            StateFile record = record(layout.lake.toString(), s.sparkContext().hadoopConfiguration());
            var pg = config.postgres();
            String table = SqlIdentifier.quote(pg.table() + "_changes");
            long[] result = steps.run("pruning", "prune " + pg.table() + "_changes at " + pg.host() + ":" + pg.port()
                    + "/" + pg.db(), () -> prune(pg, table, held, record));
            System.out.println("Pruned " + result[0] + " changes from " + pg.table() + "_changes (up to change_id "
                    + result[1] + ", all in the change history or its quarantine); " + result[2] + " left.");
            return ExitCode.OK;
        } catch (Steps.Failed e) {
            System.err.println("prune_changes.sh: " + e.getMessage());
            return ExitCode.CANNOT_START;
        } finally {
            if (spark != null) {
                spark.stop();
            }
        }
    }

    /** Deletes the held prefix; returns {deleted, the prefix's end (-1: none), rows left}. */
    private static long[] prune(PipelineConfig.Postgres pg, String table, Set<Long> held, StateFile record)
            throws SQLException, IOException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            long end = -1;
            // One snapshot for the look and the delete: a change that commits in between, with an id
            // inside the prefix, is not the delete's to see (and the cursor streams the ids).
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement s = c.createStatement()) {
                s.setFetchSize(CHUNK);
                try (ResultSet rs = s.executeQuery("SELECT " + ChangeEvent.CHANGE_ID + " FROM " + table
                        + " ORDER BY " + ChangeEvent.CHANGE_ID)) {
                    while (rs.next() && held.contains(rs.getLong(1))) {
                        end = rs.getLong(1);
                    }
                }
            }
            long deleted = 0;
            if (end >= 0) {
                long through = Math.max(end, prunedThrough(record).orElse(-1L));
                record.write("The change table's changes up to this change_id were pruned: the change history holds "
                        + "them (prune_changes.sh).", Map.of("pruned_through", Long.toString(through)));
                try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE "
                        + ChangeEvent.CHANGE_ID + " <= ?")) {
                    d.setLong(1, end);
                    deleted = d.executeUpdate();
                }
            }
            c.commit();
            c.setAutoCommit(true);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
                rs.next();
                return new long[] {deleted, end, rs.getLong(1)};
            }
        }
    }
}
