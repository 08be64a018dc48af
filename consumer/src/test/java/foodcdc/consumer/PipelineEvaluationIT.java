package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.ScriptProcess;
import foodcdc.stack.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The assignment's evaluation, automated, with the scripts a user runs: the sample orders reach
 * the lake; insert 5, validate; insert 5, validate; stop and restart both jobs; insert 5,
 * validate. Then the validation must catch a rejected row and a deleted lake file. An
 * independent reader (DuckDB) checks for duplicates at every step.
 */
class PipelineEvaluationIT {
    private static final TestStack STACK = TestStack.shared();

    @Test
    void shouldPassTheEvaluationStepByStep() throws Exception {
        PipelineConfig c = STACK.isolated("evaluation", 100_000);
        Path config = TestStack.writeConfig(c, STACK.dir().resolve("evaluation.yml"));
        Path log = STACK.dir().resolve("evaluation.log");
        ScriptProcess producer = ScriptProcess.launch("producer_spark_submit.sh", config, log);
        ScriptProcess consumer = ScriptProcess.launch("consumer_spark_submit.sh", config, log);
        try {
            awaitLakeOrders(c, 10);                       // the sample orders
            assertValid(config, "CONSISTENT", "PostgreSQL: 10 rows, 10 valid, 0 invalid");
            run("insert_test_data.sh", config);
            awaitLakeOrders(c, 15);
            assertValid(config, "CONSISTENT", "Lake: 15 rows");
            run("insert_test_data.sh", config);
            awaitLakeOrders(c, 20);
            assertValid(config, "CONSISTENT", "Lake: 20 rows");

            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop");
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop");
            producer = ScriptProcess.launch("producer_spark_submit.sh", config, log);
            consumer = ScriptProcess.launch("consumer_spark_submit.sh", config, log);
            run("insert_test_data.sh", config);
            awaitLakeOrders(c, 25);
            assertValid(config, "CONSISTENT", "Lake: 25 rows");

            // A row the cleaning rules reject: the report says so, and it is still consistent.
            try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
                s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) VALUES ('Refund', -5.00)");
            }
            awaitQuarantined(c, 1);
            assertValid(config, "CONSISTENT", "PostgreSQL: 26 rows, 25 valid, 1 invalid {negative_amount=1}",
                    "Quarantine: 1 records {negative_amount=1}");
        } finally {
            producer.stop(Duration.ofSeconds(60));
            consumer.stop(Duration.ofSeconds(60));
        }
        // A lake file deleted by hand: the report names the missing orders and exits 1.
        Path file;
        try (var files = Files.walk(Path.of(c.datalake().path()))) {
            file = files.filter(f -> f.toString().endsWith(".parquet")).sorted().findFirst().orElseThrow();
        }
        Files.delete(file);
        String report = validate(config, 1);
        assertTrue(report.contains("PROBLEM: ") && report.contains(" valid orders missing from the lake: "), report);
        assertTrue(report.contains("NOT CONSISTENT"), report);
    }

    private static void assertValid(Path config, String... lines) throws Exception {
        String report = validate(config, 0);
        for (String line : lines) {
            assertTrue(report.contains(line), "'" + line + "' not in:\n" + report);
        }
    }

    private static String validate(Path config, int expectedExit) throws Exception {
        Process p = new ProcessBuilder("bash", TestStack.home().resolve("scripts/validate_pipeline.sh").toString(),
                "--config", config.toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "validate_pipeline.sh did not finish");
        assertEquals(expectedExit, p.exitValue(), out);
        return out;
    }

    private static void run(String script, Path config) throws Exception {
        Process p = new ProcessBuilder("bash", TestStack.home().resolve("scripts").resolve(script).toString(),
                "--config", config.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    /** Waits until DuckDB, listing the files, sees {@code n} orders, never a duplicate on the way. */
    private static void awaitLakeOrders(PipelineConfig c, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        long[] seen = {0, 0};
        while (seen[1] < n) {
            assertTrue(System.nanoTime() < deadline, "only " + seen[1] + " of " + n + " orders in the lake");
            Thread.sleep(500);
            seen = count(c.datalake().path(), "count(DISTINCT order_id)");
            assertEquals(seen[0], seen[1], "a reader saw a duplicate");
        }
        assertEquals(n, seen[0]);
    }

    private static void awaitQuarantined(PipelineConfig c, long n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (count(c.datalake().path() + "_quarantine", "count(*)")[0] < n) {
            assertTrue(System.nanoTime() < deadline, "nothing quarantined within 120 s");
            Thread.sleep(500);
        }
    }

    private static long[] count(String dir, String second) throws Exception {
        if (ConsumerIT.parquetFiles(dir).length == 0) {
            return new long[] {0, 0};
        }
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*), " + second + " FROM read_parquet('" + dir
                     + "/**/*.parquet', hive_partitioning = true)")) {
            rs.next();
            return new long[] {rs.getLong(1), rs.getLong(2)};
        }
    }
}
