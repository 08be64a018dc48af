package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import foodcdc.storage.ProcessLock;
import foodcdc.storage.StateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake, checkpoint or watermark folder that cannot be written, and a corrupt watermark file:
 * each job stops at start with exit code 3 and one line that names the key, the path and what
 * to do — no stack trace, no silent reprocessing. (The tests run as root, whom permissions do
 * not stop; a path below a regular file cannot be created by anyone.)
 */
class StorageProblemsIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();

    @TempDir
    Path tmp;

    @Test
    void shouldStopEachJobWithTheKeyAndPathOfAnUnusableLocation() throws Exception {
        PipelineConfig ok = STACK.isolated("storage_problems", 100_000);
        Path file = Files.writeString(tmp.resolve("a-file"), "not a folder");
        String below = file.resolve("sub").toString();

        String watermark = run("producer_spark_submit.sh", withPaths(ok, ok.datalake().path(),
                ok.streaming().checkpointLocation(), below));
        assertTrue(watermark.contains("Producer cannot start: streaming.last_processed_timestamp_location: cannot write "
                + below + " ("), watermark);

        String lake = run("consumer_spark_submit.sh", withPaths(ok, below, ok.streaming().checkpointLocation(),
                ok.streaming().lastProcessedTimestampLocation()));
        assertTrue(lake.contains("Consumer cannot start: datalake.path: cannot write " + below + " ("), lake);

        String checkpoint = run("consumer_spark_submit.sh", withPaths(ok, ok.datalake().path(), below,
                ok.streaming().lastProcessedTimestampLocation()));
        assertTrue(checkpoint.contains("Consumer cannot start: streaming.checkpoint_location: cannot write " + below),
                checkpoint);
        assertEquals(0, LakeFiles.parquetFiles(ok.datalake().path()).length, "the consumer wrote before failing");
    }

    @Test
    void shouldRefuseACorruptWatermarkInsteadOfStartingOver() throws Exception {
        PipelineConfig c = STACK.isolated("corrupt_watermark", 100_000);
        Path dir = Files.createDirectories(Path.of(c.streaming().lastProcessedTimestampLocation()));
        Files.writeString(dir.resolve("watermark.properties"), "created_at=yesterday\norder_id=12\n");

        String out = run("producer_spark_submit.sh", c);
        assertTrue(out.contains("Producer cannot start: " + dir.resolve("watermark.properties")), out);
        assertTrue(out.contains("is not a watermark (bad watermark value: "), out);
        assertTrue(out.contains("delete it to publish every row again (the consumer drops the copies)."), out);
        assertEquals(0, STACK.readTopic(c.kafka().topic()).size(), "nothing may be published from a guessed watermark");
    }

    @Test
    void shouldRefuseASecondConsumerOnTheSameLakeEvenThroughASymlink() throws Exception {
        PipelineConfig c = STACK.isolated("second_consumer", 100_000);
        // This JVM plays the consumer already running: it holds the lake's lock as ConsumerJob does.
        assertTrue(LakeLock.acquire(c.datalake().path(), new Configuration()));
        // The second one reaches the same lake by another path (its staging folder is another one).
        Path alias = Files.createSymbolicLink(tmp.resolve("lake-alias"), Files.createDirectories(
                Path.of(c.datalake().path())));
        String out = run("consumer_spark_submit.sh", c.withDatalake(c.datalake().withPath(alias.toString())));
        assertTrue(out.contains("Consumer cannot start: another consumer is writing to datalake.path " + alias
                + " (it holds "), out);
        assertEquals(0, LakeFiles.parquetFiles(c.datalake().path()).length, "the second consumer wrote");
    }

    @Test
    void shouldRefuseASecondProducerOnTheSameWatermark() throws Exception {
        PipelineConfig c = STACK.isolated("second_producer", 100_000);
        // This JVM plays the producer already running: it holds the watermark folder's lock as ProducerJob does.
        Path lock = Path.of(c.streaming().lastProcessedTimestampLocation(), StateFiles.PRODUCER_LOCK);
        assertTrue(ProcessLock.acquire(new org.apache.hadoop.fs.Path(lock.toString()), new Configuration()));
        String out = run("producer_spark_submit.sh", c);
        assertTrue(out.contains("Producer cannot start: another producer is publishing with "
                + "streaming.last_processed_timestamp_location " + c.streaming().lastProcessedTimestampLocation()
                + " (it holds "), out);
        assertEquals(0, STACK.readTopic(c.kafka().topic()).size(), "the second producer published");
    }

    private static PipelineConfig withPaths(PipelineConfig c, String lake, String checkpoint, String watermark) {
        return c.withDatalake(c.datalake().withPath(lake))
                .withStreaming(c.streaming().withLocations(checkpoint, watermark));
    }

    /** Runs a job script on this config; it must exit with 3 and print no stack trace. */
    private String run(String script, PipelineConfig c) throws Exception {
        Path config = ConfigWriter.write(c, Files.createTempFile(tmp, "config", ".yml"));
        JobProcess.Finished finished = JobProcess.run(script, List.of("--config", config.toString()),
                Map.of("SPARK_MASTER", "local[1]"), Duration.ofSeconds(120));
        String out = finished.all();
        assertEquals(3, finished.exit(), out);
        assertFalse(out.contains("\tat "), "a stack trace instead of a message:\n" + out);
        assertFalse(out.contains(c.postgres().password()), "the password was printed");
        return out;
    }
}
