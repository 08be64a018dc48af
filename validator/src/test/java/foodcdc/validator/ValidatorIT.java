package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.consumer.LakeFiles;
import foodcdc.consumer.OrderRows;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * validate_pipeline.sh against the real stack, fed by the real producer and consumer: it says
 * CONSISTENT for what the pipeline wrote, and it is not fooled by lake files that another tool
 * changed. The files are changed as a user's tool would: DuckDB writes a new file, which is
 * then moved over the original (beside a .crc sidecar as an earlier version left them), keeping the
 * lake's column types so that the lake stays readable; and files nobody can read as the lake's
 * (empty, truncated, another column type), which the consumer leaves alone and the validator names.
 */
class ValidatorIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final Duration VALIDATE_TIMEOUT = Duration.ofSeconds(180);
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    /** An order_id the table never reaches (SERIAL from 1; the test inserts 11 rows). */
    private static final int UNKNOWN_ORDER = 999_999;

    @Test
    void shouldSayNotConsistentForAValueChangedByAnotherToolAndForAnOrderPostgresDoesNotHave() throws Exception {
        PipelineConfig c = STACK.isolated("validator", 100_000);
        Path config = ConfigWriter.write(c, STACK.dir().resolve("validator.yml"));
        Path log = STACK.dir().resolve("validator.log");
        String lake = c.datalake().path();
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            LakeFiles.awaitOrders(lake, 10, WAIT); // the sample orders
            try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
                s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) VALUES ('Refund', -5.00)");
            }
            OrderRows.awaitQuarantined(lake, 1, WAIT, producer, consumer);
            boolean producerStopped = producer.stop(Duration.ofSeconds(60));
            boolean consumerStopped = consumer.stop(Duration.ofSeconds(60));
            assertTrue(producerStopped && consumerStopped, "a job did not stop on SIGTERM within 60 s:\n"
                    + Files.readString(log));
        }

        // What the pipeline wrote: every one of the seven values equal to PostgreSQL's.
        JobProcess.Finished ok = validate(config);
        assertEquals(0, ok.exit(), ok.all());
        assertTrue(ok.stdout().contains("\nCONSISTENT: "), ok.all());
        assertTrue(ok.stdout().contains("PostgreSQL: 11 rows, 10 valid, 1 invalid {negative_amount=1}"), ok.all());
        assertTrue(ok.stdout().contains("Quarantine: 1 records {negative_amount=1}"), ok.all());

        // (a) One customer_name changed in a lake file by another tool.
        Path file = firstParquetFile(lake);
        assertFalse(Files.exists(file.resolveSibling("." + file.getFileName() + ".crc")), "lake files are plain files");
        byte[] original = Files.readAllBytes(file);
        // As an earlier version left it: the same bytes written through Hadoop's checksummed
        // local file system, which puts a .crc sidecar beside the file (stale once DuckDB rewrites it).
        try (var out = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration())
                .create(new org.apache.hadoop.fs.Path(file.toString()), true)) {
            out.write(original);
        }
        assertTrue(Files.exists(file.resolveSibling("." + file.getFileName() + ".crc")));
        int order = firstOrderIn(file);
        rewrite(file, "SELECT * REPLACE (CASE WHEN order_id = " + order + " THEN 'Changed by another tool' "
                + "ELSE customer_name END AS customer_name) FROM " + source(file));
        JobProcess.Finished changed = validate(config);
        assertEquals(1, changed.exit(), changed.all());
        assertTrue(changed.stdout().contains("\nNOT CONSISTENT: "), changed.all());
        assertTrue(changed.stdout().contains("PROBLEM: 1 lake orders whose values differ from PostgreSQL: " + order
                + " (" + order + ": customer_name)\n"), changed.all());
        assertFalse(changed.all().contains("Exception"), changed.all());
        replace(file, original);

        // (b) An extra file in a date folder with an order PostgreSQL does not have.
        Path extra = file.resolveSibling("extra.parquet");
        copyTypesFrom(file, extra, "SELECT * REPLACE (" + UNKNOWN_ORDER + "::INTEGER AS order_id) FROM "
                + source(file) + " LIMIT 1");
        JobProcess.Finished unknown = validate(config);
        assertEquals(1, unknown.exit(), unknown.all());
        assertTrue(unknown.stdout().contains("PROBLEM: 1 lake orders PostgreSQL does not have: " + UNKNOWN_ORDER + "\n"),
                unknown.all());
        // The restored file is PostgreSQL's again.
        assertTrue(unknown.stdout().contains("OK: no lake orders whose values differ from PostgreSQL\n"), unknown.all());
        assertFalse(unknown.all().contains("Exception"), unknown.all());
        Files.delete(extra);

        // (c) Files nobody can read as the lake's: empty, a truncated copy, order_id as INT64.
        Path empty = Files.write(file.resolveSibling("empty.parquet"), new byte[0]);
        Path truncated = Files.write(file.resolveSibling("truncated-copy.parquet"),
                java.util.Arrays.copyOf(original, original.length / 2));
        Path int64 = file.resolveSibling("int64-ids.parquet");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("COPY (SELECT * REPLACE (order_id::BIGINT AS order_id) FROM " + source(file) + ") TO '" + int64
                    + "' (FORMAT parquet)");
        }
        List<Path> unreadable = List.of(empty, truncated, int64);
        // The consumer goes on around them, saying so once for each.
        try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, log);
             JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, log)) {
            try (Connection db = STACK.connect(); Statement s = db.createStatement()) {
                s.execute("INSERT INTO \"" + c.postgres().table() + "\" (customer_name, amount) VALUES ('After', 1.00), "
                        + "('Refund', -1.00)");
            }
            OrderRows.awaitQuarantined(lake, 2, WAIT, producer, consumer);
            String out = consumer.output();
            for (Path f : unreadable) {
                assertTrue(out.contains("ERROR Compactor: Lake file file:" + f + " cannot be read ("), out);
            }
            assertTrue(out.contains("it is left where it is, out of merges, and its orders are not counted"), out);
            assertTrue(producer.stop(Duration.ofSeconds(60)) && consumer.stop(Duration.ofSeconds(60)));
        }
        JobProcess.Finished named = validate(config);
        assertEquals(1, named.exit(), named.all());
        assertTrue(named.stdout().contains("PROBLEM: file file:" + empty + " cannot be read (not a readable Parquet "
                + "file: file:" + empty + " is not a Parquet file (length is too low: 0)): its records are not counted. "
                + "Move it out of its folder"), named.all());
        assertTrue(named.stdout().contains("PROBLEM: file file:" + truncated + " cannot be read (not a readable "
                + "Parquet file: "), named.all());
        assertTrue(named.stdout().contains("PROBLEM: file file:" + int64 + " cannot be read (column order_id is "
                + "INT64"), named.all());
        // Around them: the order written after them, nothing missing, nothing twice.
        assertTrue(named.stdout().contains("OK: no valid orders missing from the lake\n"), named.all());
        assertTrue(named.stdout().contains("OK: no orders more than once in the lake\n"), named.all());
        assertTrue(named.stdout().contains("PostgreSQL: 13 rows, 11 valid, 2 invalid"), named.all());
    }

    /** Runs validate_pipeline.sh to its end (bounded). */
    private static JobProcess.Finished validate(Path config) throws Exception {
        return JobProcess.run("validate_pipeline.sh", config, VALIDATE_TIMEOUT);
    }

    private static Path firstParquetFile(String lake) throws Exception {
        String[] files = LakeFiles.parquetFiles(lake);
        assertTrue(files.length > 0, "no file in the lake");
        return Path.of(files[0]);
    }

    /** The file as DuckDB reads it, without a column for the date folder. */
    private static String source(Path file) {
        return "read_parquet('" + file + "', hive_partitioning = false)";
    }

    private static int firstOrderIn(Path file) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("SELECT min(order_id) FROM " + source(file))) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** Replaces {@code file} by the result of {@code query} (written beside it, then moved over it). */
    private static void rewrite(Path file, String query) throws Exception {
        copyTypesFrom(file, file, query);
    }

    /**
     * Writes the result of {@code query} to {@code target} through a temporary file moved into
     * place, and checks that it has exactly the columns and types of {@code model}, the lake's.
     */
    private static void copyTypesFrom(Path model, Path target, String query) throws Exception {
        Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        List<String> expected = columns(model);
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("COPY (" + query + ") TO '" + tmp + "' (FORMAT parquet)");
        }
        assertEquals(expected, columns(tmp), "DuckDB changed the lake's column types");
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Name and type of every column of a Parquet file, as DuckDB reads it (INTEGER, DECIMAL(10,2), ...). */
    private static List<String> columns(Path file) throws Exception {
        List<String> columns = new ArrayList<>();
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement();
             ResultSet rs = s.executeQuery("DESCRIBE SELECT * FROM " + source(file))) {
            while (rs.next()) {
                columns.add(rs.getString("column_name") + " " + rs.getString("column_type"));
            }
        }
        return columns;
    }

    /** Puts the original bytes back, the same way (temporary file, then a replacing move). */
    private static void replace(Path file, byte[] bytes) throws Exception {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(tmp, bytes);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
