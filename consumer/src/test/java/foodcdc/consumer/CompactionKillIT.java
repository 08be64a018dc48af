package foodcdc.consumer;

import static foodcdc.consumer.TopicEvents.event;
import static foodcdc.consumer.TopicEvents.send;
import static foodcdc.consumer.TopicEvents.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.ConfigLoader;
import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.spark.SparkSessions;
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
import java.util.TimeZone;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.streaming.StreamingQuery;
import org.junit.jupiter.api.Test;

/**
 * Kills the consumer (SIGKILL) at every step of a merge, then starts it again: a reader listing
 * the lake's files the whole time must never see an order twice, and the lake must end with
 * every order exactly once, in a bounded number of files, with nothing of the merges left over.
 * And stops it (SIGTERM) in a merge's last moment: the merge must be done when it has ended.
 */
class CompactionKillIT {
    private static final ThrowawayStack STACK = ThrowawayStack.shared();
    private static final String DAY = "2025-11-18";
    private static final List<String> STEPS =
            List.of("merged file in place", "journal written", "first input deleted", "inputs deleted",
                    "merged file renamed");

    @Test
    void shouldLoseNothingAndNeverDoubleAnOrderWhenKilledInTheMiddleOfAMerge() throws Exception {
        PipelineConfig c = STACK.isolated("compaction_kill", 100_000);
        Path lake = Path.of(c.datalake().path());
        Files.createDirectories(lake);
        Path config = ConfigWriter.write(c, lake.resolveSibling("orders_stream.yml"));
        List<Integer> expected = new ArrayList<>();
        int next = 1;
        try (ListingReader reader = new ListingReader(lake)) {
            for (String step : STEPS) {
                // Ten small files of the day, as an earlier run left them, and one micro-batch:
                // the consumer writes it, then merges the day's small files and is killed at `step`.
                for (int f = 0; f < CompactionPolicy.FANOUT; f++, next += 3) {
                    earlierRunFile(lake, next, 3);
                    IntStream.range(next, next + 3).forEach(expected::add);
                }
                sendOrders(c, next, 5);
                IntStream.range(next, next + 5).forEach(expected::add);
                next += 5;
                try (JobProcess child = JobProcess.java(ChildMain.class,
                        lake.resolveSibling("consumer-" + expected.size() + ".log"), config.toString(), step)) {
                    child.awaitLine("REACHED " + step, Duration.ofMinutes(2));
                    child.kill();
                }
            }
            // Started once more, with nothing stopping it: it finishes the interrupted merge and goes on.
            sendOrders(c, next, 5);
            IntStream.range(next, next + 5).forEach(expected::add);
            try (JobProcess child = JobProcess.java(ChildMain.class, lake.resolveSibling("consumer-last.log"),
                    config.toString(), "")) {
                LakeFiles.awaitOrders(lake.toString(), expected.size(), Duration.ofMinutes(2), child);
            }
            assertEquals(0, reader.duplicates(), "a reader listing the files saw an order twice");
            assertTrue(reader.reads() > 50, "the reader kept reading: " + reader.reads()
                    + " reads; last failed one: " + reader.lastError());
        }
        assertEquals(expected, OrderRows.inLake(lake.toString()).stream().map(OrderRows.OrderRow::orderId).toList());
        try (Stream<Path> left = Files.list(lake.resolve("date=" + DAY))) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertTrue(names.stream().noneMatch(n -> n.contains(LakeLayout.MERGING_PREFIX)),
                    "a merge's output or journal left: " + names);
            assertTrue(names.size() < CompactionPolicy.FANOUT, "small files were merged: " + names);
        }
    }

    @Test
    void shouldFinishTheMergeBeforeTheJvmEndsWhenStoppedJustAfterItsListingGrace() throws Exception {
        PipelineConfig c = STACK.isolated("compaction_stop", 100_000);
        Path lake = Path.of(c.datalake().path());
        Files.createDirectories(lake);
        Path config = ConfigWriter.write(c, lake.resolveSibling("orders_stream_stop.yml"));
        for (int f = 0; f < CompactionPolicy.FANOUT; f++) {
            earlierRunFile(lake, 1 + 3 * f, 3);
        }
        sendOrders(c, 31, 5);
        // The child holds the merge at "grace passed" for a while (a slow disk), so that the stop's
        // interrupt and Spark's shutdown hook both come before the final rename.
        try (JobProcess child = JobProcess.java(ChildMain.class, lake.resolveSibling("consumer-stop.log"),
                config.toString(), "grace passed", HOLD)) {
            child.awaitLine("REACHED grace passed", Duration.ofMinutes(2));
            assertTrue(child.stop(Duration.ofSeconds(60)), "the consumer ended on SIGTERM");
        }
        // Not started again: this is what a reader sees until the next start.
        try (Stream<Path> left = Files.list(lake.resolve("date=" + DAY))) {
            List<String> names = left.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(1, names.size(), "one merged file, no input, .tmp or journal: " + names);
            assertTrue(names.get(0).matches("merged-L1-[0-9a-f-]{36}\\.parquet"), names.toString());
        }
        assertEquals(IntStream.range(1, 36).boxed().toList(),
                OrderRows.inLake(lake.toString()).stream().map(OrderRows.OrderRow::orderId).toList());
    }

    /** {@code count} orders from {@code from} in one small Parquet file, named as a micro-batch's. */
    private static void earlierRunFile(Path lake, int from, int count) throws Exception {
        Path folder = Files.createDirectories(lake.resolve("date=" + DAY));
        Path tmp = folder.resolveSibling("tmp-" + from + ".parquet");
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            s.execute("COPY (SELECT i::INTEGER AS order_id, 'c' AS customer_name, 'r' AS restaurant_name, 'i' AS item, "
                    + "1.00::DECIMAL(10,2) AS amount, 'PLACED' AS order_status, "
                    + "(TIMESTAMPTZ '" + DAY + " 12:00:00+00' + to_microseconds(i)) AS created_at "
                    + "FROM range(" + from + ", " + (from + count) + ") t(i)) TO '" + tmp + "' (FORMAT parquet)");
        }
        Files.move(tmp, folder.resolve(LakeLayout.batchFile(UUID.randomUUID().toString(), 0)));
    }

    private static void sendOrders(PipelineConfig c, int from, int count) throws Exception {
        send(c, IntStream.range(from, from + count)
                .mapToObj(id -> utf8(event(id, "1.00", DAY + "T12:00:00." + String.format("%06d", id) + "Z")))
                .toList());
    }

    /** Reads the lake as a plain tool does, as often as it can: list the files, read them all. */
    private static final class ListingReader implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong reads = new AtomicLong();
        private final AtomicLong duplicates = new AtomicLong();
        private volatile String lastError = "none";
        private final Thread thread;

        ListingReader(Path lake) {
            thread = new Thread(() -> {
                try (Connection duck = DriverManager.getConnection("jdbc:duckdb:")) {
                    while (running.get()) {
                        // A statement per read: DuckDB closes one whose query failed.
                        try (Statement s = duck.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) - count(DISTINCT order_id) FROM read_parquet('"
                                + lake + "/*/*.parquet', hive_partitioning = false)")) {
                            rs.next();
                            duplicates.addAndGet(rs.getLong(1));
                            reads.incrementAndGet();
                        } catch (java.sql.SQLException fileGone) {
                            // A file deleted between the listing and the read: a plain reader's retry.
                            lastError = fileGone.getMessage();
                        }
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "listing-reader");
            thread.start();
        }

        long reads() {
            return reads.get();
        }

        String lastError() {
            return lastError;
        }

        long duplicates() {
            return duplicates.get();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }

    /** ChildMain's third argument: hold the merge at its step for a while, then go on. */
    private static final String HOLD = "hold";

    /**
     * The consumer in a JVM of its own, so that it can be killed: its query with a merge that
     * stops dead at the step named by args[1]; with {@link #HOLD} as args[2], a merge that is
     * held there for {@value #HELD_MS} ms whatever interrupts it, and then goes on, and the
     * consumer's own shutdown hook.
     */
    public static final class ChildMain {
        private static final long HELD_MS = 3_000;

        private ChildMain() {
        }

        public static void main(String[] args) throws Exception {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            PipelineConfig config = ConfigLoader.load(Path.of(args[0]));
            String stopAt = args[1];
            boolean hold = args.length > 2 && args[2].equals(HOLD);
            SparkSession spark = SparkSessions.local("CompactionKillIT-child", 1);
            AtomicReference<StreamingQuery> query = new AtomicReference<>();
            if (hold) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> ConsumerJob.stopAndAwaitMerge(query.get())));
            }
            Compactor.Steps steps = step -> {
                if (step.equals(stopAt)) {
                    System.out.println("REACHED " + step);
                    System.out.flush();
                    if (hold) {
                        holdThrough(HELD_MS);
                    } else {
                        try {
                            Thread.sleep(Long.MAX_VALUE);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            query.set(ConsumerJob.start(spark, config, steps));
            query.get().awaitTermination();
        }

        /** Sleeps {@code millis} through interrupts, as a slow disk write would; then re-sets the interrupt. */
        private static void holdThrough(long millis) {
            if (Compactor.pause(millis)) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
