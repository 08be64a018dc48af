package foodcdc.validator;

import foodcdc.kafka.KafkaClientProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.cli.ExitCode;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.ChangeEvent;
import foodcdc.contract.OrderEvent;
import foodcdc.kafka.TopicReader;
import foodcdc.lake.LakeLayout;
import foodcdc.spark.SparkSessions;
import foodcdc.storage.PlainFiles;
import foodcdc.storage.StateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code validate_pipeline.sh [--config FILE]}: reconciles PostgreSQL, Kafka and the lake and
 * says, in plain words, what is missing, duplicated, different or quarantined (see
 * {@link Reconciliation} for the checks). Exit 0 only when consistent; 1 when not (the
 * differences are listed); 2 for a bad config; 3 when a store cannot be read (one line says
 * which and why, never a stack trace, since a half-read pipeline proves nothing).
 *
 * <p>The lake is read by listing its files, as any reader would, with Spark on the raw local
 * file system ({@link PlainFiles#SPARK_CONF}): a file rewritten by another tool has a stale
 * {@code .crc} sidecar that Hadoop's default local file system would refuse.
 *
 * <p>Memory: the whole table and the whole lake are held in the driver, about 700 bytes per
 * order for both sides together: the script's default 2 GB heap is
 * fine to about 2 million orders; a few million need {@code SPARK_DRIVER_MEMORY=4g} or
 * more. Reading is streamed (a server-side cursor, Spark's local iterator), so only the
 * compared values take room.
 */
public final class PipelineValidator {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineValidator.class);
    /** Kafka calls and the wait for the next record: a broker that does not answer ends the run. */
    static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(30);

    private PipelineValidator() {
    }

    public static void main(String[] args) throws Exception {
        System.exit(ExitCode.of(() -> run(ConfigCli.loadFromArgs(args, "validate_pipeline.sh"))).number);
    }

    /** Validates and prints the report, or one line saying what could not be done. */
    static ExitCode run(PipelineConfig config) {
        Steps steps = new Steps(config);
        SparkSession spark = null;
        try {
            spark = steps.run("Spark start", "start Spark", PipelineValidator::session);
            SparkSession s = spark;
            List<String> report;
            if (config.streaming().capturesChanges()) {
                ChangeReconciliation r = reconcileChanges(spark, config, steps);
                report = steps.run("comparison", "compare", r::report);
            } else {
                Reconciliation r = reconcile(spark, config, steps);
                report = steps.run("comparison", "compare", r::report);
            }
            String watermark = steps.run("watermark", "read the producer's watermark in "
                    + config.streaming().lastProcessedTimestampLocation(), () -> watermark(s, config));
            String lag = steps.run("lag", "read the consumer's checkpoint in " + config.streaming().checkpointLocation()
                    + " and the topic's end", () -> consumerLag(s, config));
            report.forEach(System.out::println);
            System.out.println("Watermark (producer): " + watermark);
            System.out.println("Consumer lag: " + lag);
            LOG.info("Validated in {}", steps);
            return Reconciliation.isConsistent(report) ? ExitCode.OK : ExitCode.FAILED;
        } catch (Steps.Failed e) {
            System.err.println("validate_pipeline.sh cannot validate: " + e.getMessage());
            return ExitCode.CANNOT_START;
        } finally {
            stopQuietly(spark);
        }
    }

    /** The answer is already known: a failure to stop Spark must not turn it into a stack trace. */
    private static void stopQuietly(SparkSession spark) {
        if (spark == null) {
            return;
        }
        try {
            spark.stop();
        } catch (RuntimeException e) {
            LOG.warn("Spark did not stop cleanly: {}", FailureMessage.of(e));
        }
    }

    /**
     * A local-file-friendly, UTC Spark session. Spark's own logging is silenced once it runs: a
     * failed read would otherwise print the same failure as stack traces from several of its
     * components, burying the one line that says what happened.
     */
    static SparkSession session() {
        SparkSession spark = SparkSessions.builder("orders-cdc-validate").config("spark.ui.enabled", "false")
                .getOrCreate();
        spark.sparkContext().setLogLevel("OFF");
        return spark;
    }

    /**
     * Reads the lake first, PostgreSQL last: while orders keep coming, an order the lake holds
     * was then committed before PostgreSQL is read, so "in the lake, not in PostgreSQL" is never
     * an order still travelling; the reverse (committed, not yet in the lake) can be:
     * docs/LOCAL_STACK.md says to run it again a few seconds later.
     */
    static Reconciliation reconcile(SparkSession spark, PipelineConfig config, Steps steps) throws Steps.Failed {
        LakeLayout layout = new LakeLayout(config.datalake().path());
        String lake = layout.lake.toString();
        String quarantined = layout.quarantine.toString();
        Map<String, String> unreadable = new LinkedHashMap<>();
        List<Reconciliation.LakeRow> lakeRows = steps.run("lake", "read the lake at " + lake,
                () -> LakeReader.lakeRows(spark, lake, unreadable));
        List<Reconciliation.Quarantined> quarantine = steps.run("quarantine", "read the quarantine at " + quarantined,
                () -> LakeReader.quarantine(spark, quarantined, unreadable));
        Set<Integer> keys = new HashSet<>();
        long events = steps.run("Kafka", "read Kafka topic " + config.kafka().topic() + " at " + config.kafka().brokers(),
                () -> topicKeys(config.kafka(), keys));
        var pg = config.postgres();
        SortedMap<Integer, OrderValues> source = steps.run("PostgreSQL", "read PostgreSQL table " + pg.table() + " at "
                + pg.host() + ":" + pg.port() + "/" + pg.db(), () -> SourceTable.read(pg));
        return new Reconciliation(source, events, keys, lakeRows, quarantine, unreadable);
    }

    /**
     * Change capture mode: the change history and its quarantine first, then the change table,
     * then the orders table. A change in the history was then committed before the change table
     * is read; the orders table, read last, may hold changes the history does not have yet: run
     * it again a few seconds later.
     */
    static ChangeReconciliation reconcileChanges(SparkSession spark, PipelineConfig config, Steps steps)
            throws Steps.Failed {
        LakeLayout layout = new LakeLayout(LakeLayout.changeHistory(config.datalake().path()));
        String history = layout.lake.toString();
        String quarantined = layout.quarantine.toString();
        Map<String, String> unreadable = new LinkedHashMap<>();
        // How many were pruned, before the history is read: a prune meanwhile takes changes this read may
        // not have seen, and they must not count as lost (its prefix is read last, so as not to miss them).
        ChangeReconciliation.Pruned prunedBefore = pruned(spark, history, steps);
        var rows = steps.run("change history", "read the change history at " + history,
                () -> LakeReader.historyRows(spark, history, unreadable));
        var quarantine = steps.run("quarantine", "read the quarantine at " + quarantined,
                () -> LakeReader.quarantinedChanges(spark, quarantined, unreadable));
        var pg = config.postgres();
        String where = " at " + pg.host() + ":" + pg.port() + "/" + pg.db();
        var changes = steps.run("change table", "read PostgreSQL table " + ChangeEvent.table(pg.table()) + where,
                () -> SourceTable.readChanges(pg));
        var orders = steps.run("PostgreSQL", "read PostgreSQL table " + pg.table() + where, () -> SourceTable.read(pg));
        ChangeReconciliation.Pruned pruned = new ChangeReconciliation.Pruned(pruned(spark, history, steps).through(),
                prunedBefore.changes());
        return new ChangeReconciliation(changes, orders, rows, quarantine, unreadable, pruned);
    }

    private static ChangeReconciliation.Pruned pruned(SparkSession spark, String history, Steps steps)
            throws Steps.Failed {
        return steps.run("pruned changes", "read " + PruneChanges.FILE + " in " + history,
                () -> PruneChanges.pruned(PruneChanges.record(history, spark.sparkContext().hadoopConfiguration())));
    }

    /** Settings of every Kafka client of the validator: each call bounded (see {@link #KAFKA_TIMEOUT}). */
    private static Properties kafkaProperties(PipelineConfig.Kafka kafka) {
        return KafkaClientProperties.consumer(kafka.properties(), Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis()),
                ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(KAFKA_TIMEOUT.toMillis())));
    }

    /**
     * Reads the whole topic; returns the number of events and fills the distinct keys. Fails
     * when the broker sends nothing for {@link #KAFKA_TIMEOUT} before the end is reached.
     */
    static long topicKeys(PipelineConfig.Kafka kafka, Set<Integer> keys) {
        Properties p = kafkaProperties(kafka);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            return TopicReader.readToEnd(consumer, kafka.topic(), KAFKA_TIMEOUT,
                    record -> OrderEvent.orderIdOfKey(record.key()).ifPresent(keys::add));
        }
    }

    private static String watermark(SparkSession spark, PipelineConfig config) throws IOException {
        Path file = new Path(config.streaming().lastProcessedTimestampLocation(), StateFiles.WATERMARK);
        FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(file)) {
            return "none yet (the producer has not published anything)";
        }
        try (var in = fs.open(file)) {
            return String.join(", ", new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(l -> !l.startsWith("#") && !l.isBlank()).toList());
        }
    }

    /** Events in the topic that the consumer's checkpoint has not reached yet. */
    private static String consumerLag(SparkSession spark, PipelineConfig config) throws IOException {
        Path offsets = new Path(config.streaming().checkpointLocation(), "offsets");
        FileSystem fs = offsets.getFileSystem(spark.sparkContext().hadoopConfiguration());
        if (!fs.exists(offsets)) {
            return "unknown (the consumer has no checkpoint yet)";
        }
        Optional<Path> latest = java.util.Arrays.stream(fs.listStatus(offsets, p -> p.getName().matches("\\d+")))
                .map(s -> s.getPath()).max(java.util.Comparator.comparingLong(p -> Long.parseLong(p.getName())));
        if (latest.isEmpty()) {
            return "unknown (the consumer has no checkpoint yet)";
        }
        String text;
        try (var in = fs.open(latest.get())) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonNode reached = new ObjectMapper().readTree(text.lines().reduce((a, b) -> b).orElse("{}"))
                .path(config.kafka().topic());
        Properties p = kafkaProperties(config.kafka());
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = TopicReader.partitions(consumer, config.kafka().topic(), KAFKA_TIMEOUT);
            long lag = 0;
            for (var e : consumer.endOffsets(partitions, KAFKA_TIMEOUT).entrySet()) {
                lag += e.getValue() - reached.path(Integer.toString(e.getKey().partition())).asLong(0);
            }
            return lag + " events (checkpoint batch " + latest.get().getName() + ")";
        }
    }
}
