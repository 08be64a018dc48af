package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.LocalStack;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The start checks of the producer against a real PostgreSQL, on a stack of its own (these
 * tests change server settings and turn the server into a standby).
 */
class SourceChecksIT {
    private static final ThrowawayStack STACK = ThrowawayStack.create("source_checks").start(false);

    @AfterAll
    static void stopStack() {
        STACK.close();
    }

    private static List<String> problems(PipelineConfig c) throws Exception {
        try (SourceDatabase db = new SourceDatabase(c.postgres())) {
            return db.startProblems();
        }
    }

    private static void sql(String... statements) throws Exception {
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /**
     * Waits until a new session sees the server-wide {@code name} as {@code value}: a reload
     * reaches the postmaster by a signal, so the sessions after it may start a moment later.
     */
    private static void awaitServerSetting(String name, String value) throws Exception {
        Wait.until(() -> {
            try (Connection conn = STACK.connect(); Statement s = conn.createStatement();
                 ResultSet rs = s.executeQuery("SELECT setting FROM pg_settings WHERE name = '" + name + "'")) {
                rs.next();
                return rs.getString(1);
            }
        }, value::equals, Duration.ofSeconds(10), "a new session to see " + name + " = " + value);
    }

    private static String fix(PipelineConfig c) {
        return "ALTER TABLE \"" + c.postgres().table() + "\" ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC')";
    }

    @Test
    void shouldRefuseACreatedAtDefaultThatDependsOnTheSessionsTimeZoneAndSayWhatToRun() throws Exception {
        PipelineConfig c = STACK.isolated("tz_default", 100_000);
        assertEquals(List.of(), problems(c), "db/orders.sql makes a UTC default");
        String table = "\"" + c.postgres().table() + "\"";
        for (String sessionDependent : List.of("now()", "CURRENT_TIMESTAMP", "LOCALTIMESTAMP", "clock_timestamp()",
                "(now() AT TIME ZONE 'Asia/Kolkata')")) {
            sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT " + sessionDependent);
            List<String> problems = problems(c);
            assertEquals(1, problems.size(), problems.toString());
            assertTrue(problems.get(0).startsWith("created_at's default "), problems.get(0));
            assertTrue(problems.get(0).endsWith("is not UTC time in a session whose TimeZone is Pacific/Kiritimati, "
                    + "so orders inserted from sessions outside UTC would be skipped or misdated; run: " + fix(c)),
                    problems.get(0));
        }
        for (String utc : List.of("timezone('UTC', now())", "(CURRENT_TIMESTAMP AT TIME ZONE 'Etc/UTC')",
                "(clock_timestamp() AT TIME ZONE 'UTC')")) {
            sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT " + utc);
            assertEquals(List.of(), problems(c), utc);
        }
        // Stamped before the transaction's start (a truncated or rounded time): a late commit could sort behind.
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT date_trunc('second', now() AT TIME ZONE 'UTC')");
        List<String> truncated = problems(c);
        assertEquals(1, truncated.size(), truncated.toString());
        assertTrue(truncated.get(0).startsWith("created_at's default date_trunc('second'::text, "), truncated.get(0));
        assertTrue(truncated.get(0).endsWith(" gives a time before its transaction's start, so a row committed late "
                + "could sort behind rows already published and be skipped; run: " + fix(c)), truncated.get(0));
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC')",
                "ALTER TABLE " + table + " ALTER COLUMN created_at TYPE timestamp(0)");
        assertEquals(List.of("created_at is timestamp(0) without time zone, not timestamp without time zone with "
                + "microseconds, so rows could carry a time before their transaction's start and be skipped; run: "
                + "ALTER TABLE " + table + " ALTER COLUMN created_at TYPE timestamp"), problems(c));
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at TYPE timestamp");
        assertEquals(List.of(), problems(c));
        // Rounded to whole seconds: before the transaction's start half of the time, caught all but surely.
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT (CURRENT_TIMESTAMP(0) AT TIME ZONE 'UTC')");
        assertEquals(1, problems(c).size(), "a rounding default");
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at SET DEFAULT (now() AT TIME ZONE 'UTC')",
                "ALTER TABLE " + table + " ALTER COLUMN created_at TYPE timestamptz");
        String fromTimeZoneType = "ALTER TABLE " + table + " ALTER COLUMN created_at TYPE timestamp USING created_at "
                + "AT TIME ZONE 'UTC'";
        assertEquals(List.of("created_at is timestamp with time zone, not timestamp without time zone with "
                + "microseconds, so rows could carry a time before their transaction's start and be skipped; run: "
                + fromTimeZoneType), problems(c));
        sql(fromTimeZoneType);
        assertEquals(List.of(), problems(c));
        sql("ALTER TABLE " + table + " ALTER COLUMN created_at DROP DEFAULT");
        assertEquals(List.of(), problems(c));
        try (SourceDatabase db = new SourceDatabase(c.postgres())) {
            List<String> warnings = db.startWarnings();
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("created_at of tz_default_orders has no default"), warnings.toString());
        }
    }

    @Test
    void shouldWarnWithTheCreateIndexToRunWhenThePollsOrderHasNoIndex() throws Exception {
        PipelineConfig c = STACK.isolated("no_index", 100_000);
        try (SourceDatabase db = new SourceDatabase(c.postgres())) {
            assertEquals(List.of(), db.startWarnings(), "db/orders.sql makes the index");
            sql("DROP INDEX \"no_index_orders_created_at_order_id_idx\"",
                    "CREATE INDEX no_index_by_id_first ON \"no_index_orders\" (order_id, created_at)");
            assertEquals(List.of("no_index_orders has no index on (created_at, order_id): every poll scans the whole "
                    + "table, and once a scan takes 30 s the producer waits for PostgreSQL for ever; run: CREATE INDEX "
                    + "CONCURRENTLY ON \"no_index_orders\" (created_at, order_id)"), db.startWarnings());
            sql("CREATE INDEX ON \"no_index_orders\" (created_at, order_id, customer_name)");
            assertEquals(List.of(), db.startWarnings(), "an index that leads with the poll's order serves");
        }
    }

    @Test
    void shouldStopTheProducerScriptWithExitCode3AndOneLinePerProblem() throws Exception {
        PipelineConfig c = STACK.isolated("tz_script", 100_000);
        sql("ALTER TABLE \"" + c.postgres().table() + "\" ALTER COLUMN created_at SET DEFAULT now()");
        Path config = ConfigWriter.write(c, STACK.dir().resolve("tz_script.yml"));
        String out;
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config,
                STACK.dir().resolve("tz_script.log"))) {
            assertEquals(3, producer.awaitExit(Duration.ofSeconds(120)), producer.output());
            out = producer.output();
        }
        assertTrue(out.contains("Producer cannot start: created_at's default now() is not UTC time in a session "
                + "whose TimeZone is Pacific/Kiritimati, so orders inserted from sessions outside UTC would be "
                + "skipped or misdated; run: " + fix(c) + "\n"), out);
        assertFalse(out.contains("Exception"), out);
        assertFalse(Files.exists(Path.of(c.streaming().lastProcessedTimestampLocation(), "watermark.properties")));
        assertEquals(List.of(), STACK.readTopic(c.kafka().topic()), "nothing published");
    }

    @Test
    void shouldRefuseWhenTrackActivitiesIsOffForARoleADatabaseOrTheServer() throws Exception {
        PipelineConfig c = STACK.isolated("track_activities", 100_000);
        String db = c.postgres().db();
        sql("CREATE ROLE batch_writer LOGIN");
        try {
            sql("ALTER ROLE batch_writer SET track_activities = off");
            assertEquals(List.of("track_activities is off for role batch_writer: that role's open transactions are "
                    + "invisible, so their late commits could be missed; run: ALTER ROLE \"batch_writer\" RESET "
                    + "track_activities"), problems(c));
            sql("ALTER ROLE batch_writer RESET track_activities",
                    "ALTER ROLE batch_writer IN DATABASE \"" + db + "\" SET track_activities = false");
            assertEquals(List.of("track_activities is off for role batch_writer in database " + db + ": that role's "
                    + "open transactions are invisible, so their late commits could be missed; run: ALTER ROLE "
                    + "\"batch_writer\" IN DATABASE \"" + db + "\" RESET track_activities"), problems(c));
            sql("ALTER ROLE batch_writer IN DATABASE \"" + db + "\" RESET track_activities");
            // Another database's setting is no concern of this one.
            sql("ALTER DATABASE postgres SET track_activities = off");
            assertEquals(List.of(), problems(c));
            sql("ALTER DATABASE postgres RESET track_activities",
                    "ALTER DATABASE \"" + db + "\" SET track_activities = off");
            assertEquals(List.of("track_activities is off for database " + db + ": its sessions' open transactions "
                    + "are invisible, so their late commits could be missed; run: ALTER DATABASE \"" + db
                    + "\" RESET track_activities"), problems(c));
            sql("ALTER DATABASE \"" + db + "\" RESET track_activities",
                    "ALTER SYSTEM SET track_activities = off", "SELECT pg_reload_conf()");
            awaitServerSetting("track_activities", "off");
            assertEquals(List.of("track_activities is off for the server: every session's open transactions are "
                    + "invisible, so their late commits could be missed; run: ALTER SYSTEM SET track_activities = on; "
                    + "SELECT pg_reload_conf()"), problems(c));
        } finally {
            sql("ALTER SYSTEM RESET track_activities", "SELECT pg_reload_conf()", "DROP ROLE batch_writer");
        }
        awaitServerSetting("track_activities", "on");
        assertEquals(List.of(), problems(c));
    }

    @Test
    void shouldRefuseAStandbyBecauseThePrimarysTransactionsAreInvisibleThere() throws Exception {
        try (ThrowawayStack standby = ThrowawayStack.create("standby")) {
            standby.start(false);   // its table is there (db/orders.sql)
            assertEquals(List.of(), problems(standby.config()), "a primary is fine");
            standby.stack().stop(LocalStack.POSTGRES);
            // A server with standby.signal starts in recovery and serves read-only sessions: a hot standby.
            Files.writeString(standby.stack().postgresDataDir().resolve("standby.signal"), "");
            standby.stack().startPostgresOnly(LocalStack.Options.defaults().withDurable(false));
            assertEquals(List.of("postgres.jdbc_url points at a standby (a read-only replica): the primary's open "
                    + "transactions are invisible there, so late commits could be missed; point it at the primary"),
                    problems(standby.config()));
            // A running producer whose connection comes back to a standby (after a failover) waits for the primary.
            try (SourceDatabase db = new SourceDatabase(standby.config().postgres())) {
                java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                        () -> db.nextBatch(Optional.empty(), 10));
                assertEquals("postgres.jdbc_url reaches a standby (a read-only replica) now; waiting for the primary",
                        e.getMessage());
            }
        }
    }
}
