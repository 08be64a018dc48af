package foodcdc.producer;

import static foodcdc.producer.TableAndTopic.awaitTopicHoldsTheTable;
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
import foodcdc.storage.StateFiles;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watermark folder fills up while the producer runs (a real full disk: a 1 MB tmpfs in a
 * mount namespace of the producer's own, since permissions do not stop root). The producer must
 * say which key and file cannot be written, publish the acknowledged batch once — not again at
 * every retry — and go on by itself once there is room.
 */
class FullDiskIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void shouldNameTheFullWatermarkFolderAndNotPublishTheBatchAgainUntilItIsWritten() throws Exception {
        PipelineConfig c = STACK.isolated("full_disk", 100_000);
        Path watermarks = Files.createDirectories(Path.of(c.streaming().lastProcessedTimestampLocation()));
        Path config = ConfigWriter.write(c, STACK.dir().resolve("full_disk.yml"));
        List<String> onATinyDisk = List.of("unshare", "-Urm", "sh", "-c",
                "mount -t tmpfs -o size=1m tmpfs \"$0\" && exec \"$@\"", watermarks.toString());
        try (JobProcess producer = JobProcess.scriptIn(onATinyDisk, "producer_spark_submit.sh", config,
                STACK.dir().resolve("full_disk.log"))) {
            // The folder as the producer sees it: its tmpfs, through its own root.
            Path seen = Path.of("/proc/" + producer.pid() + "/root" + watermarks);
            awaitTopicHoldsTheTable(STACK, c, WAIT);   // the 10 sample orders
            Wait.until(() -> Files.exists(seen.resolve(StateFiles.WATERMARK)) && Files.exists(seen.resolve(
                    StateFiles.TOPIC_END)), Boolean::booleanValue, WAIT, "the first batch recorded on the producer's tmpfs");
            assertFalse(Files.exists(watermarks.resolve(StateFiles.WATERMARK)), "the watermark is not on the tmpfs");
            fill(seen.resolve("filler"));

            insert(c, 5);
            producer.awaitLine("Waiting to record the batch Kafka acknowledged (attempt 3,", WAIT);
            String out = producer.output();
            assertTrue(out.contains("streaming.last_processed_timestamp_location: cannot write "
                    + watermarks.resolve(StateFiles.WATERMARK) + " ("), out);
            assertTrue(out.contains("No space left on device"), out);
            assertTrue(out.contains("nothing more is published until it is written"), out);
            assertFalse(out.contains("Waiting for Kafka"), "a full disk reported as Kafka away:\n" + out);
            assertEquals(15, keysInTopic(STACK, c).size(), "the batch was published again at a retry");

            Files.delete(seen.resolve("filler"));
            producer.awaitLine("Recorded the batch published before: 5 rows", WAIT);
            insert(c, 2);
            awaitTopicHoldsTheTable(STACK, c, WAIT);
            List<Integer> keys = keysInTopic(STACK, c);
            assertEquals(17, keys.size(), "each order once: " + keys);
            assertEquals(17, new HashSet<>(keys).size(), "each order once: " + keys);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
        }
    }

    /** Writes {@code file} until the disk is full. */
    private static void fill(Path file) throws IOException {
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int i = 0; i < 1_000; i++) {   // 4 MB: more than the tmpfs holds
                out.write(block);
            }
        } catch (IOException full) {
            return;
        }
        throw new AssertionError(file + " took 4 MB: not the 1 MB tmpfs");
    }

    private static void insert(PipelineConfig c, int rows) throws Exception {
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
            s.execute("INSERT INTO " + table(c) + " (customer_name, amount) SELECT 'full disk ' || g, 1.00 "
                    + "FROM generate_series(1, " + rows + ") g");
        }
    }
}
