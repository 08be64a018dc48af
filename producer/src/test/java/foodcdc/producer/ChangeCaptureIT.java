package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.Repository;
import foodcdc.stack.SqlScript;
import foodcdc.stack.TestSpark;
import foodcdc.stack.ThrowawayStack;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Change capture's source half against a real PostgreSQL: db/changes.sql (the snapshot, the
 * triggers) and the producer's reads between two snapshots ({@link ChangeQuery},
 * {@link SourceDatabase#nextChangeBatch}), in batches of 7 so that every case also crosses
 * batch ends. Each case asserts exactly the changes that a poll finds, in publishing order.
 */
class ChangeCaptureIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final int BATCH = 7;

    /** One change as the producer reads it: what the assertions compare. */
    record Change(String op, long changeId, int orderId, String status, String customer) {
        String brief() {
            return op + " " + orderId + " " + status;
        }
    }

    /** A table of its own (with the 10 sample orders) under change capture, and a producer's watermark on it. */
    private static final class Capture {
        final PipelineConfig config;
        final String table;
        final String changes;
        private Optional<ChangeWatermark> watermark = Optional.empty();

        Capture(String name) throws Exception {
            config = STACK.isolated(name, 100_000);
            table = q(config.postgres().table());
            changes = q(foodcdc.contract.ChangeEvent.table(config.postgres().table()));
            install();
        }

        void install() throws Exception {
            try (Connection c = STACK.connect()) {
                SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", config.postgres().table()), c);
            }
        }

        /** Every change a poll finds now, batch by batch, as the producer would publish them. */
        List<Change> poll() throws Exception {
            List<Change> found = new ArrayList<>();
            ChangeQuery query = new ChangeQuery(config.postgres().table());
            try (SourceDatabase db = new SourceDatabase(config.postgres());
                 Connection c = STACK.connect(); Statement s = c.createStatement()) {
                Optional<SourceDatabase.Batch> batch;
                while ((batch = db.nextChangeBatch(watermark, BATCH).batch()).isPresent()) {
                    ChangeWatermark last = (ChangeWatermark) batch.get().last();
                    assertTrue(batch.get().rows() <= BATCH, "a batch is bounded: " + batch.get());
                    int before = found.size();
                    try (ResultSet rs = s.executeQuery(query.changesOfBatch(watermark, last))) {
                        while (rs.next()) {
                            found.add(new Change(rs.getString("op"), rs.getLong("change_id"), rs.getInt("order_id"),
                                    rs.getString("order_status"), rs.getString("customer_name")));
                        }
                    }
                    assertEquals(batch.get().rows(), found.size() - before, "the batch's rows are the ones counted: "
                            + batch.get() + " after " + watermark + ": " + found.subList(before, found.size()));
                    watermark = Optional.of(last);
                }
            }
            return found;
        }
    }

    /** A transaction id of its own (each call is a transaction, which this takes an id for). */
    private static long currentXid(Statement s) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT pg_current_xact_id()::text")) {
            rs.next();
            return Long.parseLong(rs.getString(1));
        }
    }

    private static List<String> briefs(List<Change> changes) {
        return changes.stream().map(Change::brief).toList();
    }

    private static void sql(String... statements) throws SQLException {
        try (Connection c = STACK.connect(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    @Test
    void shouldCaptureTheWholeLifeOfOrdersExactlyOnce() throws Exception {
        Capture t = new Capture("Changes_Life");   // mixed case, as the shipped ROLL001_orders
        // The snapshot: the 10 sample orders there were at install, once each, and no more on a second install.
        t.install();
        List<Change> snapshot = t.poll();
        assertEquals(IntStream.rangeClosed(1, 10).boxed().toList(), snapshot.stream().map(Change::orderId).toList());
        assertTrue(snapshot.stream().allMatch(c -> c.op().equals("r")), snapshot.toString());

        // A lifecycle in separate transactions, and two updates of one order in one transaction.
        sql("UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 1",
                "UPDATE " + t.table + " SET order_status = 'DELIVERED' WHERE order_id = 1",
                "BEGIN", "UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 2",
                "UPDATE " + t.table + " SET order_status = 'CANCELLED' WHERE order_id = 2", "COMMIT");
        assertEquals(List.of("u 1 PREPARING", "u 1 DELIVERED", "u 2 PREPARING", "u 2 CANCELLED"), briefs(t.poll()));

        // A subtransaction rolled back leaves nothing; a delete carries the row before it; a
        // new order_id is a delete and an insert; an insert is a create.
        sql("BEGIN", "UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 3", "SAVEPOINT s",
                "UPDATE " + t.table + " SET order_status = 'LOST' WHERE order_id = 3", "ROLLBACK TO SAVEPOINT s",
                "SAVEPOINT kept", "UPDATE " + t.table + " SET item = 'Margherita (large)' WHERE order_id = 3",
                "RELEASE SAVEPOINT kept", "COMMIT",
                "DELETE FROM " + t.table + " WHERE order_id = 4",
                "UPDATE " + t.table + " SET order_id = 1006 WHERE order_id = 6",
                "INSERT INTO " + t.table + " (order_id, customer_name, amount, order_status) "
                        + "VALUES (11, 'New One', 10.00, 'PLACED')");
        List<Change> found = t.poll();
        assertEquals(List.of("u 3 PREPARING", "u 3 PREPARING", "d 4 DELIVERED", "d 6 PLACED", "c 1006 PLACED",
                "c 11 PLACED"), briefs(found));
        assertEquals("Aisha Khan", found.get(2).customer(), "a delete carries the row as it was");
    }

    @Test
    void shouldPublishAroundATransactionThatIsStillOpenAndItsChangesOnceItCommits() throws Exception {
        Capture t = new Capture("changes_late");
        t.poll();   // the snapshot
        try (Connection late = STACK.connect(); Statement l = late.createStatement();
             Connection reader = STACK.connect(); Statement r = reader.createStatement()) {
            // A report reads for as long as it likes: it has no transaction id and plays no part.
            reader.setAutoCommit(false);
            reader.setReadOnly(true);
            r.executeQuery("SELECT count(*) FROM " + t.table).close();
            sql("UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 7");
            assertEquals(List.of("u 7 PREPARING"), briefs(t.poll()));

            // A writer takes its id, then others commit after it: theirs are published while it
            // is open, its own once it commits (late, with an id below theirs), once.
            late.setAutoCommit(false);
            l.execute("UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 8");
            sql("UPDATE " + t.table + " SET order_status = 'DELIVERED' WHERE order_id = 7",
                    "INSERT INTO " + t.table + " (order_id, customer_name, amount, order_status) "
                            + "VALUES (12, 'After The Late One', 12.00, 'PLACED')");
            assertEquals(List.of("u 7 DELIVERED", "c 12 PLACED"), briefs(t.poll()), "held back by an open transaction");
            assertEquals(List.of(), t.poll());
            Thread.sleep(Duration.ofSeconds(2).toMillis());
            l.execute("UPDATE " + t.table + " SET order_status = 'DELIVERED' WHERE order_id = 8");
            sql("UPDATE " + t.table + " SET order_status = 'CANCELLED' WHERE order_id = 9");
            late.commit();
            // Publishing order is xid order: the late transaction's changes first. change_id
            // still orders each order's own changes.
            List<Change> found = t.poll();
            assertEquals(List.of("u 8 PREPARING", "u 8 DELIVERED", "u 9 CANCELLED"), briefs(found));
            assertTrue(found.get(0).changeId() < found.get(1).changeId() && found.get(1).changeId() > 0, found.toString());
            assertEquals(List.of(), t.poll(), "published twice");
            reader.commit();

            // A transaction that reads first, while others are published, and writes only then.
            l.executeQuery("SELECT count(*) FROM " + t.table).close();
            sql("UPDATE " + t.table + " SET order_status = 'CANCELLED' WHERE order_id = 5");
            assertEquals(List.of("u 5 CANCELLED"), briefs(t.poll()));
            l.execute("UPDATE " + t.table + " SET order_status = 'REFUNDED' WHERE order_id = 5");
            assertEquals(List.of(), t.poll(), "published before it committed");
            late.commit();
            assertEquals(List.of("u 5 REFUNDED"), briefs(t.poll()));

            // One rolled back leaves nothing, and holds nothing back.
            l.execute("UPDATE " + t.table + " SET order_status = 'LOST' WHERE order_id = 3");
            sql("UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 10");
            assertEquals(List.of("u 10 PREPARING"), briefs(t.poll()));
            late.rollback();
            assertEquals(List.of(), t.poll());
        }
    }

    @Test
    void shouldCaptureABurstOfUpdatesToOneOrderInTheOrderTheyHappened() throws Exception {
        Capture t = new Capture("changes_burst");
        t.poll();
        try (Connection c = STACK.connect(); Statement s = c.createStatement()) {
            // The burst's transaction ids cross a power of ten (999 -> 1000), where their text
            // sorts differently from their value: a query that compares them as text fails here.
            long xid = currentXid(s);
            long boundary = 1000;
            while (boundary <= xid + 500) {
                boundary *= 10;
            }
            while (xid < boundary - 500) {
                xid = currentXid(s);
            }
            for (int i = 1; i <= 1000; i++) {
                s.execute("UPDATE " + t.table + " SET order_status = 'S" + i + "' WHERE order_id = 9");
            }
        }
        List<Change> found = t.poll();
        assertEquals(IntStream.rangeClosed(1, 1000).mapToObj(i -> "u 9 S" + i).toList(), briefs(found));
        for (int i = 1; i < found.size(); i++) {
            assertTrue(found.get(i).changeId() > found.get(i - 1).changeId(), "change_id orders an order's changes");
        }
    }

    @Test
    void shouldCaptureWritersInAnyZoneAndReplicaSessionsInUtc() throws Exception {
        Capture t = new Capture("changes_zone");
        t.poll();
        LocalDateTime before = LocalDateTime.now(ZoneOffset.UTC).minusSeconds(5);
        sql("SET TIME ZONE 'Pacific/Kiritimati'", "UPDATE " + t.table + " SET order_status = 'PREPARING' WHERE order_id = 10",
                // As a logical replication subscriber applies changes: ordinary triggers do not fire there.
                "SET session_replication_role = replica",
                "UPDATE " + t.table + " SET order_status = 'DELIVERED' WHERE order_id = 10");
        assertEquals(List.of("u 10 PREPARING", "u 10 DELIVERED"), briefs(t.poll()));
        try (Connection c = STACK.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(changed_at), max(changed_at) FROM " + t.changes
                     + " WHERE order_id = 10 AND op = 'u'")) {
            rs.next();
            LocalDateTime after = LocalDateTime.now(ZoneOffset.UTC).plusSeconds(5);
            LocalDateTime first = rs.getObject(1, LocalDateTime.class);
            LocalDateTime last = rs.getObject(2, LocalDateTime.class);
            assertTrue(first.isAfter(before) && last.isBefore(after), "changed_at is UTC: " + first + ".." + last);
        }
    }

    @Test
    void shouldWriteEveryChangeToItsChangeTableWhateverTheWritersRightsAndSearchPath() throws Exception {
        Capture t = new Capture("changes_rights");
        t.poll();
        String name = t.config.postgres().table();
        // A writer with rights on the orders table only, whose search_path finds a decoy change table first.
        sql("DROP ROLE IF EXISTS it_change_writer", "CREATE ROLE it_change_writer LOGIN PASSWORD 'w'",
                "GRANT INSERT, UPDATE, DELETE, SELECT ON " + t.table + " TO it_change_writer",
                "GRANT USAGE ON SEQUENCE " + q(name + "_order_id_seq") + " TO it_change_writer",
                "DROP SCHEMA IF EXISTS decoy CASCADE", "CREATE SCHEMA decoy",
                "CREATE TABLE decoy." + q(name + "_changes") + " (LIKE " + t.changes + ")",
                "GRANT ALL ON SCHEMA decoy TO it_change_writer", "GRANT ALL ON decoy." + q(name + "_changes")
                        + " TO it_change_writer");
        try (Connection w = java.sql.DriverManager.getConnection(t.config.postgres().jdbcUrl(), "it_change_writer", "w");
             Statement s = w.createStatement()) {
            s.execute("SET search_path = decoy, public");
            s.execute("UPDATE public." + t.table + " SET order_status = 'PREPARING' WHERE order_id = 1");
            SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("SELECT * FROM public." + t.changes));
            assertTrue(e.getMessage().contains("permission denied"), "PUBLIC has no rights on the change table: "
                    + e.getMessage());
        }
        assertEquals(List.of("u 1 PREPARING"), briefs(t.poll()));
        try (Connection c = STACK.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM decoy." + q(name + "_changes"))) {
            rs.next();
            assertEquals(0, rs.getInt(1), "a change went where the writer's search_path pointed");
        }
        sql("DROP SCHEMA decoy CASCADE", "REVOKE ALL ON " + t.table + " FROM it_change_writer",
                "REVOKE ALL ON SEQUENCE " + q(name + "_order_id_seq") + " FROM it_change_writer",
                "DROP ROLE it_change_writer");
    }

    @Test
    void shouldCaptureATruncateAsADeleteOfEveryRow() throws Exception {
        Capture t = new Capture("changes_truncate");
        // Under REPEATABLE READ the trigger would read an older snapshot than TRUNCATE's lock: refused.
        SQLException rr = assertThrows(SQLException.class, () -> sql(
                "BEGIN ISOLATION LEVEL REPEATABLE READ", "TRUNCATE " + t.table));
        assertTrue(rr.getMessage().contains("captured only at READ COMMITTED"), rr.getMessage());
        sql("TRUNCATE " + t.table);
        List<String> ops = new ArrayList<>();
        try (Connection c = STACK.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT op || ' ' || order_id FROM " + t.changes
                     + " ORDER BY change_id")) {
            while (rs.next()) {
                ops.add(rs.getString(1));
            }
        }
        List<String> expected = new ArrayList<>(IntStream.rangeClosed(1, 10).mapToObj(i -> "r " + i).toList());
        expected.addAll(IntStream.rangeClosed(1, 10).mapToObj(i -> "d " + i).toList());
        assertEquals(expected, ops);
        assertEquals(expected, t.poll().stream().map(c -> c.op() + " " + c.orderId()).toList(), "as published");
        // A column of the seven renamed: every write fails (refused loudly) until the script runs again.
        sql("ALTER TABLE " + t.table + " RENAME COLUMN item TO dish");
        SQLException e = assertThrows(SQLException.class,
                () -> sql("INSERT INTO " + t.table + " (customer_name, amount) VALUES ('x', 1.00)"));
        assertTrue(e.getMessage().contains("item"), e.getMessage());
    }

    @Test
    void shouldPublishEachChangeOnceAsAChangeEventKeyedByItsOrder() throws Exception {
        Capture t = new Capture("changes_publish");
        sql("UPDATE " + t.table + " SET order_status = 'DELIVERED', amount = 230.50 WHERE order_id = 1",
                "DELETE FROM " + t.table + " WHERE order_id = 2");
        BatchPublisher publisher = new BatchPublisher(TestSpark.session(), t.config);
        Optional<ChangeWatermark> after = Optional.empty();
        Optional<SourceDatabase.Batch> batch;
        try (SourceDatabase db = new SourceDatabase(t.config.postgres())) {
            while ((batch = db.nextChangeBatch(after, BATCH).batch()).isPresent()) {
                ChangeWatermark last = (ChangeWatermark) batch.get().last();
                publisher.publishChanges(after, last);
                after = Optional.of(last);
            }
        }
        ObjectMapper json = new ObjectMapper();
        Map<Long, String> byChange = new TreeMap<>();
        String update = null;
        for (ConsumerRecord<String, String> r : STACK.readTopic(t.config.kafka().topic())) {
            JsonNode e = json.readTree(r.value());
            assertEquals(e.get("order_id").asText(), r.key(), "keyed by order_id");
            assertEquals(null, byChange.put(e.get("change_id").asLong(), e.get("op").asText() + " " + r.key()),
                    "a change published twice: " + r.value());
            if (e.get("op").asText().equals("u")) {
                update = r.value();
            }
        }
        List<String> expected = new ArrayList<>(IntStream.rangeClosed(1, 10).mapToObj(i -> "r " + i).toList());
        expected.addAll(List.of("u 1", "d 2"));
        assertEquals(expected, List.copyOf(byChange.values()));
        long updateId;
        try (Connection c = STACK.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT change_id FROM " + t.changes + " WHERE op = 'u'")) {
            rs.next();
            updateId = rs.getLong(1);
        }
        assertTrue(update != null && update.startsWith("{\"order_id\":1,\"customer_name\":\"John Doe\","
                + "\"restaurant_name\":\"Burger Junction\",\"item\":\"Veg Burger\",\"amount\":230.50,"
                + "\"order_status\":\"DELIVERED\",\"created_at\":\"") && update.contains("Z\",\"op\":\"u\",\"change_id\":"
                + updateId + ",\"changed_at\":\""), update);
    }

    @Test
    void shouldSayWhatIsMissingBeforeAnythingIsRead() throws Exception {
        PipelineConfig bare = STACK.isolated("Changes_Checks", 100_000);
        String name = bare.postgres().table();
        ChangeCaptureChecks checks = new ChangeCaptureChecks(name, bare.postgres().user());
        String install = "run: psql \"postgresql://OWNER@HOST:PORT/DB\" -v table=" + name
                + " -f db/changes.sql (as the table's owner)";
        try (Connection c = STACK.connect()) {
            assertEquals(List.of("streaming.capture: changes, but change capture is not installed on " + name
                    + " (no table " + name + "_changes); " + install), checks.problems(c));
            SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c);
            assertEquals(List.of(), checks.problems(c));
            sql("ALTER TABLE " + q(name) + " DISABLE TRIGGER " + q(name + "_capture_row"),
                    "ALTER TABLE " + q(name) + " ENABLE TRIGGER " + q(name + "_capture_truncate"));
            assertEquals(List.of("trigger " + name + "_capture_row of " + name + " is disabled; " + install,
                    "trigger " + name + "_capture_truncate of " + name + " is not enabled ALWAYS (replica sessions' "
                            + "changes are missed); " + install), checks.problems(c));
            SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c);
            assertEquals(List.of(), checks.problems(c), "running the script again repairs it");
            sql("DROP TRIGGER " + q(name + "_capture_truncate") + " ON " + q(name));
            assertEquals(List.of("trigger " + name + "_capture_truncate of " + name + " is missing: changes are not "
                    + "captured; " + install), checks.problems(c));
            SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c);
            assertEquals(List.of(), checks.problems(c), "running the script again puts a dropped trigger back");

            // Behind a writer's open transaction: on a complete capture the script takes no lock (the
            // local stack runs it at every start, also behind a writer that holds its transaction).
            try (Connection writer = STACK.connect(); Statement w = writer.createStatement()) {
                writer.setAutoCommit(false);
                w.execute("UPDATE " + q(name) + " SET order_status = 'PREPARING' WHERE order_id = 1");
                long started = System.nanoTime();
                SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c);
                long seconds = (System.nanoTime() - started) / 1_000_000_000;
                assertTrue(seconds < 5, "a complete capture's run waited " + seconds + " s for the writer");
                writer.commit();
            }
            // On one that needs a repair the script gives up after 10 s, rather than hold every
            // writer behind its lock request for as long; once that transaction ends it runs.
            sql("ALTER TABLE " + q(name) + " DISABLE TRIGGER " + q(name + "_capture_row"));
            try (Connection writer = STACK.connect(); Statement w = writer.createStatement()) {
                writer.setAutoCommit(false);
                w.execute("UPDATE " + q(name) + " SET order_status = 'PREPARING' WHERE order_id = 1");
                long started = System.nanoTime();
                SQLException waited = assertThrows(SQLException.class,
                        () -> SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c));
                long seconds = (System.nanoTime() - started) / 1_000_000_000;
                assertTrue(waited.getMessage().contains("canceling statement due to lock timeout") && seconds < 20,
                        seconds + " s: " + waited.getMessage());
                writer.commit();
            }
            SqlScript.run(Repository.home().resolve("db/changes.sql"), Map.of("table", name), c);
            assertEquals(List.of(), checks.problems(c));
        }
    }

    @Test
    void shouldRefuseAChangeTableThatHandsOutChangeIdsTheHistoryHolds() throws Exception {
        Capture t = new Capture("changes_identity");
        java.nio.file.Path history = STACK.dir().resolve("changes_identity_history");
        SourceIdentity identity = SourceIdentity.ofChanges(t.config.postgres().table(), history.toString(),
                foodcdc.lake.LakeSource.file(history.toString(), new org.apache.hadoop.conf.Configuration()));
        Optional<ChangeWatermark> after = Optional.empty();
        try (SourceDatabase db = new SourceDatabase(t.config.postgres(), Optional.of(identity), true)) {
            assertEquals(List.of(), db.startProblems());
            identity.record(Optional.empty());
            SourceDatabase.Batch batch = db.nextChangeBatch(after, 100).batch().orElseThrow();
            assertEquals(10, batch.maxKey(), "the snapshot's change_ids: " + batch);
            identity.record(Optional.of(batch));
            after = Optional.of((ChangeWatermark) batch.last());

            // The sequence set back: the next change would reuse a change_id the history holds.
            String sequence = t.changes.substring(0, t.changes.length() - 1) + "_change_id_seq\"";
            sql("SELECT setval('" + sequence + "', 3)");
            ProducerJob.SourceUnfit reset = assertThrows(ProducerJob.SourceUnfit.class, () ->
                    db.nextChangeBatch(Optional.empty(), 100));
            assertTrue(reset.getMessage().contains("_change_id_seq of " + t.config.postgres().table()
                    + "_changes would hand out 4 next, not above 10") && reset.getMessage()
                    .contains("its new changes would reuse change_ids the history holds"), reset.getMessage());
            sql("SELECT setval('" + sequence + "', 10)");
            assertEquals(List.of(), db.startProblems(), "moved on again, as the message says");

            // A trigger disabled while the producer runs: refused at the next poll, not only at the next start.
            sql("ALTER TABLE " + t.table + " DISABLE TRIGGER " + q(t.config.postgres().table() + "_capture_row"));
            ProducerJob.SourceUnfit disabled = assertThrows(ProducerJob.SourceUnfit.class, () ->
                    db.nextChangeBatch(Optional.empty(), 100));
            assertTrue(disabled.getMessage().contains("_capture_row of " + t.config.postgres().table() + " is disabled"),
                    disabled.getMessage());
            t.install();

            // Rows restored from another cluster, with transaction ids this one has not handed out.
            sql("INSERT INTO " + t.changes + " (op, order_id, xid) VALUES ('u', 1, '999999999999'::xid8)");
            ProducerJob.SourceUnfit restored = assertThrows(ProducerJob.SourceUnfit.class, () ->
                    db.nextChangeBatch(Optional.empty(), 100));
            assertTrue(restored.getMessage().contains("holds changes with transaction ids this server has not handed "
                    + "out yet"), restored.getMessage());
            sql("DELETE FROM " + t.changes + " WHERE xid = '999999999999'::xid8");

            // Dropped and installed again: a new change table, its change_ids from 1.
            sql("DROP TABLE " + t.changes + " CASCADE");
            t.install();
            List<String> anew = db.startProblems();
            assertEquals(1, anew.size(), anew.toString());
            assertTrue(anew.get(0).contains("table " + t.config.postgres().table() + "_changes was created anew")
                    && anew.get(0).contains("Start a new pipeline"), anew.get(0));
        }
    }

    @Test
    void shouldCaptureAsTheLeastPrivilegeRoleOfDbProducerRoleSqlWhichCannotWriteOrPrune() throws Exception {
        Capture t = new Capture("changes_least_privilege");
        try (Connection c = STACK.connect()) {
            SqlScript.run(Repository.home().resolve("db/producer_role.sql"), Map.of("table", t.config.postgres().table(),
                    "role", "changes_producer", "password", "producer-secret"), c);
        }
        PipelineConfig.Postgres role = t.config.postgres().withLogin("changes_producer", "producer-secret");
        try (Connection c = java.sql.DriverManager.getConnection(role.jdbcUrl(), role.user(), role.password());
             Statement s = c.createStatement()) {
            SQLException denied = assertThrows(SQLException.class, () -> s.execute("DELETE FROM " + t.changes));
            assertEquals("42501", denied.getSQLState(), "the producer's role must not prune");
        }
        java.nio.file.Path history = STACK.dir().resolve("changes_least_privilege_history");
        SourceIdentity identity = SourceIdentity.ofChanges(role.table(), history.toString(),
                foodcdc.lake.LakeSource.file(history.toString(), new org.apache.hadoop.conf.Configuration()));
        try (SourceDatabase db = new SourceDatabase(role, Optional.of(identity), true)) {
            assertEquals(List.of(), db.startProblems(), "reads the change table and its sequence");
            assertEquals(10, db.nextChangeBatch(Optional.empty(), 100).batch().orElseThrow().rows());
        }
    }

    private static String q(String identifier) {
        return foodcdc.sql.SqlIdentifier.quote(identifier);
    }
}
