package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.LocalStack;
import foodcdc.stack.ScriptProcess;
import foodcdc.stack.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Kafka and then PostgreSQL go away under a running producer: it says what it waits for,
 * retries, and once they are back publishes every row, without a gap. Uses a stack of its own,
 * since it stops services.
 */
class ProducerOutageIT {

    @Test
    void shouldWaitOutKafkaAndPostgresOutagesAndResumeWithoutLoss() throws Exception {
        try (TestStack stack = TestStack.create("outage").start(false)) {
            PipelineConfig c = stack.config();
            Path log = stack.dir().resolve("producer.log");
            ScriptProcess producer = ScriptProcess.launch("producer_spark_submit.sh", stack.configFile(), log);
            try {
                await("the 10 sample orders published", () -> logContains(log, "Published 10 rows"), 120);

                stack.stack().stop(LocalStack.KAFKA);
                insert(stack, c, 5);
                await("the producer waiting for Kafka", () -> logContains(log, "Waiting for Kafka at " + c.kafka().brokers()), 90);
                stack.start(false);
                await("every row in the topic after Kafka is back", () -> allPublished(stack, c), 120);

                stack.stack().stop(LocalStack.POSTGRES);
                await("the producer waiting for PostgreSQL", () -> logContains(log,
                        "Waiting for PostgreSQL at " + c.postgres().host() + ":" + c.postgres().port()), 60);
                stack.start(false);
                insert(stack, c, 5);
                await("every row in the topic after PostgreSQL is back", () -> allPublished(stack, c), 120);
            } finally {
                assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
            }
            // What a user reads during the outages, for the test report.
            Files.readAllLines(log).stream().filter(l -> l.contains("Waiting for") || l.contains("Published"))
                    .forEach(l -> System.out.println("producer: " + l));
            assertEquals(20, ids(stack, c).size());
            assertEquals(ids(stack, c), keys(stack, c));
            assertTrue(!Files.readString(log).contains(c.postgres().password()), "password logged");
        }
    }

    private static void insert(TestStack stack, PipelineConfig c, int rows) throws Exception {
        try (Connection conn = stack.connect(); Statement s = conn.createStatement()) {
            s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) "
                    + "SELECT 'Outage ' || g, 5.00 FROM generate_series(1, " + rows + ") g");
        }
    }

    private static Set<Integer> ids(TestStack stack, PipelineConfig c) throws Exception {
        Set<Integer> ids = new TreeSet<>();
        try (Connection conn = stack.connect(); Statement s = conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id FROM \"" + c.postgres().table() + "\"")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    private static Set<Integer> keys(TestStack stack, PipelineConfig c) {
        Set<Integer> keys = new TreeSet<>();
        stack.readTopic(c.kafka().topic()).forEach(r -> keys.add(Integer.parseInt(r.key())));
        return keys;
    }

    private static boolean allPublished(TestStack stack, PipelineConfig c) {
        try {
            return keys(stack, c).containsAll(ids(stack, c));
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean logContains(Path log, String text) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + seconds + " s waiting for " + what);
            }
            Thread.sleep(500);
        }
    }
}
