package foodcdc.consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.ConfigCli;
import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.SortedMap;
import java.util.TimeZone;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.spark.sql.SparkSession;

/**
 * {@code validate_pipeline.sh [--config FILE]}: reconciles PostgreSQL, Kafka and the lake and
 * says, in plain words, what is missing, duplicated or quarantined. Exit 0 only when every
 * valid row is in the lake exactly once (in its own date partition) and every invalid one is
 * quarantined; 1 otherwise. The lake is read by listing its files, as any reader would.
 */
public final class PipelineValidator {
    private PipelineValidator() {
    }

    public static void main(String[] args) throws Exception {
        PipelineConfig config = ConfigCli.loadFromArgsOrExit(args, "validate_pipeline.sh");
        TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
        SparkSession spark = SparkSession.builder().appName("orders-cdc-validate").getOrCreate();
        spark.conf().set("spark.sql.session.timeZone", "UTC");
        boolean consistent;
        try {
            List<String> report = reconcile(spark, config).report();
            report.forEach(System.out::println);
            System.out.println("Watermark (producer): " + watermark(spark, config));
            System.out.println("Consumer lag: " + consumerLag(spark, config));
            consistent = Reconciliation.isConsistent(report);
        } finally {
            spark.stop();
        }
        System.exit(consistent ? 0 : 1);
    }

    static Reconciliation reconcile(SparkSession spark, PipelineConfig config) throws IOException, SQLException {
        SortedMap<Integer, Reconciliation.Values> source = SourceTable.read(config.postgres());
        Set<Integer> keys = new HashSet<>();
        long events = topicKeys(config.kafka(), keys);
        String lake = config.datalake().path();
        return new Reconciliation(source, events, keys, LakeReader.lakeRows(spark, lake),
                LakeReader.quarantine(spark, lake + "_quarantine"));
    }

    /** Reads the whole topic; returns the number of events and fills the distinct keys. */
    static long topicKeys(PipelineConfig.Kafka kafka, Set<Integer> keys) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.brokers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
        long events = 0;
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(kafka.topic(), Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(kafka.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                for (var record : consumer.poll(Duration.ofMillis(500))) {
                    events++;
                    if (record.key() != null && record.key().matches("-?\\d{1,10}")) {
                        keys.add(Integer.parseInt(record.key()));
                    }
                }
            }
        }
        return events;
    }

    private static String watermark(SparkSession spark, PipelineConfig config) throws IOException {
        Path file = new Path(config.streaming().lastProcessedTimestampLocation(), "watermark.properties");
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
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().brokers());
        try (var consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(config.kafka().topic(), Duration.ofSeconds(30))
                    .stream().map(i -> new TopicPartition(config.kafka().topic(), i.partition())).toList();
            long lag = 0;
            for (var e : consumer.endOffsets(partitions, Duration.ofSeconds(30)).entrySet()) {
                lag += e.getValue() - reached.path(Integer.toString(e.getKey().partition())).asLong(0);
            }
            return lag + " events (checkpoint batch " + latest.get().getName() + ")";
        }
    }
}
