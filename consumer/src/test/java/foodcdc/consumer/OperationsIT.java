package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.sql.SqlIdentifier;
import foodcdc.stack.JobProcess;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What operators do around a running pipeline, through the scripts users run: events deleted
 * from Kafka before the consumer read them (what retention does), the topic created anew, the
 * source table moved with its data. The consumer refuses to read on (exit 3) and names the one
 * remedy that loses nothing, replay_from_source.sh; after it, the lake equals the table. A moved
 * table is taken by accept_source.sh once it holds the lake's orders, and refused when it does not.
 * In change capture mode the replay brings a change history back from a pruned change table, and
 * state of one mode is refused by the other's jobs.
 */
class OperationsIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final String REPLAY = "With both jobs stopped, run: scripts/replay_from_source.sh (the producer "
            + "publishes the whole table again, the consumer starts a new run; the lake keeps its orders and drops "
            + "the copies)";

    private record Pipeline(PipelineConfig c, Path config, Path producerLog, Path consumerLog) {
        JobProcess producer() throws Exception {
            return JobProcess.script("producer_spark_submit.sh", config, producerLog);
        }

        JobProcess consumer() throws Exception {
            return JobProcess.script("consumer_spark_submit.sh", config, consumerLog);
        }

        String lake() {
            return c.datalake().path();
        }
    }

    private static Pipeline pipeline(String name) throws Exception {
        return pipeline(STACK.isolated(name, 100_000));
    }

    private static Pipeline pipeline(PipelineConfig c) throws Exception {
        String name = c.postgres().table().replaceFirst("_orders$", "") + "-" + c.streaming().capture();
        return new Pipeline(c, ConfigWriter.write(c, STACK.dir().resolve(name + ".yml")),
                STACK.dir().resolve(name + "-producer.log"), STACK.dir().resolve(name + "-consumer.log"));
    }

    private static void insert(PipelineConfig c, int n) throws Exception {
        sql("INSERT INTO " + SqlIdentifier.quote(c.postgres().table()) + " (customer_name, restaurant_name, item, "
                + "amount, order_status) SELECT 'Op ' || g, 'R', 'I', 4.00, 'PLACED' FROM generate_series(1, " + n + ") g");
    }

    private static void sql(String... statements) throws Exception {
        try (Connection conn = STACK.connect(); Statement s = conn.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private static void awaitKeysInTopic(PipelineConfig c, int n) throws Exception {
        Wait.every(Duration.ofMillis(500)).look(() -> new HashSet<>(STACK.readTopic(c.kafka().topic()).stream()
                .map(r -> r.key()).toList()).size(), keys -> keys >= n, WAIT, n + " orders in the topic");
    }

    /** The consumer script started on {@code p}: it must end by itself with exit 3; what it printed. */
    private static String consumerRefuses(Pipeline p) throws Exception {
        return refuses(p.consumer());
    }

    /** {@code job} must end by itself with exit 3; what it printed. */
    private static String refuses(JobProcess job) throws Exception {
        try (job) {
            assertEquals(3, job.awaitExit(WAIT), job.launchOutput());
            return job.launchOutput();
        }
    }

    private static void replay(Pipeline p) throws Exception {
        JobProcess.Finished replay = JobProcess.run("replay_from_source.sh", p.config(), WAIT);
        assertEquals(0, replay.exit(), replay.all());
        assertTrue(replay.stdout().contains("Deleted the producer's watermark "), replay.all());
        assertTrue(replay.stdout().contains("Deleted the consumer's checkpoint "), replay.all());
    }

    /** Both jobs until the lake holds {@code n} orders, equal to the table's, every value. */
    private static void runUntilTheLakeIsTheTable(Pipeline p, int n) throws Exception {
        try (JobProcess producer = p.producer(); JobProcess consumer = p.consumer()) {
            LakeFiles.awaitOrders(p.lake(), n, WAIT, producer, consumer);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");
        }
        try (Connection conn = STACK.connect()) {
            assertEquals(OrderRows.inPostgres(conn, p.c().postgres().table(), "true"), OrderRows.inLake(p.lake()));
        }
    }

    @Test
    void shouldRefuseToReadOnAfterARetentionGapOrATopicCreatedAnewAndLoseNothingAfterTheReplay() throws Exception {
        Pipeline p = pipeline("ops_topic");
        String topic = p.c().kafka().topic();
        runUntilTheLakeIsTheTable(p, 10);

        // A retention gap: 5 orders published while the consumer is away, then deleted from the topic.
        try (JobProcess producer = p.producer()) {
            insert(p.c(), 5);
            awaitKeysInTopic(p.c(), 15);
            TopicEvents.deleteAllEvents(p.c());
            String gap = consumerRefuses(p);
            assertTrue(gap.contains("Consumer cannot go on: events of kafka.topic " + topic + " are gone (deleted by "
                    + "retention or by hand before the consumer read them, or lost by a broker's crash after it "
                    + "acknowledged them: the topic then ends before what the consumer read) and cannot be read again "
                    + "from Kafka: "), gap);
            assertTrue(gap.contains(REPLAY), gap);
            // The replay refuses while a job runs, and changes nothing.
            JobProcess.Finished busy = JobProcess.run("replay_from_source.sh", p.config(), WAIT);
            assertEquals(3, busy.exit(), busy.all());
            assertTrue(busy.stderr().contains("replay_from_source.sh: a producer is publishing with "
                    + "streaming.last_processed_timestamp_location "), busy.all());
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
        }
        replay(p);
        runUntilTheLakeIsTheTable(p, 15);

        // The topic deleted and created again (to change its settings, say) under a running producer:
        // it stops before it publishes into the new topic, where the consumer's offsets would skip them.
        try (JobProcess producer = p.producer()) {
            TopicEvents.createAnew(p.c());
            insert(p.c(), 5);
            assertEquals(3, producer.awaitExit(WAIT), producer.launchOutput());
            String stopped = producer.launchOutput();
            assertTrue(stopped.matches("(?s).*Producer cannot go on: partition \\d of kafka\\.topic " + topic
                    + " ends at offset 0, before offset \\d+ which the producer's acknowledged events reached .*"),
                    stopped);
            assertTrue(stopped.contains("Stop the consumer, run scripts/replay_from_source.sh (it loses nothing), "
                    + "then start both"), stopped);
            assertEquals(0, STACK.readTopic(topic).size(), "the producer published into the new topic");
        }
        String anew = consumerRefuses(p);
        assertTrue(anew.matches("(?s).*Consumer cannot go on: kafka\\.topic " + topic + " \\(topic id \\S+\\) is "
                + "not the topic the checkpoint was read from, " + topic + " \\(topic id \\S+\\): it was created "
                + "anew, so reading on at the checkpoint's offsets would skip its first events, and events not "
                + "read from the old one are gone\\..*"), anew);
        assertTrue(anew.contains(REPLAY), anew);
        replay(p);
        runUntilTheLakeIsTheTable(p, 20);
    }

    @Test
    void shouldAcceptTheSameDataMovedToANewTableAndRefuseOtherData() throws Exception {
        Pipeline p = pipeline("ops_moved");
        runUntilTheLakeIsTheTable(p, 10);
        // A restore into a new table: the same rows and sequence, another OID.
        String t = SqlIdentifier.quote(p.c().postgres().table());
        sql("ALTER TABLE " + t + " RENAME TO ops_moved_before",
                "CREATE TABLE " + t + " (LIKE ops_moved_before INCLUDING ALL)",
                "INSERT INTO " + t + " SELECT * FROM ops_moved_before",
                "ALTER SEQUENCE ops_moved_orders_order_id_seq OWNED BY " + t + ".order_id",
                "DROP TABLE ops_moved_before");
        try (JobProcess producer = p.producer()) {
            assertEquals(3, producer.awaitExit(WAIT), producer.launchOutput());
            assertTrue(producer.launchOutput().contains("Producer cannot start: table ops_moved_orders was created "
                    + "anew"), producer.launchOutput());
        }
        JobProcess.Finished accepted = JobProcess.run("accept_source.sh", p.config(), WAIT);
        assertEquals(0, accepted.exit(), accepted.all());
        assertTrue(accepted.stdout().contains("Accepted ops_moved_orders at 127.0.0.1:"), accepted.all());
        assertTrue(accepted.stdout().contains("each of the lake's 10 orders is in it with the lake's values"),
                accepted.all());
        insert(p.c(), 5);
        runUntilTheLakeIsTheTable(p, 15);

        // Other data under the same name: an order of the lake is not in it. Refused, nothing changed.
        sql("DELETE FROM " + t + " WHERE order_id = 3");
        JobProcess.Finished refused = JobProcess.run("accept_source.sh", p.config(), WAIT);
        assertEquals(3, refused.exit(), refused.all());
        assertTrue(refused.stderr().contains("accept_source.sh: ops_moved_orders is not the lake's data: 1 lake orders "
                + "it does not have (e.g. [3]). Nothing was changed; start a new lake"), refused.all());
    }

    /**
     * Change capture mode: events deleted from Kafka before the consumer read them, after the
     * change table was pruned. replay_from_source.sh republishes what the change table holds (no
     * new snapshot), and the history ends with every change once: the pruned ones kept, the ones
     * it held dropped as copies, the lost ones back. The same state read in the other capture
     * mode is refused by each job and by the replay, with what to do.
     */
    @Test
    void shouldReplayAChangeHistoryFromAPrunedChangeTableAndRefuseToSwitchModes() throws Exception {
        Pipeline p = pipeline(STACK.isolated("ops_changes", 100_000, "changes"));
        String table = SqlIdentifier.quote(p.c().postgres().table());
        String history = LakeLayout.changeHistory(p.lake());
        Map<Long, String> changes = new TreeMap<>(ChangeRows.inChangeTable(STACK::connect, p.c(), "true"));
        assertEquals(10, changes.size(), "the snapshot of the 10 sample orders");
        try (JobProcess producer = p.producer(); JobProcess consumer = p.consumer()) {
            awaitHistory(history, changes, producer, consumer);
            JobProcess.Finished pruned = JobProcess.run("prune_changes.sh", p.config(), WAIT);   // while both run
            assertEquals(0, pruned.exit(), pruned.all());
            assertTrue(pruned.stdout().contains("Pruned 10 changes from "), pruned.all());
            sql("UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = 1",
                    "UPDATE " + table + " SET order_status = 'PREPARING' WHERE order_id = 2",
                    "DELETE FROM " + table + " WHERE order_id = 3");
            changes.putAll(ChangeRows.inChangeTable(STACK::connect, p.c(), "true"));
            awaitHistory(history, changes, producer, consumer);
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");

            // Two more changes, published while the consumer is away, then deleted from the topic.
            sql("UPDATE " + table + " SET order_status = 'DELIVERED' WHERE order_id = 1",
                    "UPDATE " + table + " SET amount = 9.50 WHERE order_id = 4");
            changes.putAll(ChangeRows.inChangeTable(STACK::connect, p.c(), "true"));
            assertEquals(15, changes.size());
            Wait.every(Duration.ofMillis(500)).look(() -> STACK.readTopic(p.c().kafka().topic()).size(), n -> n >= 15,
                    WAIT, "15 change events in the topic");
            TopicEvents.deleteAllEvents(p.c());
            String gap = consumerRefuses(p);
            assertTrue(gap.contains("Consumer cannot go on: events of kafka.topic " + p.c().kafka().topic()
                    + " are gone "), gap);
            assertTrue(gap.contains(REPLAY), gap);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
        }

        // The same state in insert mode: each job, and the replay, refuse it and change nothing.
        Pipeline inserts = pipeline(p.c().withStreaming(p.c().streaming().withCapture("inserts")));
        String switched = "streaming.capture is inserts, but ";
        String remedy = ": an existing pipeline does not switch modes. Either set streaming.capture back to changes, "
                + "or start this mode afresh: point datalake.path, streaming.last_processed_timestamp_location and "
                + "streaming.checkpoint_location at new folders and kafka.topic at a new topic (docs/CHANGES.md)";
        Path checkpoint = Path.of(p.c().streaming().checkpointLocation());
        Path watermark = Path.of(p.c().streaming().lastProcessedTimestampLocation(), foodcdc.storage.StateFiles.WATERMARK);
        String producerSaid = refuses(inserts.producer());
        assertTrue(producerSaid.matches("(?s).*Producer cannot start: " + switched + "the watermark \\S+ is change "
                + "capture mode's .*" + java.util.regex.Pattern.quote(remedy) + ".*"), producerSaid);
        // As a checkpoint written before the mode was recorded: the change history's topic record tells.
        assertTrue(Files.deleteIfExists(checkpoint.resolve(StateMode.FILE)), "the checkpoint records its mode");
        String consumerSaid = refuses(inserts.consumer());
        assertTrue(consumerSaid.contains("Consumer cannot start: " + switched + "the checkpoint "
                + p.c().streaming().checkpointLocation() + " has read change capture mode's events" + remedy),
                consumerSaid);
        JobProcess.Finished wrongReplay = JobProcess.run("replay_from_source.sh", inserts.config(), WAIT);
        assertEquals(3, wrongReplay.exit(), wrongReplay.all());
        assertTrue(wrongReplay.stderr().contains("replay_from_source.sh: " + switched + "the watermark "),
                wrongReplay.all());
        assertTrue(Files.exists(watermark) && Files.isDirectory(checkpoint.resolve("offsets")),
                "the refused replay deleted nothing");

        JobProcess.Finished replayed = JobProcess.run("replay_from_source.sh", p.config(), WAIT);
        assertEquals(0, replayed.exit(), replayed.all());
        assertTrue(replayed.stdout().contains("its next run publishes every change the change table "
                + p.c().postgres().table() + "_changes holds"), replayed.all());
        assertTrue(replayed.stdout().contains("Deleted the producer's watermark ")
                && replayed.stdout().contains("Deleted the consumer's checkpoint "), replayed.all());
        // After the replay there is no checkpoint to tell the mode: the history's record of the topic still does.
        String afterReplay = refuses(inserts.consumer());
        assertTrue(afterReplay.contains("Consumer cannot start: " + switched + "kafka.topic was read in change capture "
                + "mode (the lake's topic record says so)" + remedy), afterReplay);
        try (JobProcess producer = p.producer(); JobProcess consumer = p.consumer()) {
            awaitHistory(history, changes, producer, consumer);
            assertTrue(producer.stop(Duration.ofSeconds(60)), "producer did not stop on SIGTERM");
            assertTrue(consumer.stop(Duration.ofSeconds(60)), "consumer did not stop on SIGTERM");
        }
        assertEquals(changes, ChangeRows.inHistory(history), "every change once: pruned, held and lost alike");
        assertEquals(5, STACK.readTopic(p.c().kafka().topic()).size(), "the replay published what the change table "
                + "holds, no new snapshot");
        JobProcess.Finished validated = JobProcess.run("validate_pipeline.sh", p.config(), WAIT);
        assertEquals(0, validated.exit(), validated.all());
        assertTrue(validated.stdout().contains("PostgreSQL: 5 changes") && validated.stdout().contains("CONSISTENT"),
                validated.all());
    }

    /** Until the history holds as many changes as {@code expected}; then it must be {@code expected}. */
    private static void awaitHistory(String history, Map<Long, String> expected, JobProcess... jobs) throws Exception {
        Wait.every(Duration.ofMillis(500)).look(() -> {
            for (JobProcess job : jobs) {
                job.assertAlive();
            }
            return ChangeRows.inHistory(history).size();
        }, n -> n >= expected.size(), WAIT, expected.size() + " changes in the history " + history);
        assertEquals(expected, ChangeRows.inHistory(history));
    }
}
