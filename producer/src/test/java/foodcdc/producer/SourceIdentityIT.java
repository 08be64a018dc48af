package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.awaitTopicHoldsTheTable;
import static foodcdc.producer.TableAndTopic.keysInTopic;
import static foodcdc.producer.TableAndTopic.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.LocalStack;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The source under a lake changes the ways operators change it: the cluster re-initialised (its
 * data folder deleted, as for a forgotten password), the table reset (TRUNCATE … RESTART
 * IDENTITY) while the producer runs or while it is stopped, the table created anew, and the same
 * data moved to a new table. Each would hand out order_ids the lake already holds, whose new
 * orders the consumer would drop as copies: the producer script must stop with exit 3 and the
 * line that says what changed, publishing none of them; accept_source.sh takes the moved data.
 */
class SourceIdentityIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(120);

    private static Path configFile(ThrowawayStack stack, PipelineConfig c, String name) throws Exception {
        return ConfigWriter.write(c, stack.dir().resolve(name + ".yml"));
    }

    /**
     * Runs the producer until the topic holds the table's 10 sample orders and it has recorded
     * that batch (its log line comes after the watermark and the lake's record), then stops it.
     */
    private static void publishTheTable(ThrowawayStack stack, PipelineConfig c, Path config, Path log) throws Exception {
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log)) {
            awaitTopicHoldsTheTable(stack, c, WAIT);
            producer.awaitLine("Published 10 rows", WAIT);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
        }
    }

    /** Starts the producer script; it must end by itself with exit 3; its output. */
    private static String refused(Path config, Path log) throws Exception {
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log)) {
            assertEquals(3, producer.awaitExit(WAIT), producer.launchOutput());
            return producer.launchOutput();
        }
    }

    private static void sql(ThrowawayStack stack, String... statements) throws Exception {
        try (Connection conn = stack.connect(); Statement s = conn.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static String insert(PipelineConfig c, int n) {
        return "INSERT INTO " + table(c) + " (customer_name, restaurant_name, item, amount, order_status) "
                + "SELECT 'New ' || g, 'R', 'I', 3.00, 'PLACED' FROM generate_series(1, " + n + ") g";
    }

    @Test
    void shouldRefuseAReInitialisedClusterUnderTheLake() throws Exception {
        try (ThrowawayStack stack = ThrowawayStack.create("reinit").start(false)) {
            PipelineConfig c = stack.config();
            Path log = stack.dir().resolve("producer.log");
            publishTheTable(stack, c, stack.configFile(), log);
            // What README's troubleshooting once said for a forgotten password: delete the data folder.
            stack.stack().stop(LocalStack.POSTGRES);
            try (Stream<Path> files = Files.walk(stack.stack().postgresDataDir())) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            stack.start(false);   // initdb, db/orders.sql: the 10 sample orders, ids 1-10 again
            sql(stack, insert(c, 20));

            String out = refused(stack.configFile(), log);
            assertTrue(out.contains("Producer cannot start: postgres.jdbc_url reaches another PostgreSQL cluster "
                    + "(system identifier "), out);
            assertTrue(out.contains("its new orders would reuse order_ids the lake holds and be dropped as copies. If "
                    + "it holds the same data moved (a dump and restore, pg_upgrade, a snapshot restore), run "
                    + "scripts/accept_source.sh with the producer's config; otherwise start a new lake: point "
                    + "datalake.path, streaming.checkpoint_location and streaming.last_processed_timestamp_location at "
                    + "new folders and kafka.topic at a new topic"), out);
            assertEquals(10, keysInTopic(stack, c).size(), "nothing of the new cluster published");
        }
    }

    @Test
    void shouldRefuseATableResetWhetherItsSequenceIsBehindOrPastTheLastPublishedOrder() throws Exception {
        // Stopped, reset, and 20 new orders: the sequence is past the lake's, but order_id 10 is another order.
        PipelineConfig c = STACK.isolated("reset_stopped", 100_000);
        Path config = configFile(STACK, c, "reset_stopped");
        Path log = STACK.dir().resolve("reset_stopped.log");
        publishTheTable(STACK, c, config, log);
        sql(STACK, "TRUNCATE " + table(c) + " RESTART IDENTITY", insert(c, 20));
        String out = refused(config, log);
        assertTrue(out.matches("(?s).*Producer cannot start: order_id \\d+ of reset_stopped_orders is another order now "
                + "\\(created_at [^;]+; the lake \\S+ holds it with created_at [^)]+\\): the table was reset \\(TRUNCATE "
                + "… RESTART IDENTITY, a restore from an older backup\\) and its new orders would reuse order_ids the lake "
                + "holds and be dropped as copies\\. Start a new lake: point datalake\\.path.*"), out);
        assertEquals(10, keysInTopic(STACK, c).size(), "none of the 20 new orders published");

        // Running, reset: the next poll finds the sequence behind the lake's and the producer stops by itself.
        PipelineConfig r = STACK.isolated("reset_running", 100_000);
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", configFile(STACK, r, "reset_running"),
                STACK.dir().resolve("reset_running.log"))) {
            awaitTopicHoldsTheTable(STACK, r, WAIT);
            producer.awaitLine("Published 10 rows", WAIT);
            sql(STACK, "TRUNCATE " + table(r) + " RESTART IDENTITY; " + insert(r, 3));   // one transaction
            assertEquals(3, producer.awaitExit(WAIT), producer.launchOutput());
            assertTrue(producer.launchOutput().matches("(?s).*Producer cannot go on: the order_id sequence "
                    + "public\\.reset_running_orders_order_id_seq of reset_running_orders would hand out 4 next, not "
                    + "above 10 which the lake \\S+ holds: the table was reset.*"), producer.launchOutput());
            assertTrue(producer.launchOutput().contains("If its rows are the lake's (a restore from an older backup), "
                    + "move the sequence on: SELECT setval('public.reset_running_orders_order_id_seq', 10); otherwise "
                    + "start a new lake"), producer.launchOutput());
        }
        assertEquals(10, keysInTopic(STACK, r).size(), "none of the 3 new orders published");
    }

    @Test
    void shouldRefuseATableCreatedAnew() throws Exception {
        PipelineConfig c = STACK.isolated("recreated", 100_000);
        Path config = configFile(STACK, c, "recreated");
        Path log = STACK.dir().resolve("recreated.log");
        publishTheTable(STACK, c, config, log);
        sql(STACK, "DROP TABLE " + table(c));
        STACK.stack().createSource(c);   // db/orders.sql again: the 10 sample orders, ids 1-10, another OID
        String out = refused(config, log);
        assertTrue(out.contains("Producer cannot start: table recreated_orders was created anew (OID "), out);
        assertTrue(out.contains("If it holds the same data moved (a dump and restore, pg_upgrade, a snapshot "
                + "restore), run scripts/accept_source.sh"), out);
        assertEquals(10, keysInTopic(STACK, c).size(), "nothing of the new table published");
    }
}
