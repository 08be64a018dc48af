package foodcdc.consumer;

import static foodcdc.consumer.TopicEvents.event;
import static foodcdc.consumer.TopicEvents.send;
import static foodcdc.consumer.TopicEvents.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.stack.TestSpark;
import foodcdc.stack.ThrowawayStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.apache.spark.sql.streaming.StreamingQueryException;
import org.junit.jupiter.api.Test;

/**
 * What a crash of the host leaves of the checkpoint: Spark does not force its newest
 * {@code offsets/N} and {@code commits/N} to disk, so after a power cut they may be empty or
 * zeroed. The consumer must resume by itself, with every order in the lake once. The same crash
 * can cost a single broker events it acknowledged: the consumer must stop, naming the replay.
 */
class HostCrashIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private final SparkSession spark = TestSpark.session();

    @Test
    void shouldResumeByItselfWhenTheNewestCheckpointFilesWereLostWithTheHost() throws Exception {
        PipelineConfig c = STACK.isolated("host_crash", 100_000);
        Path checkpoint = Path.of(c.streaming().checkpointLocation());
        consume(c, 1, 5, 6, 10);   // two batches, of two days
        Files.write(newest(checkpoint.resolve("commits")), new byte[0]);   // batch 1 done, lost

        consume(c, 11, 15);
        assertEquals(ids(15), orderIds(c), "every order once after batch 1's commit was lost");

        Path offsets = newest(checkpoint.resolve("offsets"));
        Files.write(offsets, new byte[(int) Files.size(offsets)]);   // zeroed, as XFS leaves an unflushed file
        Files.write(newest(checkpoint.resolve("commits")), new byte[0]);
        consume(c, 16, 20);
        assertEquals(ids(20), orderIds(c), "every order once after the newest batch's offsets were lost");
        // Its first attempt's file is kept (counted, not replaced): had the broker lost those
        // events in the same crash, the lake would still hold their orders.
        assertEquals(1, Stream.of(LakeFiles.parquetFiles(c.datalake().path()))
                .filter(f -> f.contains("/batch-2-") && f.contains("-set-aside-")).count());
    }

    @Test
    void shouldStopNamingTheReplayWhenTheTopicEndsBeforeWhatTheCheckpointRead() throws Exception {
        PipelineConfig c = STACK.isolated("broker_crash", 100_000);
        consume(c, 1, 5);
        // A broker that lost acknowledged events in the crash: the topic now ends before the offset
        // the checkpoint read up to (here the checkpoint says it read 5 more than the topic holds).
        Path checkpoint = Path.of(c.streaming().checkpointLocation());
        Path offsets = newest(checkpoint.resolve("offsets"));
        String text = Files.readString(offsets);
        Matcher partition0 = Pattern.compile("\"0\":(\\d+)").matcher(text.substring(text.lastIndexOf('\n')));
        assertTrue(partition0.find(), text);
        long read = Long.parseLong(partition0.group(1)) + 5;
        Files.writeString(offsets, text.substring(0, text.lastIndexOf('\n'))
                + partition0.replaceFirst("\"0\":" + read));
        Files.deleteIfExists(offsets.resolveSibling("." + offsets.getFileName() + ".crc"));

        StreamingQuery query = ConsumerJob.start(spark, c);
        StreamingQueryException failed;
        try {
            send(c, List.of(utf8(event(6, "1.00", LocalDate.now(ZoneOffset.UTC) + "T12:00:00Z"))));
            failed = assertThrows(StreamingQueryException.class, query::processAllAvailable);
        } finally {
            query.stop();
        }
        assertTrue(TopicIdentity.isDataLoss(failed), failed.toString());
        String line = TopicIdentity.dataLoss(c.kafka().topic(), failed);
        assertTrue(line.contains("offset was changed from " + read + " to "), line);
    }

    /**
     * Starts the consumer, sends orders {@code from}–{@code to} of each pair, each pair a
     * micro-batch (the first of today, the second of yesterday), stops.
     */
    private void consume(PipelineConfig c, int... fromTo) throws Exception {
        StreamingQuery query = ConsumerJob.start(spark, c);
        try {
            for (int i = 0; i < fromTo.length; i += 2) {
                // Today and yesterday: open days, whose files no merge takes at once.
                LocalDate day = LocalDate.now(ZoneOffset.UTC).minusDays(i / 2);
                send(c, IntStream.rangeClosed(fromTo[i], fromTo[i + 1])
                        .mapToObj(id -> utf8(event(id, "1.00", day + "T12:00:00Z"))).toList());
                query.processAllAvailable();
            }
        } finally {
            query.stop();
        }
    }

    private static Path newest(Path log) throws Exception {
        try (Stream<Path> files = Files.list(log)) {
            return files.filter(f -> f.getFileName().toString().matches("\\d+"))
                    .max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()),
                            Long.parseLong(b.getFileName().toString()))).orElseThrow();
        }
    }

    /** The lake's order_ids, sorted, copies included. */
    private List<Integer> orderIds(PipelineConfig c) throws Exception {
        return spark.read().parquet(LakeFiles.parquetFiles(c.datalake().path())).select("order_id")
                .orderBy("order_id").as(org.apache.spark.sql.Encoders.INT()).collectAsList();
    }

    private static List<Integer> ids(int n) {
        return IntStream.rangeClosed(1, n).boxed().toList();
    }
}
