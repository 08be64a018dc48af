package foodcdc.stack;

import foodcdc.config.ConfigException;
import foodcdc.config.ConfigLoader;
import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A local stack for integration tests: the same {@link LocalStack} code as the scripts, on free
 * ports, in a temporary folder. {@link #shared()} gives one per test JVM, started on first use
 * and stopped (every process, by PID) when the JVM exits; {@link #create} gives a private one.
 */
public final class TestStack implements AutoCloseable {
    private static TestStack shared;

    private final Path dir;
    private final Path configFile;
    private final PipelineConfig config;
    private final LocalStack stack;
    private LocalStack.Options options = LocalStack.Options.defaults().withDurable(false).withWorker(2, "2g");

    private TestStack(Path dir, Path configFile, PipelineConfig config) {
        this.dir = dir;
        this.configFile = configFile;
        this.config = config;
        this.stack = new LocalStack(config, home(), dir.resolve("stack"));
    }

    /** The stack shared by every integration test of this JVM (PostgreSQL and Kafka running). */
    public static synchronized TestStack shared() {
        if (shared == null) {
            TestStack s = create("shared");
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-test-stack"));
            s.start(false);
            shared = s;
        }
        return shared;
    }

    /** A new, not yet started stack with its own ports and folder; close it when done. */
    public static TestStack create(String name) {
        try {
            Path dir = Files.createTempDirectory("orders-it-" + name + "-");
            int pgPort = Ports.freePort();
            PipelineConfig wanted = new PipelineConfig(
                    new PipelineConfig.Postgres("jdbc:postgresql://127.0.0.1:" + pgPort + "/orders_it", "127.0.0.1",
                            pgPort, "orders_it", "it_user", "it-password", "IT_orders"),
                    new PipelineConfig.Kafka("127.0.0.1:" + Ports.freePort(), "it_food_orders_raw", 3),
                    new PipelineConfig.Datalake(dir.resolve("lake").toString(), "parquet"),
                    new PipelineConfig.Streaming(dir.resolve("checkpoints").toString(),
                            dir.resolve("lastprocess").toString(), 1, 100_000, 500, 100_000));
            Path configFile = writeConfig(wanted, dir.resolve("orders_stream.yml"));
            // Loaded back through the loader: the file the tests hand to scripts is valid. The
            // tests' config must not depend on the environment they run in, hence no env.
            return new TestStack(dir, configFile, ConfigLoader.load(configFile, Map.of()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException("test config is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * PostgreSQL with fsync and synchronous commit on, as the scripts start it, instead of the
     * tests' faster default: for tests that crash it and count on every acknowledged commit.
     */
    public TestStack durable() {
        options = options.withDurable(true);
        return this;
    }

    /** Kafka tells clients to reach it at {@code port} (a relay's), not at its own; before {@link #start}. */
    public TestStack kafkaAdvertisedPort(int port) {
        options = options.withKafkaAdvertisedPort(port);
        return this;
    }

    /** Starts (or restarts what is down of) PostgreSQL and Kafka, and with {@code cluster} a Spark master and worker. */
    public TestStack start(boolean cluster) {
        try {
            stack.start(options.withCluster(cluster));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public PipelineConfig config() {
        return config;
    }

    /** The config as a file, for jobs and scripts run as separate processes. */
    public Path configFile() {
        return configFile;
    }

    /** A temporary folder of this stack, removed when it closes. */
    public Path dir() {
        return dir;
    }

    public LocalStack stack() {
        return stack;
    }

    /**
     * A config of this stack with its own table (created by db/orders.sql, so with the sample
     * orders), its own topic and its own lake, checkpoint and watermark folders: tests that
     * share the stack stay apart.
     */
    public PipelineConfig isolated(String name, int maxRowsPerPoll) {
        var pg = config.postgres();
        var kafka = config.kafka();
        var c0 = config.streaming();
        Path d = dir.resolve(name);
        PipelineConfig c = new PipelineConfig(
                new PipelineConfig.Postgres(pg.jdbcUrl(), pg.host(), pg.port(), pg.db(), pg.user(), pg.password(),
                        name + "_orders"),
                new PipelineConfig.Kafka(kafka.brokers(), name + "_orders_raw", kafka.topicPartitions()),
                new PipelineConfig.Datalake(d.resolve("lake").toString(), "parquet"),
                new PipelineConfig.Streaming(d.resolve("checkpoints").toString(), d.resolve("lastprocess").toString(),
                        1, maxRowsPerPoll, c0.triggerIntervalMs(), c0.maxOffsetsPerTrigger()));
        try {
            stack.createSource(c);
        } catch (IOException | SQLException e) {
            throw new IllegalStateException("cannot set up " + name + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return c;
    }

    /** A config as a YAML file, for jobs and scripts run as separate processes. */
    public static Path writeConfig(PipelineConfig c, Path file) {
        var pg = c.postgres();
        String yaml = """
                postgres:
                  jdbc_url: "%s"
                  host: %s
                  port: %d
                  db: "%s"
                  user: "%s"
                  password: "%s"
                  table: %s
                kafka:
                  brokers: "%s"
                  topic: "%s"
                  topic_partitions: %d
                datalake:
                  path: "%s"
                  format: "%s"
                streaming:
                  checkpoint_location: "%s"
                  last_processed_timestamp_location: "%s"
                  batch_interval: %d
                  max_rows_per_poll: %d
                  trigger_interval_ms: %d
                  max_offsets_per_trigger: %d
                """.formatted(pg.jdbcUrl(), pg.host(), pg.port(), pg.db(), pg.user(), pg.password(), pg.table(),
                c.kafka().brokers(), c.kafka().topic(), c.kafka().topicPartitions(),
                c.datalake().path(), c.datalake().format(),
                c.streaming().checkpointLocation(), c.streaming().lastProcessedTimestampLocation(),
                c.streaming().batchIntervalSeconds(), c.streaming().maxRowsPerPoll(),
                c.streaming().triggerIntervalMs(), c.streaming().maxOffsetsPerTrigger());
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every record of a topic, from the beginning to its current end. */
    public List<ConsumerRecord<String, String>> readTopic(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().brokers());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                    .map(i -> new TopicPartition(topic, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(30));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    public Connection connect() throws SQLException {
        var pg = config.postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
    }

    /** The repository: from Maven's {@code orders.home}, else the nearest folder above with db/orders.sql. */
    public static Path home() {
        String fromMaven = System.getProperty("orders.home");
        if (fromMaven != null) {
            return Path.of(fromMaven);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("db/orders.sql"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository above " + Path.of("").toAbsolutePath());
    }

    /** Stops every process of the stack and deletes its folder. */
    @Override
    public void close() {
        try {
            stack.stop();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
