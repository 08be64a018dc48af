package foodcdc.producer;

import static foodcdc.sql.SqlIdentifier.quote;

import foodcdc.contract.OrderEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What must hold of the source database before the producer can promise that no committed row
 * is skipped, checked once at start. Each problem is one line that says what breaks and what
 * to run; the producer refuses to start while any is left ({@link ProducerJob}).
 *
 * <ul>
 *   <li>The horizon ({@link IncrementalQuery#horizon()}) sees other sessions' transactions
 *       only with pg_read_all_stats,</li>
 *   <li>and only on the primary: a hot standby's pg_stat_activity lists its own read-only
 *       sessions, not the primary's writers,</li>
 *   <li>and only where {@code track_activities} is on: for the server, this database and every
 *       role (a session of a role with it off shows no transaction at all). A session that turns
 *       it off itself (superuser only) cannot be seen from here: docs/GUARANTEES.md says so.</li>
 *   <li>{@code created_at}'s default must be UTC whatever the inserting session's TimeZone: a
 *       plain {@code now()} lands New York's rows five hours behind the watermark (never
 *       published) and Kolkata's five and a half hours ahead (held back, then misdated).</li>
 * </ul>
 */
final class SourceChecks {
    /** Zones far apart (UTC+14 and UTC-10/-9): a session-dependent default differs by hours between them. */
    private static final List<String> PROBE_ZONES = List.of("Pacific/Kiritimati", "America/Adak");
    /** The column types that keep a transaction start exactly. */
    private static final java.util.Set<String> MICROSECOND_TIMESTAMP =
            java.util.Set.of("timestamp without time zone", "timestamp(6) without time zone");
    /** Transactions the default is evaluated in, spread over a little more than a second (see createdAtDefault). */
    private static final int PROBES = 16;
    private static final java.time.Duration PROBE_SPREAD = java.time.Duration.ofMillis(1_200);
    /** A UTC default evaluated now is within a clock tick of UTC now; a zone's offset is at least 15 min. */
    private static final int TOLERANCE_SECONDS = 60;

    private final String table;
    private final String user;

    SourceChecks(String table, String user) {
        this.table = table;
        this.user = user;
    }

    /** Every problem found, one line each; empty when the producer may start. */
    List<String> problems(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        standby(c).ifPresent(problems::add);
        if (!isTrue(c, "SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'member')"
                + " FROM pg_roles WHERE rolname = current_user")) {
            problems.add("role " + user + " cannot see other sessions' transactions, so late commits could be "
                    + "missed; run: GRANT pg_read_all_stats TO " + quote(user));
        }
        problems.addAll(trackActivitiesOff(c));
        createdAtDefault(c).ifPresent(problems::add);
        return problems;
    }

    /** A standby is no source in either mode: its transactions are not the primary's. */
    static Optional<String> standby(Connection c) throws SQLException {
        return isTrue(c, "SELECT pg_is_in_recovery()") ? Optional.of("postgres.jdbc_url points at a standby (a read-only "
                + "replica): the primary's open transactions are invisible there, so late commits could be missed; "
                + "point it at the primary") : Optional.empty();
    }

    /**
     * What is not wrong yet but will be: a default for created_at that is missing (rows then
     * carry whatever their writer sends), and no index for the poll's (created_at, order_id)
     * order (every poll then scans the table, and once a scan takes the statement's 30 s the
     * producer waits for PostgreSQL for ever).
     */
    List<String> warnings(Connection c) throws SQLException {
        List<String> warnings = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(DEFAULT_OF_CREATED_AT)) {
            s.setString(1, quote(table));
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next() && rs.getString(1) == null) {
                    warnings.add("created_at of " + table + " has no default: every writer must set it to "
                            + "the UTC time of its transaction's start, or its rows may be skipped; run: "
                            + fixDefault());
                }
            }
        }
        try (PreparedStatement s = c.prepareStatement(KEYSET_INDEX)) {
            s.setString(1, quote(table));
            try (ResultSet rs = s.executeQuery()) {
                if (rs.next() && !rs.getBoolean(1)) {
                    warnings.add(table + " has no index on (created_at, order_id): every poll scans the whole table, "
                            + "and once a scan takes 30 s the producer waits for PostgreSQL for ever; run: CREATE INDEX "
                            + "CONCURRENTLY ON " + quote(table) + " (created_at, order_id)");
                }
            }
        }
        return warnings;
    }

    /** Whether a valid index of the table leads with (created_at, order_id): the poll's order. */
    private static final String KEYSET_INDEX = "SELECT EXISTS (SELECT 1 FROM pg_index i"
            + " JOIN pg_attribute a0 ON a0.attrelid = i.indrelid AND a0.attnum = i.indkey[0]"
            + " JOIN pg_attribute a1 ON a1.attrelid = i.indrelid AND a1.attnum = i.indkey[1]"
            + " WHERE i.indrelid = ?::regclass AND i.indisvalid AND i.indnkeyatts >= 2"
            + " AND a0.attname = '" + OrderEvent.CREATED_AT + "' AND a1.attname = '" + OrderEvent.ORDER_ID + "')";

    private List<String> trackActivitiesOff(Connection c) throws SQLException {
        List<String> problems = new ArrayList<>();
        String why = "track_activities is off %s: %s open transactions are invisible, so their late commits "
                + "could be missed; run: %s";
        // Set per role and/or database (ALTER ROLE / ALTER DATABASE ... SET), for this database.
        String perRoleOrDb = "SELECT r.rolname, d.datname FROM pg_db_role_setting s"
                + " LEFT JOIN pg_roles r ON r.oid = s.setrole LEFT JOIN pg_database d ON d.oid = s.setdatabase"
                + " WHERE (s.setdatabase = 0 OR d.datname = current_database())"
                + " AND EXISTS (SELECT 1 FROM unnest(s.setconfig) AS o(setting)"
                + " WHERE o.setting ~* '^track_activities=(off|of|false|fals|fal|fa|f|no|n|0)$')"
                + " ORDER BY 1 NULLS FIRST, 2 NULLS FIRST";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(perRoleOrDb)) {
            while (rs.next()) {
                String role = rs.getString(1);
                String db = rs.getString(2);
                if (role == null) {
                    problems.add(why.formatted("for database " + db, "its sessions'",
                            "ALTER DATABASE " + quote(db) + " RESET track_activities"));
                } else {
                    problems.add(why.formatted("for role " + role + (db == null ? "" : " in database " + db),
                            "that role's", "ALTER ROLE " + quote(role) + (db == null ? "" : " IN DATABASE "
                                    + quote(db)) + " RESET track_activities"));
                }
            }
        }
        // Set for the whole server (postgresql.conf, ALTER SYSTEM, the command line).
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT setting, source FROM pg_settings WHERE name = 'track_activities'")) {
            if (rs.next() && rs.getString(1).equals("off")
                    && !List.of("database", "user", "database user").contains(rs.getString(2))) {
                problems.add(why.formatted("for the server", "every session's",
                        "ALTER SYSTEM SET track_activities = on; SELECT pg_reload_conf()"));
            }
        }
        return problems;
    }

    private static final String DEFAULT_OF_CREATED_AT = "SELECT pg_get_expr(d.adbin, d.adrelid),"
            + " format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
            + " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
            + " WHERE a.attrelid = to_regclass(?) AND a.attname = '" + OrderEvent.CREATED_AT + "' AND NOT a.attisdropped";

    /**
     * Whether created_at's default gives UTC time in sessions of any zone: it is evaluated in a
     * read-only transaction (so it can change nothing) under two zones far apart, and compared
     * with UTC now. Reading the expression's text instead would miss its many spellings
     * ({@code now()}, {@code CURRENT_TIMESTAMP}, {@code LOCALTIMESTAMP}, {@code timezone('UTC', now())} ...).
     */
    private Optional<String> createdAtDefault(Connection c) throws SQLException {
        String expression;
        String type;
        try (PreparedStatement s = c.prepareStatement(DEFAULT_OF_CREATED_AT)) {
            s.setString(1, quote(table));
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return Optional.of("table " + table + " (postgres.table) with a column created_at does not exist "
                            + "in this database; create it with db/orders.sql");
                }
                expression = rs.getString(1);
                type = rs.getString(2);
            }
        }
        if (!MICROSECOND_TIMESTAMP.contains(type)) {
            // Fewer digits round a row's time, possibly to before its transaction's start: it
            // could then sort behind rows already published, and be skipped.
            // From a time zone type, existing rows convert at the session's zone unless told UTC.
            String using = type.contains("with time zone") ? " USING " + OrderEvent.CREATED_AT + " AT TIME ZONE 'UTC'" : "";
            return Optional.of("created_at is " + type + ", not timestamp without time zone with microseconds, so "
                    + "rows could carry a time before their transaction's start and be skipped; run: ALTER TABLE "
                    + quote(table) + " ALTER COLUMN " + OrderEvent.CREATED_AT + " TYPE timestamp" + using);
        }
        if (expression == null) {
            return Optional.empty();   // no default: see warning()
        }
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            // A rounding default stamps before its transaction's start only when now()'s
            // fraction rounds down: transactions spread over a second each see another
            // fraction, so one of them catches it.
            for (int probe = 0; probe < PROBES; probe++) {
                Optional<String> problem = probe(s, expression);
                c.rollback();
                if (problem.isPresent()) {
                    return problem;
                }
                pause(PROBE_SPREAD.dividedBy(PROBES));
            }
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("08")) {
                throw e;   // the connection failed, not the check
            }
            return Optional.of("created_at's default " + expression + " cannot be checked (" + e.getMessage()
                    + "); run: " + fixDefault());
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
        return Optional.empty();
    }

    /** One read-only transaction: the default evaluated in each probe zone, against UTC now. */
    private Optional<String> probe(Statement s, String expression) throws SQLException {
        s.execute("SET TRANSACTION READ ONLY");
        for (String zone : PROBE_ZONES) {
            s.execute("SET LOCAL TimeZone = '" + zone + "'");
            try (ResultSet rs = s.executeQuery("SELECT extract(epoch FROM ((" + expression
                    + ")::timestamp - (now() AT TIME ZONE 'UTC')))")) {
                rs.next();
                double ahead = rs.getDouble(1);
                if (Math.abs(ahead) > TOLERANCE_SECONDS) {
                    return Optional.of("created_at's default " + expression + " is not UTC time in a session "
                            + "whose TimeZone is " + zone + ", so orders inserted from sessions outside UTC would "
                            + "be skipped or misdated; run: " + fixDefault());
                }
                if (ahead < 0) {
                    // The horizon is a transaction's start: a row stamped earlier may land
                    // behind rows already published (date_trunc, a rounding cast ...).
                    return Optional.of("created_at's default " + expression + " gives a time before its "
                            + "transaction's start, so a row committed late could sort behind rows already "
                            + "published and be skipped; run: " + fixDefault());
                }
            }
        }
        return Optional.empty();
    }

    private static void pause(java.time.Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();   // stopping: the remaining probes run without pauses
        }
    }

    private String fixDefault() {
        return "ALTER TABLE " + quote(table) + " ALTER COLUMN " + OrderEvent.CREATED_AT
                + " SET DEFAULT (now() AT TIME ZONE 'UTC')";
    }

    private static boolean isTrue(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() && rs.getBoolean(1);
        }
    }
}
