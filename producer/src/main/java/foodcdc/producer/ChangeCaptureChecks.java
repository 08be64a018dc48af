package foodcdc.producer;

import static foodcdc.sql.SqlIdentifier.quote;

import foodcdc.contract.ChangeEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * What change capture mode needs of the source before the producer can promise every change:
 * what db/changes.sql installs, still in place. Each problem is one line that says what is
 * missing and what to run.
 *
 * <ul>
 *   <li>PostgreSQL 13 or later (pg_current_xact_id, pg_current_snapshot, pg_visible_in_snapshot);</li>
 *   <li>the change table, readable by the producer's role;</li>
 *   <li>both triggers, enabled ALWAYS: a disabled trigger misses every change from then on,
 *       and one enabled only ORIGIN misses the changes of sessions with
 *       session_replication_role = replica (a logical replication subscriber).</li>
 * </ul>
 * Unlike insert mode, nothing here needs pg_read_all_stats or track_activities: what has
 * ended comes from the snapshots themselves, not from pg_stat_activity.
 */
final class ChangeCaptureChecks {
    private final String table;
    private final String user;

    ChangeCaptureChecks(String table, String user) {
        this.table = table;
        this.user = user;
    }

    /** The command that installs (or repairs) change capture for this table. */
    String installCommand() {
        return "psql \"postgresql://OWNER@HOST:PORT/DB\" -v table=" + table + " -f db/changes.sql (as the table's owner)";
    }

    /** Every problem found, one line each; empty when the producer may start in change capture mode. */
    List<String> problems(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        SourceChecks.standby(c).ifPresent(problems::add);
        String changes = ChangeEvent.table(table);
        try (PreparedStatement s = c.prepareStatement("SELECT current_setting('server_version_num')::int >= 130000,"
                + " current_setting('server_version'), to_regclass(?) IS NOT NULL,"
                + " to_regclass(?) IS NOT NULL AND has_table_privilege(to_regclass(?), 'SELECT')")) {
            s.setString(1, quote(changes));
            s.setString(2, quote(changes));
            s.setString(3, quote(changes));
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    problems.add("streaming.capture: changes needs PostgreSQL 13 or later (transaction ids as xid8), "
                            + "this server is " + rs.getString(2) + "; use streaming.capture: inserts");
                    return problems;
                }
                if (!rs.getBoolean(3)) {
                    problems.add("streaming.capture: changes, but change capture is not installed on " + table
                            + " (no table " + changes + "); run: " + installCommand());
                    return problems;
                }
                if (!rs.getBoolean(4)) {
                    problems.add("role " + user + " cannot read " + changes + "; run: GRANT SELECT ON " + quote(changes)
                            + " TO " + quote(user));
                }
            }
        }
        for (String trigger : List.of(table + "_capture_row", table + "_capture_truncate")) {
            try (PreparedStatement s = c.prepareStatement("SELECT tgenabled FROM pg_trigger"
                    + " WHERE tgrelid = to_regclass(?) AND tgname = ?")) {
                s.setString(1, quote(table));
                s.setString(2, trigger);
                try (ResultSet rs = s.executeQuery()) {
                    if (!rs.next()) {
                        problems.add("trigger " + trigger + " of " + table + " is missing: changes are not captured; "
                                + "run: " + installCommand());
                    } else if (!"A".equals(rs.getString(1))) {
                        problems.add("trigger " + trigger + " of " + table + " is "
                                + ("D".equals(rs.getString(1)) ? "disabled" : "not enabled ALWAYS (replica sessions' "
                                + "changes are missed)") + "; run: " + installCommand());
                    }
                }
            }
        }
        return problems;
    }
}
