package foodcdc.consumer;

import static foodcdc.consumer.TopicEvents.event;
import static foodcdc.consumer.TopicEvents.send;
import static foodcdc.consumer.TopicEvents.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The consumer as users run it (scripts/consumer_spark_submit.sh, its own JVM), killed with
 * SIGKILL mid-stream and restarted. An independent reader (DuckDB, listing the files) must see
 * every order exactly once at the end, and never a duplicate at any moment in between.
 */
class ConsumerRestartIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final int ORDERS = 20_000;

    @Test
    void shouldShowEveryOrderOnceToAFileListingReaderAcrossSigkillAndRestart() throws Exception {
        PipelineConfig base = STACK.isolated("consumer_restart", 100_000);
        PipelineConfig c = base.withStreaming(base.streaming().withTrigger(200, 1_500));
        Path config = ConfigWriter.write(c, STACK.dir().resolve("consumer_restart.yml"));
        Path log = STACK.dir().resolve("consumer_restart.log");

        // Orders over three days; the first 2,000 sent twice, as an at-least-once producer may.
        List<byte[]> events = new ArrayList<>();
        for (int id = 1; id <= ORDERS; id++) {
            String day = "2025-11-" + (18 + id % 3);
            events.add(utf8(event(id, "9.99", day + "T10:00:00.000001Z")));
            if (id <= 2_000) {
                events.add(utf8(event(id, "9.99", day + "T10:00:00.000001Z")));
            }
        }
        send(c, events);

        Random random = new Random(7);
        // Kill 1: a little after batch 2 ended, in batch 3's write or commit. Kill 2: during start-up or batch 0.
        for (String killAfter : List.of("Batch 2:", "Consumer started")) {
            try (JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
                consumer.awaitLine(killAfter, Duration.ofSeconds(120));
                Thread.sleep(random.nextInt(2_500));
                consumer.kill();
            }
            LakeFiles.Counts seen = LakeFiles.rowsAndOrders(c.datalake().path());
            assertFalse(seen.sawDuplicate(), "a reader saw a duplicate after a kill: " + seen);
        }

        try (JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            // Every order exactly once; a duplicate seen at any moment, or the consumer's end, fails at once.
            LakeFiles.awaitOrders(c.datalake().path(), ORDERS, Duration.ofSeconds(240), consumer);
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");
        }
        Files.readAllLines(log).stream().filter(l -> l.contains("Batch ") || l.contains("=== launch"))
                .forEach(l -> System.out.println("consumer: " + l));
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement st = duck.createStatement();
             ResultSet rs = st.executeQuery("SELECT typeof(created_at), epoch_us(created_at), CAST(date AS VARCHAR), "
                     + "typeof(amount) FROM read_parquet('" + c.datalake().path() + "/**/*.parquet', "
                     + "hive_partitioning = true) WHERE order_id = 7")) {
            assertTrue(rs.next());
            assertTrue(rs.getString(1).startsWith("TIMESTAMP"), rs.getString(1));
            assertEquals(java.time.Instant.parse("2025-11-19T10:00:00.000001Z").toEpochMilli() * 1000 + 1, rs.getLong(2));
            assertEquals("2025-11-19", rs.getString(3));
            assertEquals("DECIMAL(10,2)", rs.getString(4));
        }
    }
}
