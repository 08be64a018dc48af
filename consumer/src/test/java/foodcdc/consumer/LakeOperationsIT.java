package foodcdc.consumer;

import static foodcdc.consumer.TopicEvents.event;
import static foodcdc.consumer.TopicEvents.send;
import static foodcdc.consumer.TopicEvents.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.TestSpark;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;

/**
 * What operators and users do to a running lake: reset the consumer's checkpoint, rewrite a
 * lake file with another tool. The lake, read by listing its files (DuckDB), must still hold
 * every order exactly once.
 */
class LakeOperationsIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final SparkSession SPARK = TestSpark.session();

    /** Orders {@code from..to} as the producer would publish them, all today (a day still open: no closing merge). */
    private static void sendOrders(PipelineConfig c, int from, int to) throws Exception {
        String today = LocalDate.now(ZoneOffset.UTC).toString();
        send(c, IntStream.rangeClosed(from, to)
                .mapToObj(id -> utf8(event(id, "1.00", today + "T12:00:00." + String.format("%06d", id) + "Z")))
                .toList());
    }

    private static List<Integer> lakeIds(PipelineConfig c) throws Exception {
        return OrderRows.inLake(c.datalake().path()).stream().map(OrderRows.OrderRow::orderId).toList();
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void shouldKeepEveryEarlierRunsOrdersWhenTheCheckpointIsReset() throws Exception {
        PipelineConfig c = STACK.isolated("checkpoint_reset", 100_000);
        StreamingQuery first = ConsumerJob.start(SPARK, c);
        try {
            for (int b = 0; b < 3; b++) {   // three micro-batches: batch-0, batch-1, batch-2
                sendOrders(c, b * 5 + 1, b * 5 + 5);
                first.processAllAvailable();
            }
        } finally {
            first.stop();
        }
        assertEquals(range(1, 15), lakeIds(c));
        assertTrue(LakeFiles.parquetFiles(c.datalake().path()).length >= 3, "one file per micro-batch");

        // The operator's reset: the checkpoint goes, batch ids start at 0 again, and the new run
        // reads the topic from its first event.
        try (Stream<Path> files = Files.walk(Path.of(c.streaming().checkpointLocation()))) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        StreamingQuery second = ConsumerJob.start(SPARK, c);
        try {
            second.processAllAvailable();   // the whole topic again: every order is already there
            assertEquals(range(1, 15), lakeIds(c));
            for (int b = 3; b < 6; b++) {   // new batches 1, 2, 3
                sendOrders(c, b * 5 + 1, b * 5 + 5);
                second.processAllAvailable();
            }
        } finally {
            second.stop();
        }
        assertEquals(range(1, 30), lakeIds(c), "every order of both runs, once");
    }

    @Test
    void shouldGoOnWhenAnotherToolRewroteALakeFile() throws Exception {
        PipelineConfig c = STACK.isolated("rewritten_file", 100_000);
        StreamingQuery query = ConsumerJob.start(SPARK, c);
        try {
            sendOrders(c, 1, 3);
            query.processAllAvailable();
            String[] files = LakeFiles.parquetFiles(c.datalake().path());
            assertEquals(1, files.length);
            // What a user does with DuckDB (or pyarrow): rewrite the file, then move it into place.
            Path file = Path.of(files[0]);
            Path rewritten = file.resolveSibling("rewritten.tmp");
            try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
                s.execute("COPY (SELECT * FROM read_parquet('" + file + "', hive_partitioning = false) ORDER BY "
                        + "order_id DESC) TO '" + rewritten + "' (FORMAT parquet, COMPRESSION zstd)");
            }
            Files.move(rewritten, file, StandardCopyOption.REPLACE_EXISTING);
            // The next batch of the same day must still drop a copy of order 2.
            sendOrders(c, 2, 4);
            query.processAllAvailable();
        } finally {
            query.stop();
        }
        assertEquals(range(1, 4), lakeIds(c));
        try (Stream<Path> all = Files.walk(Path.of(c.datalake().path()))) {
            assertEquals(List.of(), all.map(Path::toString).filter(f -> f.endsWith(".crc")).toList(),
                    "no checksum sidecars in the lake: its files are plain Parquet");
        }
    }
}
