package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.config.PipelineConfig;
import foodcdc.lake.LakeLayout;
import foodcdc.consumer.OrderRows.OrderRow;
import foodcdc.stack.JobProcess;
import foodcdc.stack.LocalStack;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Guarantees 1–3 under fire: while {@link ChaosWorkload} inserts orders the hard ways, the
 * producer, the consumer and the Kafka broker are killed with SIGKILL and PostgreSQL is
 * restarted (fast and immediate shutdown), at random moments, and everything is restarted.
 * Events already in the topic are also sent again, as Spark's at-least-once Kafka sink does
 * when a write is retried: the kills alone seldom hit the instant that makes the producer
 * publish twice, and the consumer's de-duplication must be put to work, not assumed.
 * Once drained, the lake (read by DuckDB, listing files) must hold every valid row of the table
 * exactly once with identical values, and the quarantine every invalid one.
 *
 * <p>In change capture mode ({@code streaming.capture: changes}) the same, shorter, with
 * updates and deletes among the inserts: the change history must hold every valid change of
 * the change table exactly once with identical values, the quarantine every invalid one, and
 * the documented current-state view must equal the table.
 *
 * <p>The faults and the inserts follow a seeded random sequence, printed with the summary;
 * {@code -Dchaos.seed=N} replays it (the timing of processes differs from run to run).
 */
class ChaosIT {
    private static final long SEED = Long.getLong("chaos.seed", 20_261_124L);
    private static final int FAULTS_PER_KIND = 4;
    private static final int EXTRA_FAULTS = 3;
    private static final Duration DRAIN = Duration.ofSeconds(180);

    enum Fault {
        KILL_PRODUCER("kill -9 producer"),
        KILL_CONSUMER("kill -9 consumer"),
        KILL_KAFKA("kill -9 Kafka broker"),
        POSTGRES_FAST("PostgreSQL fast shutdown + restart"),
        POSTGRES_IMMEDIATE("PostgreSQL immediate shutdown + restart"),
        RESEND_EVENTS("events re-sent to the topic (at-least-once sink)");

        final String label;

        Fault(String label) {
            this.label = label;
        }
    }

    private ThrowawayStack stack;
    private PipelineConfig c;
    /** Change capture mode: the lake is the change history, keyed by change_id. */
    private boolean changes;
    private String lake;
    private JobProcess producer;
    private JobProcess consumer;
    private Path producerLog;
    private Path consumerLog;
    private int resent;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void shouldDeliverEveryValidRowExactlyOnceThroughKillsAndRestartsOfEveryComponent() throws Exception {
        chaos("inserts", FAULTS_PER_KIND, EXTRA_FAULTS);
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    void shouldDeliverEveryChangeExactlyOnceThroughKillsAndRestartsOfEveryComponent() throws Exception {
        chaos("changes", 2, 1);
    }

    private void chaos(String capture, int faultsPerKind, int extraFaults) throws Exception {
        System.out.println("Chaos test (" + capture + "): seed " + SEED + " (replay with -Dchaos.seed=" + SEED + ")");
        Random random = new Random(SEED);
        changes = capture.equals("changes");
        try (ThrowawayStack s = ThrowawayStack.create("chaos_" + capture, capture).durable().start(false)) {
            stack = s;
            c = s.config();
            lake = changes ? LakeLayout.changeHistory(c.datalake().path()) : c.datalake().path();
            producerLog = s.dir().resolve("producer.log");
            consumerLog = s.dir().resolve("consumer.log");
            producer = JobProcess.script("producer_spark_submit.sh", s.configFile(), producerLog);
            consumer = JobProcess.script("consumer_spark_submit.sh", s.configFile(), consumerLog);
            Map<Fault, Integer> injected = new EnumMap<>(Fault.class);
            LakeReaderWatch reader = new LakeReaderWatch(lake, changes ? "change_id" : "order_id").start();
            long drainSeconds;
            ChaosWorkload workload = new ChaosWorkload(s::connect, c.postgres().table(), SEED, changes).start();
            // The jobs are restarted by the faults, so they are fields, ended here whatever happens.
            try {
                try {
                    consumer.awaitLine("Consumer started", Duration.ofSeconds(120));
                    for (Fault fault : plan(random, faultsPerKind, extraFaults)) {
                        Thread.sleep(2_000 + random.nextInt(5_000));
                        inject(fault, random);
                        injected.merge(fault, 1, Integer::sum);
                    }
                } finally {
                    workload.close();
                }
                drainSeconds = awaitDrained();
            } finally {
                reader.close();
                producer.close();
                consumer.close();
            }
            if (changes) {
                reconcileChanges(workload, injected, reader, drainSeconds, 2 * Fault.values().length - 3);
            } else {
                reconcile(workload, injected, reader, drainSeconds);
            }
        }
    }

    /** Every kind {@code perKind} times and {@code extra} more at random, in a random order. */
    private static List<Fault> plan(Random random, int perKind, int extra) {
        List<Fault> plan = new ArrayList<>();
        for (Fault f : Fault.values()) {
            for (int i = 0; i < perKind; i++) {
                plan.add(f);
            }
        }
        for (int i = 0; i < extra; i++) {
            plan.add(Fault.values()[random.nextInt(Fault.values().length)]);
        }
        Collections.shuffle(plan, random);
        return plan;
    }

    /** Breaks one thing, leaves it down for 0–4 s, and brings it back the way an operator would; or re-sends events. */
    private void inject(Fault fault, Random random) throws Exception {
        long down = random.nextInt(4_000);
        if (fault != Fault.RESEND_EVENTS) {
            System.out.println("chaos: " + fault.label + " (down " + down + " ms)");
        }
        switch (fault) {
            case KILL_PRODUCER -> {
                producer.kill();
                Thread.sleep(down);
                producer = JobProcess.script("producer_spark_submit.sh", stack.configFile(), producerLog);
            }
            case KILL_CONSUMER -> {
                consumer.kill();
                Thread.sleep(down);
                consumer = JobProcess.script("consumer_spark_submit.sh", stack.configFile(), consumerLog);
            }
            case KILL_KAFKA -> restart(LocalStack.KAFKA, "KILL", down);
            case POSTGRES_FAST -> restart(LocalStack.POSTGRES, "INT", down);
            case POSTGRES_IMMEDIATE -> restart(LocalStack.POSTGRES, "QUIT", down);
            case RESEND_EVENTS -> {
                int n = TopicEvents.resend(c, random, 1 + random.nextInt(300));
                resent += n;
                System.out.println("chaos: " + n + " " + fault.label);
            }
        }
    }

    private void restart(String component, String signal, long downMillis) throws Exception {
        stack.stack().stop(component, signal);
        Thread.sleep(downMillis);
        stack.start(false);
    }

    /** Waits until every valid row of the table (every valid change) is in the lake; returns how long it took. */
    private long awaitDrained() throws Exception {
        long start = System.nanoTime();
        try {
            Wait.every(Duration.ofSeconds(1)).look(() -> {
                assertJobsAlive();
                if (changes) {
                    Set<Long> missing = new HashSet<>(ChangeRows.inChangeTable(stack::connect, c, ChangeRows.VALID)
                            .keySet());
                    missing.removeAll(ChangeRows.inHistory(lake).keySet());
                    return new Missing(missing);
                }
                Set<Long> missing = new HashSet<>();
                ids(validInPostgres()).forEach(id -> missing.add((long) id));
                ids(OrderRows.inLake(c.datalake().path())).forEach(id -> missing.remove((long) id));
                return new Missing(missing);
            }, m -> m.ids().isEmpty(), DRAIN, changes ? "every valid change of the change table in the history"
                    : "every valid row of the table in the lake");
        } catch (Wait.TimedOut e) {
            throw new AssertionError(e.getMessage() + "\nproducer:\n" + tail(producerLog) + "\nconsumer:\n"
                    + tail(consumerLog), e);
        }
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
    }

    /** Valid rows (or changes) not in the lake. */
    private record Missing(Set<Long> ids) {
        @Override
        public String toString() {
            return ids.size() + " valid rows or changes, e.g. " + ids.stream().limit(10).toList();
        }
    }

    private void assertJobsAlive() {
        assertTrue(producer.isAlive(), "the producer ended by itself:\n" + tail(producerLog));
        assertTrue(consumer.isAlive(), "the consumer ended by itself:\n" + tail(consumerLog));
    }

    private void reconcile(ChaosWorkload workload, Map<Fault, Integer> injected, LakeReaderWatch reader,
                           long drainSeconds) throws Exception {
        List<OrderRow> valid = validInPostgres();
        List<OrderRow> invalid;
        long rowsInTable;
        try (Connection conn = stack.connect(); Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM \"" + c.postgres().table() + "\"")) {
            rs.next();
            rowsInTable = rs.getLong(1);
            invalid = OrderRows.inPostgres(conn, c.postgres().table(), OrderRows.INVALID);
        }
        List<OrderRow> lake = OrderRows.inLake(c.datalake().path());
        Set<Integer> validIds = ids(valid);
        Set<Integer> lakeIds = ids(lake);
        Set<Integer> lost = new HashSet<>(validIds);
        lost.removeAll(lakeIds);
        Set<Integer> unexpected = new HashSet<>(lakeIds);
        unexpected.removeAll(validIds);
        int duplicated = lake.size() - lakeIds.size();
        Set<OrderRow> differing = new HashSet<>(lake);
        differing.removeAll(valid);

        Map<Integer, String> quarantined = OrderRows.quarantined(c.datalake().path());
        List<String> wronglyQuarantined = invalid.stream()
                .filter(r -> !OrderRows.expectedReason(r).equals(quarantined.get(r.orderId())))
                .map(r -> r.orderId() + " (" + quarantined.get(r.orderId()) + ")").toList();
        var events = stack.readTopic(c.kafka().topic());
        long eventsInTopic = events.size();
        Set<Integer> keysInTopic = new HashSet<>();
        events.forEach(r -> keysInTopic.add(Integer.parseInt(r.key())));
        Set<Integer> unacknowledged = new HashSet<>(workload.acknowledged());
        unacknowledged.removeAll(validIds);
        unacknowledged.removeAll(ids(invalid));

        int faults = injected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("Chaos summary (seed " + SEED + "):\n"
                + "  faults injected: " + faults + " — " + injected.entrySet().stream()
                        .map(e -> e.getKey().label + " " + e.getValue()).collect(Collectors.joining(", ")) + "\n"
                + "  writes committed: " + workload.committed() + "; writes cut off by faults: "
                + workload.failedWrites() + "\n"
                + "  rows inserted (in the table, incl. 10 samples): " + rowsInTable + ", valid " + valid.size()
                + ", invalid " + invalid.size() + "\n"
                + "  Kafka: " + eventsInTopic + " events of " + keysInTopic.size() + " orders: "
                + (eventsInTopic - keysInTopic.size()) + " extra copies for the consumer to drop (" + resent
                + " re-sent by the test)\n"
                + "  in lake: " + lakeIds.size() + ", lost: " + lost.size() + ", duplicated: " + duplicated
                + ", not valid in PostgreSQL: " + unexpected.size() + ", values differ: " + differing.size() + "\n"
                + "  quarantined: " + quarantined.size() + " distinct orders; invalid rows without their reason "
                + "there: " + wronglyQuarantined.size() + "\n"
                + "  a file-listing reader saw a duplicate " + reader.duplicateSightings() + " times in "
                + reader.samples() + " reads\n"
                + "  drained " + drainSeconds + " s after the last fault\n"
                + "  job log lines: producer " + linesWith(producerLog, "Waiting for PostgreSQL", "Waiting for Kafka",
                        "=== launch") + "; consumer " + linesWith(consumerLog, "Waiting for Kafka", "Stream failed",
                        "=== launch", "Merged ", "Finishing the merge"));

        int crashes = faults - injected.getOrDefault(Fault.RESEND_EVENTS, 0);
        assertTrue(crashes >= 20, "only " + crashes + " kills and restarts");
        assertTrue(eventsInTopic > keysInTopic.size(), "no order was sent twice: de-duplication was not exercised");
        assertEquals(Set.of(), unacknowledged, "commits acknowledged by PostgreSQL but not in the table");
        assertEquals(Set.of(), lost, "valid rows missing from the lake");
        assertEquals(0, duplicated, "rows more than once in the lake");
        assertEquals(Set.of(), unexpected, "lake rows that are not valid rows of the table");
        assertEquals(Set.of(), differing, "lake rows whose values differ from PostgreSQL");
        assertEquals(List.of(), wronglyQuarantined, "invalid rows not quarantined with their reason");
        assertEquals(0, reader.duplicateSightings(), "a reader saw duplicates while the pipeline ran");
        assertTrue(linesWith(consumerLog, "Merged ").get("Merged ") > 0, "no compaction ran during the chaos");
    }

    /**
     * Change capture mode: the history against the change table (every valid change once, with
     * its values; every invalid one in the quarantine with its reason), the documented view of
     * the current state against the table, and the summary.
     */
    private void reconcileChanges(ChaosWorkload workload, Map<Fault, Integer> injected, LakeReaderWatch reader,
                                  long drainSeconds, int minCrashes) throws Exception {
        Map<Long, String> valid = ChangeRows.inChangeTable(stack::connect, c, ChangeRows.VALID);
        Map<Long, String> invalid = ChangeRows.inChangeTable(stack::connect, c, ChangeRows.INVALID);
        Map<Long, String> history = ChangeRows.inHistory(lake);
        Set<Long> lost = new HashSet<>(valid.keySet());
        lost.removeAll(history.keySet());
        Map<Long, String> differing = new TreeMap<>(history);
        differing.entrySet().removeIf(e -> e.getValue().equals(valid.get(e.getKey())));
        Map<Long, String> quarantined = ChangeRows.quarantined(lake);
        List<Long> wronglyQuarantined = invalid.entrySet().stream()
                .filter(e -> !(e.getValue().split(" ")[4].equals("-") ? "null_amount" : "negative_amount")
                        .equals(quarantined.get(e.getKey()))).map(Map.Entry::getKey).toList();
        // The current state of every order whose row is valid now; none deleted may show.
        List<String> tableNow = ChangeRows.currentState(stack::connect, c, OrderRows.VALID);
        Set<Integer> invalidNow;
        try (Connection conn = stack.connect()) {
            invalidNow = ids(OrderRows.inPostgres(conn, c.postgres().table(), OrderRows.INVALID));
        }
        String notInvalid = invalidNow.isEmpty() ? "true" : "order_id NOT IN (" + invalidNow.stream().map(String::valueOf)
                .collect(Collectors.joining(", ")) + ")";
        List<String> viewNow = ChangeRows.viewed(lake, notInvalid);
        Set<String> stateDiffers = new HashSet<>(tableNow);
        stateDiffers.removeAll(viewNow);
        Set<String> stateExtra = new HashSet<>(viewNow);
        stateExtra.removeAll(tableNow);

        var events = stack.readTopic(c.kafka().topic());
        Set<Long> changesInTopic = new HashSet<>();
        events.forEach(r -> ChangeRows.changeIdOf(r.value()).ifPresent(changesInTopic::add));
        int faults = injected.values().stream().mapToInt(Integer::intValue).sum();
        System.out.println("Chaos summary, change capture (seed " + SEED + "):\n"
                + "  faults injected: " + faults + " — " + injected.entrySet().stream()
                        .map(e -> e.getKey().label + " " + e.getValue()).collect(Collectors.joining(", ")) + "\n"
                + "  writes committed: " + workload.committed() + "; writes cut off by faults: "
                + workload.failedWrites() + "\n"
                + "  change table: " + (valid.size() + invalid.size()) + " changes, valid " + valid.size() + ", invalid "
                + invalid.size() + "; orders now " + (tableNow.size() + invalidNow.size()) + "\n"
                + "  Kafka: " + events.size() + " events of " + changesInTopic.size() + " changes: "
                + (events.size() - changesInTopic.size()) + " extra copies (" + resent + " re-sent by the test)\n"
                + "  in history: " + history.size() + ", lost: " + lost.size() + ", values differ or not valid: "
                + differing.size() + "; quarantined: " + quarantined.size() + ", invalid without their reason there: "
                + wronglyQuarantined.size() + "\n"
                + "  current state: " + viewNow.size() + " orders in the view, differing from the table "
                + stateDiffers.size() + ", not in the table " + stateExtra.size() + "\n"
                + "  a file-listing reader saw a duplicate " + reader.duplicateSightings() + " times in "
                + reader.samples() + " reads\n"
                + "  drained " + drainSeconds + " s after the last fault\n"
                + "  job log lines: consumer " + linesWith(consumerLog, "Stream failed", "=== launch", "Merged "));

        int crashes = faults - injected.getOrDefault(Fault.RESEND_EVENTS, 0);
        assertTrue(crashes >= minCrashes, "only " + crashes + " kills and restarts");
        assertTrue(workload.committed().getOrDefault("deletes", 0L) > 0
                && workload.committed().getOrDefault("late-committing updates", 0L) > 0, workload.committed().toString());
        assertTrue(events.size() > changesInTopic.size(), "no change was sent twice: de-duplication was not exercised");
        assertEquals(Set.of(), lost, "valid changes missing from the history");
        assertEquals(Map.of(), differing, "history rows whose values differ from the change table, or not valid there");
        assertEquals(List.of(), wronglyQuarantined, "invalid changes not quarantined with their reason");
        assertEquals(Set.of(), stateDiffers, "orders of the table whose current state the view does not show");
        assertEquals(Set.of(), stateExtra, "orders in the view that the table does not hold so (deleted, or older)");
        assertEquals(0, reader.duplicateSightings(), "a reader saw a change twice while the pipeline ran");
    }

    private List<OrderRow> validInPostgres() throws Exception {
        try (Connection conn = stack.connect()) {
            return OrderRows.inPostgres(conn, c.postgres().table(), OrderRows.VALID);
        }
    }

    private static Set<Integer> ids(List<OrderRow> rows) {
        return rows.stream().map(OrderRow::orderId).collect(Collectors.toCollection(HashSet::new));
    }

    /** How many lines of a job's log contain each text: what the jobs went through. */
    private static Map<String, Long> linesWith(Path log, String... texts) throws Exception {
        List<String> lines = Files.readAllLines(log);
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String t : texts) {
            counts.put(t, lines.stream().filter(l -> l.contains(t)).count());
        }
        return counts;
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    /** Reads the lake as an outside reader would, every 2 s, counting reads that saw a duplicate {@code key}. */
    private static final class LakeReaderWatch implements AutoCloseable {
        private final String lake;
        private final String key;
        private final Thread thread;
        private final Map<String, Integer> counts = new HashMap<>();
        private volatile boolean running = true;

        LakeReaderWatch(String lake, String key) {
            this.lake = lake;
            this.key = key;
            this.thread = new Thread(this::run, "chaos-lake-reader");
        }

        LakeReaderWatch start() {
            thread.start();
            return this;
        }

        private void run() {
            while (running) {
                try {
                    LakeFiles.Counts seen = LakeFiles.rowsAndKeys(lake, key);
                    synchronized (counts) {
                        counts.merge("samples", 1, Integer::sum);
                        if (seen.sawDuplicate()) {
                            counts.merge("duplicates", 1, Integer::sum);
                        }
                    }
                } catch (Exception e) {
                    // A file renamed between listing and reading: this read does not count.
                }
                try {
                    Thread.sleep(2_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        int samples() {
            synchronized (counts) {
                return counts.getOrDefault("samples", 0);
            }
        }

        int duplicateSightings() {
            synchronized (counts) {
                return counts.getOrDefault("duplicates", 0);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.interrupt();
            thread.join(30_000);
        }
    }
}
