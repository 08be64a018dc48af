package foodcdc.bench;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.OrderEvent;
import foodcdc.kafka.TopicReader;
import foodcdc.lake.LakeLayout;
import foodcdc.sql.SqlIdentifier;
import foodcdc.stack.JobProcess;
import foodcdc.stack.LocalStack;
import foodcdc.stack.Ports;
import foodcdc.stack.Repository;
import foodcdc.stack.ThrowawayStack;
import foodcdc.stack.Wait;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * scripts/bench.sh: starts its own stack (free ports, a temporary folder; a user's stack is
 * never touched), runs the latency and backlog scenarios with the real job scripts, prints a
 * table and writes the same results as JSON under var/bench/.
 */
public final class Benchmark {
    private static final int SAMPLE_ORDERS = 10; // db/orders.sql's
    /** The backlog of the metrics cost scenario: long enough to measure, short enough to repeat. */
    private static final int METRICS_COST_BACKLOG = 200_000;

    private final BenchOptions options;
    private final Path dir;
    private final LocalStack stack;
    private final PipelineConfig base;

    private Benchmark(BenchOptions options, Path dir) throws Exception {
        this.options = options;
        this.dir = dir;
        // The shipped config's values (its tuning keys at their defaults), on free ports and in
        // the temporary folder.
        this.base = ThrowawayStack.named(
                ThrowawayStack.onFreePorts(ThrowawayStack.shippedConfig(), "orders_bench", "bench", "bench-password"),
                "bench", dir);
        this.stack = new LocalStack(base, Repository.home(), dir.resolve("stack"));
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(BenchOptions.USAGE);
            return;
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench.sh: " + e.getMessage() + "\n" + BenchOptions.USAGE);
            System.exit(ExitCode.BAD_CONFIG.number);
            return;
        }
        Path dir = Files.createTempDirectory("orders-bench-");
        Benchmark bench = new Benchmark(options, dir);
        Thread stopper = new Thread(bench::stopStack, "stop-bench-stack");
        Runtime.getRuntime().addShutdownHook(stopper);
        boolean ok = false;
        try {
            Report report = bench.run();
            System.out.println();
            System.out.println(report.table());
            Path json = report.writeJson(Repository.home().resolve("var/bench"));
            System.out.println("Results: " + json);
            ok = true;
        } finally {
            bench.stopStack();
            Runtime.getRuntime().removeShutdownHook(stopper);
            if (ok && !options.keep()) {
                delete(dir);
            } else {
                System.err.println("bench.sh: " + (ok ? "" : "failed; ") + "job logs and lakes kept in " + dir);
            }
        }
    }

    private Report run() throws Exception {
        System.out.println("Starting a stack in " + dir + (options.cluster() ? " with a Spark standalone cluster" : ""));
        stack.start(LocalStack.Options.defaults().withCluster(options.cluster()));
        Report report = new Report(options, machine());
        if (options.seconds() > 0) {
            for (int interval : options.batchIntervals()) {
                report.latency.add(latency(interval, 0));
            }
            if (options.grownFiles() > 0) {
                report.latency.add(latency(options.batchIntervals().get(options.batchIntervals().size() - 1),
                        options.grownFiles()));
            }
        }
        if (options.seconds() > 0 && options.changes()) {
            report.latency.add(changeLatency(options.batchIntervals().get(options.batchIntervals().size() - 1)));
        }
        if (options.backlog() > 0) {
            report.backlog = backlog(options.backlog());
        }
        if (options.metricsRounds() > 0) {
            report.metricsCost = metricsCost(options.metricsRounds());
        }
        return report;
    }

    /**
     * Steady inserts; for each order, commit → visible to a reader listing the lake. With
     * {@code prefilledFiles}, today's partition first gets that many files of an earlier day's
     * traffic ({@link GrownLake}).
     */
    private Report.Latency latency(int batchInterval, int prefilledFiles) throws Exception {
        String name = (prefilledFiles == 0 ? "latency_" : "grown_latency_") + batchInterval + "s";
        return latency(name, scenario(name, batchInterval), batchInterval, prefilledFiles);
    }

    private Report.Latency latency(String name, PipelineConfig c, int batchInterval, int prefilledFiles)
            throws Exception {
        long prefilledOrders = 0;
        if (prefilledFiles > 0) {
            System.out.printf("%s: today's partition gets %,d files of %d orders%n", name, prefilledFiles,
                    GrownLake.ORDERS_PER_FILE);
            prefilledOrders = GrownLake.fill(Path.of(c.datalake().path()), prefilledFiles, dir.resolve(name));
        }
        System.out.printf("%s: %d orders/s for %d s, batch_interval %d s%n", name, options.rate(), options.seconds(),
                batchInterval);
        Set<Long> timed = ConcurrentHashMap.newKeySet();
        try (RssSampler rss = new RssSampler();
             LakeWatcher lake = new LakeWatcher(Path.of(c.datalake().path()), timed, GrownLake::isPrefilled);
             Jobs jobs = Jobs.start(this, c, rss, List.of("producer", "consumer"))) {
            lake.awaitOrders(SAMPLE_ORDERS, Duration.ofMinutes(10)); // both jobs warmed up (a grown lake indexed)
            // Ids are known only once inserted: time every id the table can hand out next.
            Map<Long, Long> committed = write(c, lake, timed, db -> maxOrderId(db, c),
                    db -> OrderInserter.steady(db, c.postgres().table(), options.rate(), options.seconds()));
            jobs.stop();
            rss.stop();
            return timings(batchInterval, prefilledFiles, prefilledOrders, false, committed, lake, rss);
        }
    }

    /**
     * Change capture mode ({@code streaming.capture: changes}): steady updates of the sample
     * orders, each its own transaction; for each change, commit → visible in the change history
     * to a reader listing it, as {@link #latency} for inserts.
     */
    private Report.Latency changeLatency(int batchInterval) throws Exception {
        String name = "change_latency_" + batchInterval + "s";
        PipelineConfig c = scenario(name, batchInterval, PipelineConfig.Streaming.CHANGES);
        System.out.printf("%s: %d updates/s for %d s, batch_interval %d s%n", name, options.rate(), options.seconds(),
                batchInterval);
        Set<Long> timed = ConcurrentHashMap.newKeySet();
        Path history = Path.of(LakeLayout.changeHistory(c.datalake().path()));
        try (RssSampler rss = new RssSampler(); LakeWatcher lake = LakeWatcher.changes(history, timed);
             Jobs jobs = Jobs.start(this, c, rss, List.of("producer", "consumer"))) {
            lake.awaitOrders(SAMPLE_ORDERS, Duration.ofMinutes(10)); // the snapshot of the samples: both jobs warmed up
            // change_ids are known only once the trigger took them: time every one it can take next.
            Map<Long, Long> committed = write(c, lake, timed, db -> OrderInserter.lastChangeId(db, c.postgres().table()),
                    db -> OrderInserter.steadyUpdates(db, c.postgres().table(), options.rate(), options.seconds()));
            jobs.stop();
            rss.stop();
            return timings(batchInterval, 0, 0, true, committed, lake, rss);
        }
    }

    /** A step of a scenario that reads or writes the source. */
    private interface Source<T> {
        T apply(Connection db) throws Exception;
    }

    /**
     * The latency scenarios' writes: every key after {@code lastKey} timed, the writes by
     * {@code writer} (key → when its commit returned), then a wait until the lake shows them.
     */
    private Map<Long, Long> write(PipelineConfig c, LakeWatcher lake, Set<Long> timed, Source<Long> lastKey,
                                  Source<Map<Long, Long>> writer) throws Exception {
        Map<Long, Long> committed;
        try (Connection db = connect(c)) {
            long next = lastKey.apply(db) + 1;
            for (long id = next; id < next + (long) options.rate() * options.seconds() * 2; id++) {
                timed.add(id);
            }
            committed = writer.apply(db);
        }
        try {
            lake.awaitOrders(SAMPLE_ORDERS + committed.size(), Duration.ofMinutes(2));
        } catch (Wait.TimedOut | IllegalStateException e) {   // late, or a lake file unreadable
            System.out.println("WARNING: " + e.getMessage());
        }
        return committed;
    }

    /** Each timed key's commit → first visible, and what else the run saw. */
    private static Report.Latency timings(int batchInterval, int prefilledFiles, long prefilledOrders, boolean changes,
                                          Map<Long, Long> committed, LakeWatcher lake, RssSampler rss) {
        long missing = 0;
        List<Long> millis = new ArrayList<>();
        for (var e : committed.entrySet()) {
            Long visible = lake.visibleAtNanos().get(e.getKey());
            if (visible == null) {
                missing++;
            } else {
                millis.add(Math.max(0, (visible - e.getValue()) / 1_000_000));
            }
        }
        return new Report.Latency(batchInterval, prefilledFiles, prefilledOrders, changes, committed.size(),
                Percentiles.of(millis.stream().mapToLong(Long::longValue).toArray()), missing, lake.duplicates(),
                rss.peaksMb());
    }

    /** N orders already in the table when both jobs start: time to Kafka, time to the lake. */
    private Report.Backlog backlog(int n) throws Exception {
        PipelineConfig c = scenario("backlog", base.streaming().batchInterval());
        System.out.printf("backlog: inserting %,d orders before the jobs start%n", n);
        try (Connection db = connect(c)) {
            OrderInserter.backlog(db, c.postgres().table(), n);
        }
        long total = SAMPLE_ORDERS + (long) n;
        System.out.printf("backlog: starting both jobs on %,d orders%n", total);
        try (RssSampler rss = new RssSampler(); LakeWatcher lake = new LakeWatcher(Path.of(c.datalake().path()), Set.of())) {
            Drain[] drained = drain("backlog", c, total, rss, lake);
            lake.stop();
            rss.stop();
            Drain consumerAlone = consumerAlone(c, total);
            System.out.printf("backlog: the floor, with plain clients on the same table%n");
            PlainToolsFloor.Result floor = PlainToolsFloor.measure(c, total, dir.resolve("floor"));
            System.out.printf("backlog: floor %.1f s to Kafka, %.1f s to the lake%n", floor.toKafkaSeconds(),
                    floor.toLakeSeconds());
            return new Report.Backlog(total, drained[0], drained[1], consumerAlone, floor, lake.files(),
                    lake.duplicates(), rss.peaksMb());
        }
    }

    /** Both jobs started on {@code total} orders in the table: seconds until all are in Kafka, and in the lake. */
    private Drain[] drain(String name, PipelineConfig c, long total, RssSampler rss, LakeWatcher lake) throws Exception {
        long start = System.nanoTime();
        Jobs jobs = Jobs.start(this, c, rss, List.of("producer", "consumer"));
        try {
            Drain toKafka = awaitTopicDrain(c, total, start, Duration.ofMinutes(10));
            System.out.printf("%s: all in Kafka after %.1f s (first records after %.1f s; steady %.1f s)%n", name,
                    toKafka.wholeSeconds(), toKafka.firstSeconds(), toKafka.steadySeconds());
            Drain toLake = lake.awaitDrain(total, start, Duration.ofMinutes(10));
            System.out.printf("%s: all in the lake after %.1f s (first orders after %.1f s; steady %.1f s)%n", name,
                    toLake.wholeSeconds(), toLake.firstSeconds(), toLake.steadySeconds());
            return new Drain[] {toKafka, toLake};
        } finally {
            jobs.stop();
        }
    }

    /**
     * What the metrics endpoints cost: the same two runs (the latency scenario at batch_interval
     * 1, a backlog of {@link #METRICS_COST_BACKLOG}) with both endpoints on and scraped every
     * second, and with both off, alternated round by round (on first, then off first), so that a
     * machine growing busier does not favour one side.
     */
    private Report.MetricsCost metricsCost(int rounds) throws Exception {
        Report.MetricsCost cost = new Report.MetricsCost(rounds, METRICS_COST_BACKLOG);
        for (int round = 0; round < rounds; round++) {
            for (boolean on : round % 2 == 0 ? List.of(true, false) : List.of(false, true)) {
                String tag = (on ? "on_" : "off_") + round;
                String name = "metrics_latency_" + tag;
                PipelineConfig c = scenario(name, 1, "inserts", on);
                Report.Latency latency;
                try (Scraper scraper = Scraper.start(c, on)) {
                    latency = latency(name, c, 1, 0);
                    System.out.printf("%s: p50 %d ms, p99 %d ms%s%n", name, latency.millis().p50(),
                            latency.millis().p99(), scraper.describe());
                }
                name = "metrics_backlog_" + tag;
                c = scenario(name, base.streaming().batchInterval(), "inserts", on);
                try (Connection db = connect(c)) {
                    OrderInserter.backlog(db, c.postgres().table(), METRICS_COST_BACKLOG);
                }
                Drain[] drained;
                try (Scraper scraper = Scraper.start(c, on); RssSampler rss = new RssSampler();
                     LakeWatcher lake = new LakeWatcher(Path.of(c.datalake().path()), Set.of())) {
                    drained = drain(name, c, SAMPLE_ORDERS + METRICS_COST_BACKLOG, rss, lake);
                    System.out.printf("%s: %s%n", name, scraper.describe());
                }
                cost.add(on, latency.millis(), drained[1].wholeSeconds());
            }
        }
        return cost;
    }

    /** The consumer alone, from a new checkpoint into a new lake, on the topic the backlog filled. */
    private Drain consumerAlone(PipelineConfig c, long total) throws Exception {
        Path d = dir.resolve("consumer_alone");
        PipelineConfig alone = ThrowawayStack.withFolders(c, d);
        Files.createDirectories(d);
        ConfigWriter.writeWithSecretFiles(alone, d.resolve("orders_stream.yml"), d.resolve("secrets"));
        try (RssSampler rss = new RssSampler(); LakeWatcher lake = new LakeWatcher(d.resolve("lake"), Set.of())) {
            long start = System.nanoTime();
            Jobs jobs = Jobs.start(this, alone, rss, List.of("consumer"));
            try {
                Drain drained = lake.awaitDrain(total, start, Duration.ofMinutes(10));
                System.out.printf("backlog: the consumer alone wrote the topic to a new lake in %.1f s (first orders "
                        + "after %.1f s; steady %.1f s)%n", drained.wholeSeconds(), drained.firstSeconds(),
                        drained.steadySeconds());
                return drained;
            } finally {
                jobs.stop();
            }
        }
    }

    /** A config of this stack with its own table (sample orders included), topic and folders. */
    private PipelineConfig scenario(String name, int batchInterval) throws Exception {
        return scenario(name, batchInterval, "inserts");   // whatever ORDERS_STREAMING_CAPTURE says
    }

    /** {@link #scenario(String, int)} (insert mode) in a capture mode ({@code streaming.capture}). */
    private PipelineConfig scenario(String name, int batchInterval, String capture) throws Exception {
        return scenario(name, batchInterval, capture, true);
    }

    /** {@link #scenario(String, int, String)} with both metrics endpoints on (free ports) or off. */
    private PipelineConfig scenario(String name, int batchInterval, String capture, boolean metrics) throws Exception {
        Path d = dir.resolve(name);
        PipelineConfig c = ThrowawayStack.named(base, name, d);
        c = c.withStreaming(c.streaming().withBatchInterval(batchInterval).withCapture(capture))
                .withMetrics(metrics ? Ports.freeMetricsPorts()
                        : PipelineConfig.Metrics.off("127.0.0.1"));
        Files.createDirectories(d);
        stack.createSource(c);
        // The password and Kafka's client properties (a JAAS config) in owner-only files, not in the YAML.
        ConfigWriter.writeWithSecretFiles(c, d.resolve("orders_stream.yml"), d.resolve("secrets"));
        return c;
    }

    /** Waits until the topic's partitions hold {@code n} records in all, noting when the first arrived (looked at every 100 ms). */
    private static Drain awaitTopicDrain(PipelineConfig c, long n, long startNanos, Duration timeout) throws Exception {
        var props = KafkaClientProperties.consumer(c.kafka().properties(), Map.of("bootstrap.servers", c.kafka().brokers()));
        try (var consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            var partitions = TopicReader.partitions(consumer, c.kafka().topic(), Duration.ofSeconds(30));
            long[] first = {-1, 0};
            Wait.every(Duration.ofMillis(100)).look(() -> {
                long records = TopicReader.endOffsetsSum(consumer, partitions, Duration.ofSeconds(30));
                if (first[0] < 0 && records > 0) {
                    first[0] = System.nanoTime();
                    first[1] = records;
                }
                return records;
            }, records -> records >= n, timeout, n + " records in the topic");
            return new Drain(n, startNanos, first[0], first[1], System.nanoTime());
        }
    }

    private static long maxOrderId(Connection db, PipelineConfig c) throws Exception {
        try (var s = db.createStatement();
             var rs = s.executeQuery("SELECT coalesce(max(" + OrderEvent.ORDER_ID + "), 0) FROM "
                     + SqlIdentifier.quote(c.postgres().table()))) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Connection connect(PipelineConfig c) throws Exception {
        return DriverManager.getConnection(c.postgres().jdbcUrl(), c.postgres().user(), c.postgres().password());
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try {
            cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(cpu);
        } catch (IOException e) {
            // keep "unknown CPU"
        }
        long memGb = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize() >> 30;
        return Runtime.getRuntime().availableProcessors() + " cores (" + cpu + "), " + memGb + " GiB, Java "
                + System.getProperty("java.version");
    }

    private void stopStack() {
        try {
            stack.stop();
        } catch (IOException e) {
            System.err.println("bench.sh: could not stop the stack: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** The two jobs of one scenario, started by their scripts, their JVMs measured. */
    private static final class Jobs implements AutoCloseable {
        private final List<JobProcess> processes = new ArrayList<>();
        private boolean closed;

        static Jobs start(Benchmark bench, PipelineConfig c, RssSampler rss, List<String> names) throws Exception {
            Path d = Path.of(c.datalake().path()).getParent();
            Path config = d.resolve("orders_stream.yml");
            Path log = d.resolve("jobs.log");
            Map<String, String> env = bench.options.cluster()
                    ? Map.of("SPARK_MASTER", bench.stack.sparkMasterUrl().orElseThrow(), "SPARK_CORES_MAX", "1")
                    : Map.of("SPARK_MASTER", "local[*]");
            Jobs jobs = new Jobs();
            Set<Long> executors = new HashSet<>();
            bench.stack.pid(LocalStack.KAFKA).ifPresent(pid -> rss.watch("kafka broker", pid));
            for (String job : names) {
                JobProcess p = JobProcess.script(job + "_spark_submit.sh", config, log, env);
                jobs.processes.add(p);
                rss.watch(job + " driver", p.pid());
                if (bench.options.cluster()) {
                    long executor = awaitExecutor(bench.dir.resolve("stack"), executors, p);
                    executors.add(executor);
                    rss.watch(job + " executor", executor);
                }
            }
            return jobs;
        }

        private static long awaitExecutor(Path stackDir, Set<Long> known, JobProcess job) throws Exception {
            return Wait.every(Duration.ofMillis(100)).look(() -> {
                job.assertAlive();
                return RssSampler.newExecutor(stackDir, known);
            }, Optional::isPresent, Duration.ofMinutes(2), "the job's executor to start").orElseThrow();
        }

        @Override
        public void close() {
            stop();
        }

        /** SIGTERM to each job, SIGKILL after a minute ({@link JobProcess#close}); once. */
        void stop() {
            if (closed) {
                return;
            }
            closed = true;
            processes.forEach(JobProcess::close);
        }
    }

}
