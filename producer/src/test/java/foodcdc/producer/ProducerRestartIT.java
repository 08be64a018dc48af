package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.idsInTable;
import static foodcdc.producer.TableAndTopic.keysInTopic;
import static foodcdc.producer.TableAndTopic.table;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The producer as users run it (scripts/producer_spark_submit.sh, a separate JVM), killed with
 * SIGKILL at arbitrary moments while it works off a backlog, then restarted: the topic may hold
 * duplicates, never a gap.
 */
class ProducerRestartIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    @Test
    void shouldNeverLeaveAGapWhenKilledWithSigkillAndRestarted() throws Exception {
        PipelineConfig c = STACK.isolated("restart", 2_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("restart.yml"));
        Path log = STACK.dir().resolve("restart-producer.log");
        insert(c, 10, 2_000);

        Random random = new Random(42);
        for (int run = 0; run < 3; run++) {
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log)) {
                producer.awaitLine("Producer started", Duration.ofSeconds(120));
                // Somewhere in the start-up, a poll, the Kafka write or the watermark write.
                Thread.sleep(500 + random.nextInt(4_000));
                producer.kill();
            }
            insert(c, 2, 1_000);   // new rows arrive while it is down
        }

        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log)) {
            Set<Integer> expected = idsInTable(STACK, c);
            Wait.every(Duration.ofSeconds(2)).look(() -> {
                producer.assertAlive();
                return new TreeSet<>(keysInTopic(STACK, c));
            }, keys -> keys.containsAll(expected), Duration.ofSeconds(180), "every row of the table in the topic");
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");   // a clean stop
            String output = producer.output();
            assertTrue(output.contains("Producer stopped at watermark"), "clean stop on SIGTERM");
            assertFalse(output.contains(c.postgres().password()), "the password must never be logged");
        }
        List<Integer> keys = keysInTopic(STACK, c);
        assertEquals(idsInTable(STACK, c), new TreeSet<>(keys), "exactly the table's orders, no gap");
        assertEquals(26_010, new TreeSet<>(keys).size());
    }

    private static void insert(PipelineConfig c, int transactions, int rowsEach) throws Exception {
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
            for (int t = 0; t < transactions; t++) {
                s.execute("INSERT INTO " + table(c)
                        + " (customer_name, restaurant_name, item, amount, order_status) "
                        + "SELECT 'Backlog ' || g, 'Bulk Kitchen', 'Item', 9.99, 'PLACED' "
                        + "FROM generate_series(1, " + rowsEach + ") g");
            }
        }
    }
}
