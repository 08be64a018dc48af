package foodcdc.bench;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.config.PipelineConfig;
import foodcdc.contract.OrderEvent;
import foodcdc.kafka.TopicReader;
import foodcdc.lake.LakeLayout;
import foodcdc.sql.SqlIdentifier;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The same two moves as the pipeline, with plain clients and no Spark, on the same table and
 * the same machine, so the pipeline is judged against what the hardware does today rather than
 * against absolute times: (1) a JDBC cursor over the table, each row turned into the contract's
 * JSON by PostgreSQL, into a Kafka producer (keyed, acks=all, idempotent); (2) a Kafka consumer
 * reading that topic to its end into a JSON-lines file, then DuckDB writing it as Parquet
 * partitioned by date. No cleaning and no de-duplication: a floor, not a rival.
 */
final class PlainToolsFloor {
    /** Seconds for each move. */
    record Result(double toKafkaSeconds, double toLakeSeconds) {
        double totalSeconds() {
            return toKafkaSeconds + toLakeSeconds;
        }
    }

    private PlainToolsFloor() {
    }

    static Result measure(PipelineConfig c, long rows, Path dir) throws Exception {
        String topic = c.kafka().topic() + "_floor";
        Properties admin = KafkaClientProperties.admin(c.kafka().properties(), Map.of("bootstrap.servers", c.kafka().brokers()));
        try (Admin a = Admin.create(admin)) {
            a.createTopics(List.of(new NewTopic(topic, c.kafka().topicPartitions(), (short) 1))).all().get();
        }
        long t0 = System.nanoTime();
        long sent = tableToKafka(c, topic);
        double toKafka = (System.nanoTime() - t0) / 1e9;
        if (sent != rows) {
            throw new IllegalStateException("the floor read " + sent + " rows, expected " + rows);
        }
        Files.createDirectories(dir);
        long t1 = System.nanoTime();
        Path lines = dir.resolve("floor.jsonl");
        long read = kafkaToFile(c, topic, lines);
        fileToParquet(lines, dir.resolve("floor_lake"));
        double toLake = (System.nanoTime() - t1) / 1e9;
        if (read != rows) {
            throw new IllegalStateException("the floor consumed " + read + " records, expected " + rows);
        }
        Files.delete(lines);
        return new Result(toKafka, toLake);
    }

    private static long tableToKafka(PipelineConfig c, String topic) throws Exception {
        Properties p = KafkaClientProperties.producer(c.kafka().properties(), Map.of("bootstrap.servers",
                c.kafka().brokers(), "acks", "all", "enable.idempotence", "true", "linger.ms", "5",
                "batch.size", Integer.toString(256 * 1024)));
        long n = 0;
        try (Connection db = DriverManager.getConnection(c.postgres().jdbcUrl(), c.postgres().user(), c.postgres().password());
             KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            db.setAutoCommit(false);   // a cursor: rows stream in fetches of 10,000
            try (Statement s = db.createStatement()) {
                s.setFetchSize(10_000);
                try (ResultSet rs = s.executeQuery("SELECT " + OrderEvent.ORDER_ID + "::text, " + eventJson()
                        + "::text FROM " + SqlIdentifier.quote(c.postgres().table()))) {
                    while (rs.next()) {
                        producer.send(new ProducerRecord<>(topic, rs.getString(1), rs.getString(2)));
                        n++;
                    }
                }
            }
            producer.flush();   // every record acknowledged
        }
        return n;
    }

    /** The contract's JSON, rendered by PostgreSQL: created_at with six fraction digits and a Z. */
    private static String eventJson() {
        String pairs = OrderEvent.FIELDS.stream().map(f -> "'" + f.name() + "', " + (f.type() == OrderEvent.Type.TIMESTAMP
                ? "to_char(" + f.name() + ", 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')" : f.name()))
                .collect(Collectors.joining(", "));
        return "json_build_object(" + pairs + ")";
    }

    private static long kafkaToFile(PipelineConfig c, String topic, Path file) throws Exception {
        Properties p = KafkaClientProperties.consumer(c.kafka().properties(), Map.of("bootstrap.servers",
                c.kafka().brokers(), "max.poll.records", "10000"));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer()); OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            return TopicReader.readToEnd(consumer, topic, Duration.ofSeconds(30), r -> {
                try {
                    out.write(r.value());
                    out.write('\n');
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void fileToParquet(Path lines, Path lake) throws Exception {
        try (Connection duck = DriverManager.getConnection("jdbc:duckdb:"); Statement s = duck.createStatement()) {
            String columns = OrderEvent.FIELDS.stream().map(f -> f.name() + ": '" + f.type().sql() + "'")
                    .collect(Collectors.joining(", "));
            s.execute("COPY (SELECT " + OrderEvent.columnList() + ", strftime(" + OrderEvent.CREATED_AT + ", '%Y-%m-%d') AS "
                    + LakeLayout.DATE + " FROM read_json('" + lines + "', format = 'newline_delimited', columns = {"
                    + columns + "})) TO '" + lake + "' (FORMAT parquet, PARTITION_BY (" + LakeLayout.DATE + "))");
        }
        try (Stream<Path> folders = Files.list(lake)) {
            if (folders.noneMatch(f -> LakeLayout.dateOf(f.getFileName().toString()) != null)) {
                throw new IllegalStateException("DuckDB wrote no date folders in " + lake);
            }
        }
    }
}
