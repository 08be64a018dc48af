package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The assignment's evaluation, automated, with the scripts a user runs: the sample orders reach
 * the lake; insert 5, validate; insert 5, validate; stop and restart both jobs; insert 5,
 * validate. Then the validation must catch a rejected row and a deleted lake file. An
 * independent reader (DuckDB) checks for duplicates at every step.
 */
class PipelineEvaluationIT {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    @Test
    void shouldPassTheEvaluationStepByStep() throws Exception {
        PipelineConfig c = STACK.isolated("evaluation", 100_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("evaluation.yml"));
        Path log = STACK.dir().resolve("evaluation.log");
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            LakeFiles.awaitOrders(c.datalake().path(), 10, WAIT); // the sample orders
            assertEquals(List.of(), commandLinesContaining(c.postgres().password()), "the password is in `ps` output");
            assertValid(config, "CONSISTENT", "PostgreSQL: 10 rows, 10 valid, 0 invalid");
            run("insert_test_data.sh", config);
            LakeFiles.awaitOrders(c.datalake().path(), 15, WAIT);
            assertValid(config, "CONSISTENT", "Lake: 15 rows");
            run("insert_test_data.sh", config);
            LakeFiles.awaitOrders(c.datalake().path(), 20, WAIT);
            assertValid(config, "CONSISTENT", "Lake: 20 rows");

            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop");
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop");
        }
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            run("insert_test_data.sh", config);
            LakeFiles.awaitOrders(c.datalake().path(), 25, WAIT);
            assertValid(config, "CONSISTENT", "Lake: 25 rows");

            // A row the cleaning rules reject: the report says so, and it is still consistent.
            try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
                s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) VALUES ('Refund', -5.00)");
            }
            OrderRows.awaitQuarantined(c.datalake().path(), 1, WAIT, producer, consumer);
            assertValid(config, "CONSISTENT", "PostgreSQL: 26 rows, 25 valid, 1 invalid {negative_amount=1}",
                    "Quarantine: 1 records {negative_amount=1}");
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
        assertFalse(Files.readString(log).contains(c.postgres().password()), "the password is in a job's output");
    }

    /** The PIDs whose command line (what `ps` shows) contains {@code text}. */
    private static List<String> commandLinesContaining(String text) throws Exception {
        try (var procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    return new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(text);
                } catch (java.io.IOException e) {
                    return false; // ended meanwhile
                }
            }).map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void assertValid(Path config, String... lines) throws Exception {
        String report = validate(config, 0);
        for (String line : lines) {
            assertTrue(report.contains(line), "'" + line + "' not in:\n" + report);
        }
    }

    private static String validate(Path config, int expectedExit) throws Exception {
        JobProcess.Finished validated = JobProcess.run("validate_pipeline.sh", config, Duration.ofSeconds(120));
        assertEquals(expectedExit, validated.exit(), validated.all());
        return validated.stdout();
    }

    private static void run(String script, Path config) throws Exception {
        JobProcess.Finished finished = JobProcess.run(script, config, Duration.ofSeconds(60));
        assertEquals(0, finished.exit(), finished.all());
    }
}
