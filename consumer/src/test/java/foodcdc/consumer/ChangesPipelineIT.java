package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Change capture ({@code streaming.capture: changes}) end to end, through both job scripts: the
 * local stack installs db/changes.sql, the producer publishes the change table, the consumer
 * writes the change history {@code <datalake.path>_changes}. Orders go through their life
 * (statuses in separate transactions, two updates in one, a delete, a new order, an update to a
 * negative amount, a burst of 1,000 updates to one order, an update committed 15 s after it
 * started while others are published, insert_test_data.sh --advance), all while a report reads
 * in one transaction for 120 s.
 * Then the history holds every change of the change
 * table exactly once with its values (the invalid one in the quarantine with its reason), read
 * by DuckDB, and the documented current-state view (docs/sql/orders_now.duckdb.sql) equals the
 * table; validate_pipeline.sh says the same.
 */
class ChangesPipelineIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final int BURST = 1_000;

    @Test
    void shouldLandEveryChangeOnceAndTheCurrentStateOfEveryOrder() throws Exception {
        PipelineConfig c = STACK.isolated("changes_pipeline", 100_000, "changes");
        String table = "\"" + c.postgres().table() + "\"";
        String history = LakeLayout.changeHistory(c.datalake().path());
        Path config = ConfigWriter.write(c, STACK.dir().resolve("changes_pipeline.yml"));
        Path log = STACK.dir().resolve("changes_pipeline.log");
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log);
             Connection db = STACK.connect(); Statement s = db.createStatement();
             Connection late = STACK.connect(); Statement l = late.createStatement();
             Connection report = STACK.connect(); Statement r = report.createStatement()) {
            // A report that reads in one read-only transaction for 120 s, all through: it has no
            // transaction id and must delay nothing.
            long reportStarted = System.nanoTime();
            report.setAutoCommit(false);
            report.setReadOnly(true);
            r.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            r.executeQuery("SELECT count(*) FROM " + table).close();
            awaitChanges(history, 10, producer, consumer);   // the snapshot of the 10 sample orders
            assertEquals(0, LakeFiles.parquetFiles(c.datalake().path()).length, "nothing in the insert mode's lake");

            for (int id = 1; id <= 5; id++) {   // a lifecycle, one transaction per status
                s.execute("UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = " + id);
                s.execute("UPDATE " + table + " SET order_status = 'DELIVERED' WHERE order_id = " + id);
            }
            db.setAutoCommit(false);   // two updates of one order in one transaction
            s.execute("UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = 6");
            s.execute("UPDATE " + table + " SET order_status = 'CANCELLED' WHERE order_id = 6");
            db.commit();
            db.setAutoCommit(true);
            s.execute("DELETE FROM " + table + " WHERE order_id = 7");
            s.execute("UPDATE " + table + " SET amount = -5.00 WHERE order_id = 8");   // breaks a cleaning rule
            s.execute("INSERT INTO " + table + " (customer_name, restaurant_name, item, amount, order_status) "
                    + "VALUES ('Nia Brown', 'Sushi Zen', 'Maki Set', 31.00, 'PLACED')");
            for (int i = 1; i <= BURST; i++) {   // a burst of updates to one order, each its own transaction
                s.execute("UPDATE " + table + " SET amount = " + i + ".00 WHERE order_id = 1");
            }

            // A transaction that stays open 15 s: others' changes land meanwhile, its own once it commits.
            long opened = System.nanoTime();
            late.setAutoCommit(false);
            l.execute("UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = 9");
            s.execute("UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = 10");
            // Every committed change but the quarantined one (the late one is not committed: not counted).
            long meanwhile = changeCount(s, c) - 1;
            awaitChanges(history, meanwhile, producer, consumer);
            assertFalse(ChangeRows.inHistory(history).values().stream().anyMatch(v -> v.matches("\\d+ u 9 PREPARING .*")),
                    "an uncommitted change in the lake");
            Thread.sleep(Math.max(0, Duration.ofSeconds(15).toMillis() - (System.nanoTime() - opened) / 1_000_000));
            late.commit();

            // The tool's lifecycle step: the three unfinished orders (9, 10, 11) move on, the oldest finished (1) goes.
            JobProcess.Finished advanced = JobProcess.run("insert_test_data.sh", List.of("--config", config.toString(),
                    "--advance", "3"), Map.of(), Duration.ofSeconds(60));
            assertEquals(0, advanced.exit(), advanced.all());
            assertTrue(advanced.all().contains("Moved 3 orders of "), advanced.all());

            Map<Long, String> expected = ChangeRows.inChangeTable(STACK::connect, c, ChangeRows.VALID);
            Map<Long, String> invalid = ChangeRows.inChangeTable(STACK::connect, c, ChangeRows.INVALID);
            assertEquals(1, invalid.size(), "the update to a negative amount: " + invalid);
            assertEquals(10 + 10 + 2 + 1 + 1 + BURST + 2 + 3 + 1, expected.size(), "the change table, valid changes");
            awaitChanges(history, expected.size(), producer, consumer);
            assertEquals(expected, ChangeRows.inHistory(history), "the history: every valid change once, with its values");
            OrderRows.awaitQuarantined(history, 1, WAIT, producer, consumer);
            assertEquals(Map.of(8, "negative_amount"), OrderRows.quarantined(history));
            assertEquals(Map.of(invalid.keySet().iterator().next(), "negative_amount"), ChangeRows.quarantined(history));

            List<String> now = ChangeRows.currentState(STACK::connect, c, "order_id <> 8");
            assertEquals(8, now.size(), "1 to 11 but the deleted 1 and 7 and the quarantined 8: " + now);
            assertEquals(now, ChangeRows.viewed(history, "order_id <> 8"), "the documented view of the current state, "
                    + "every column");
            List<String> eight = ChangeRows.viewed(history, "order_id = 8");
            assertTrue(eight.size() == 1 && eight.get(0).contains(" 315.40 DELIVERED "),
                    "an order whose latest change is quarantined: as it was before it (docs/CHANGES.md): " + eight);

            // The validator reconciles the same, in this mode (while the report still reads).
            JobProcess.Finished validated = JobProcess.run("validate_pipeline.sh", config, Duration.ofSeconds(120));
            assertEquals(0, validated.exit(), validated.all());
            assertTrue(validated.stdout().contains("PostgreSQL: " + (expected.size() + 1) + " changes")
                    && validated.stdout().contains("CONSISTENT: every valid change is in the history exactly once"),
                    validated.stdout());

            // Pruning deletes: the producer's read-only role is refused, naming the grant, and nothing goes.
            foodcdc.stack.SqlScript.run(foodcdc.stack.Repository.home().resolve("db/producer_role.sql"), Map.of("table",
                    c.postgres().table(), "role", "changes_reader", "password", "reader-secret"), db);
            JobProcess.Finished refused = JobProcess.run("prune_changes.sh", List.of("--config", config.toString()),
                    Map.of("ORDERS_POSTGRES_USER", "changes_reader", "ORDERS_POSTGRES_PASSWORD", "reader-secret"),
                    Duration.ofSeconds(120));
            assertEquals(3, refused.exit(), refused.all());
            assertTrue(refused.stderr().contains("role changes_reader may not delete from " + c.postgres().table()
                    + "_changes") && refused.stderr().contains("Nothing was deleted"), refused.all());
            assertEquals(expected.size() + 1, changeCount(s, c));

            // 120 s into the report, still open: a change lands as promptly as ever.
            Thread.sleep(Math.max(0, Duration.ofSeconds(120).toMillis() - (System.nanoTime() - reportStarted) / 1_000_000));
            long changed = System.nanoTime();
            s.execute("UPDATE " + table + " SET order_status = 'DELIVERED' WHERE order_id = 10");
            awaitChanges(history, expected.size() + 1, producer, consumer);
            long seconds = (System.nanoTime() - changed) / 1_000_000_000;
            assertTrue(seconds < 30, "a change took " + seconds + " s with a report open for 120 s");
            r.executeQuery("SELECT count(*) FROM " + table).close();
            report.commit();

            // Pruning: what the history (or its quarantine) holds leaves the change table; then all still adds up.
            JobProcess.Finished pruned = JobProcess.run("prune_changes.sh", config, Duration.ofSeconds(120));
            assertEquals(0, pruned.exit(), pruned.all());
            assertTrue(pruned.stdout().contains("Pruned " + (expected.size() + 2) + " changes from "), pruned.stdout());
            assertEquals(0, changeCount(s, c), "everything consumed is pruned");
            s.execute("UPDATE " + table + " SET order_status = 'CANCELLED' WHERE order_id = 11");
            awaitChanges(history, expected.size() + 2, producer, consumer);
            JobProcess.Finished again = JobProcess.run("validate_pipeline.sh", config, Duration.ofSeconds(120));
            assertEquals(0, again.exit(), again.all());
            assertTrue(again.stdout().contains("PostgreSQL: 1 changes") && again.stdout().contains("pruned"),
                    again.stdout());
        }

        // With the jobs stopped: a second prune while one runs (its lock held here) is refused, and so is a
        // change table installed anew, whose change_ids are not the history's; neither deletes anything.
        String changes = c.postgres().table() + "_changes";
        try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('prune_changes " + changes + "'))");
            JobProcess.Finished busy = JobProcess.run("prune_changes.sh", config, Duration.ofSeconds(120));
            assertEquals(3, busy.exit(), busy.all());
            assertTrue(busy.stderr().contains("prune_changes.sh: another prune_changes.sh is pruning " + changes
                    + ". Nothing was deleted"), busy.all());
            s.execute("SELECT pg_advisory_unlock(hashtext('prune_changes " + changes + "'))");
            s.execute("DROP TABLE \"" + changes + "\"");
            foodcdc.stack.SqlScript.run(foodcdc.stack.Repository.home().resolve("db/changes.sql"),
                    Map.of("table", c.postgres().table()), db);
            long installed = changeCount(s, c);
            JobProcess.Finished foreign = JobProcess.run("prune_changes.sh", config, Duration.ofSeconds(120));
            assertEquals(3, foreign.exit(), foreign.all());
            assertTrue(foreign.stderr().contains(changes + " is not the change table the change history was built from")
                    && foreign.stderr().contains("Nothing was deleted"), foreign.all());
            assertEquals(installed, changeCount(s, c), "nothing pruned from the new change table");
        }
    }

    private static long changeCount(Statement s, PipelineConfig c) throws Exception {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM \"" + c.postgres().table() + "_changes\"")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static void awaitChanges(String history, long n, JobProcess... jobs) throws Exception {
        Wait.every(Duration.ofMillis(500)).look(() -> {
            for (JobProcess job : jobs) {
                job.assertAlive();
            }
            return ChangeRows.inHistory(history).size();
        }, size -> size >= n, WAIT, n + " changes in the history " + history);
    }
}
