package foodcdc.stack;

import foodcdc.kafka.KafkaClientProperties;
import foodcdc.config.ConfigException;
import foodcdc.config.ConfigLoader;
import foodcdc.config.ConfigWriter;
import foodcdc.config.PipelineConfig;
import foodcdc.kafka.TopicReader;
import java.io.IOException;
import java.io.UncheckedIOException;
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
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A throwaway local stack, for the integration tests and the benchmark: the same
 * {@link LocalStack} code as the scripts, on free ports, in a temporary folder, with the shipped
 * config's values otherwise. {@link #shared()} gives one per test JVM, started on first use and
 * stopped (every process, by PID) when the JVM exits; {@link #create} gives a private one.
 */
public final class ThrowawayStack implements AutoCloseable {
    private static ThrowawayStack shared;

    private final Path dir;
    private final Path configFile;
    private final PipelineConfig config;
    private final LocalStack stack;
    private final Optional<StackSecurity> security;
    private LocalStack.Options options = LocalStack.Options.defaults().withDurable(false).withWorker(2, "2g");

    private ThrowawayStack(Path dir, Path configFile, PipelineConfig config, Optional<StackSecurity> security) {
        this.dir = dir;
        this.configFile = configFile;
        this.config = config;
        this.stack = new LocalStack(config, Repository.home(), dir.resolve("stack"), security);
        this.security = security;
    }

    /** A secured stack's certificates ({@link #createSecured}). */
    public Optional<TestCertificates> certificates() {
        return security.map(StackSecurity::certificates);
    }

    /** The stack shared by every integration test of this JVM (PostgreSQL and Kafka running). */
    public static synchronized ThrowawayStack shared() {
        if (shared == null) {
            ThrowawayStack s = create("shared");
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "stop-test-stack"));
            s.start(false);
            shared = s;
        }
        return shared;
    }

    /** A new, not yet started stack with its own ports and folder; close it when done. */
    public static ThrowawayStack create(String name) {
        return create(name, "inserts");
    }

    /** {@link #create(String)} in a capture mode ({@code streaming.capture}): with {@code changes}, the stack installs change capture. */
    public static ThrowawayStack create(String name, String capture) {
        return create(name, capture, false);
    }

    /**
     * A new stack whose PostgreSQL takes TLS logins only and whose Kafka has one listener,
     * SASL_SSL with SCRAM-SHA-512 ({@link StackSecurity}); its config verifies both servers'
     * certificates ({@code sslmode=verify-full}, a truststore), and its file keeps the password
     * and the Kafka client properties in files beside it ({@code secrets/}).
     */
    public static ThrowawayStack createSecured(String name) {
        return create(name, "inserts", true);
    }

    /** The Kafka user of a secured stack's config. */
    public static final String KAFKA_USER = "orders";

    private static ThrowawayStack create(String name, String capture, boolean secured) {
        try {
            Path dir = Files.createTempDirectory("orders-it-" + name + "-");
            String suffix = Long.toString(System.nanoTime(), 36);
            PipelineConfig wanted = onFreePorts(shippedConfig(), "orders_it", "it_user", "it-password-" + suffix);
            wanted = named(wanted, "IT", dir);
            wanted = wanted.withKafka(wanted.kafka().withTopic("it_food_orders_raw"))
                    .withStreaming(wanted.streaming().withBatchInterval(1)
                            .withTrigger(500, wanted.streaming().maxOffsetsPerTrigger()).withCapture(capture));
            Optional<StackSecurity> security = Optional.empty();
            Path configFile = dir.resolve("orders_stream.yml");
            if (secured) {
                String kafkaPassword = "kafka-password-" + suffix;
                security = Optional.of(new StackSecurity(TestCertificates.make(dir.resolve("certs"), "store-" + suffix),
                        Map.of(KAFKA_USER, kafkaPassword)));
                wanted = verifyingBoth(wanted, security.get().certificates(), kafkaPassword);
                ConfigWriter.writeWithSecretFiles(wanted, configFile, dir.resolve("secrets"));
            } else {
                ConfigWriter.write(wanted, configFile);
            }
            // Loaded back through the loader: the file the tests hand to scripts is valid. The
            // tests' config must not depend on the environment they run in, hence no env.
            return new ThrowawayStack(dir, configFile, ConfigLoader.load(configFile, Map.of()), security);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException("test config is invalid: " + e.getMessage(), e);
        }
    }

    /** A client's settings for a secured stack: every certificate verified, the Kafka login {@link #KAFKA_USER}. */
    private static PipelineConfig verifyingBoth(PipelineConfig c, TestCertificates certs, String kafkaPassword) {
        PipelineConfig.Postgres pg = c.postgres();
        String url = pg.jdbcUrl() + "?sslmode=verify-full&sslrootcert=" + certs.postgresCa();
        return c.withPostgres(new PipelineConfig.Postgres(url, pg.host(), pg.port(), pg.db(), pg.user(), pg.password(),
                        pg.table()))
                .withKafka(c.kafka().withProperties(kafkaProperties(certs.kafkaTruststore(), certs.storePassword(),
                        KAFKA_USER, kafkaPassword)));
    }

    /** The client properties of a SASL_SSL SCRAM login with this truststore (PKCS12). */
    public static Map<String, String> kafkaProperties(Path truststore, String truststorePassword, String user,
                                                     String password) {
        return Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", StackSecurity.SCRAM,
                "sasl.jaas.config", StackSecurity.jaas(user, password),
                "ssl.truststore.type", "PKCS12",
                "ssl.truststore.location", truststore.toString(),
                "ssl.truststore.password", truststorePassword);
    }

    /** The shipped config, read without environment overrides (a run must not depend on them). */
    public static PipelineConfig shippedConfig() {
        try {
            return ConfigLoader.load(Repository.shippedConfig(), Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException("the shipped config is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * {@code base} with PostgreSQL, Kafka and both jobs' metrics endpoints on free loopback ports,
     * and this database and login.
     */
    public static PipelineConfig onFreePorts(PipelineConfig base, String db, String user, String password) {
        return base.withPostgres(base.postgres().withServer("127.0.0.1", Ports.freePort(), db).withLogin(user, password))
                .withKafka(base.kafka().withBrokers("127.0.0.1:" + Ports.freePort()))
                .withMetrics(Ports.freeMetricsPorts());
    }

    /**
     * {@code base} with table {@code <name>_orders}, topic {@code <name>_orders_raw}, and the
     * lake, checkpoint and watermark folders under {@code dir}: runs on one stack stay apart.
     */
    public static PipelineConfig named(PipelineConfig base, String name, Path dir) {
        return withFolders(base.withPostgres(base.postgres().withTable(name + "_orders"))
                .withKafka(base.kafka().withTopic(name + "_orders_raw")), dir);
    }

    /** {@code base} with its lake, checkpoint and watermark folders under {@code dir}. */
    public static PipelineConfig withFolders(PipelineConfig base, Path dir) {
        return base.withDatalake(base.datalake().withPath(dir.resolve("lake").toString()))
                .withStreaming(base.streaming().withLocations(dir.resolve("checkpoints").toString(),
                        dir.resolve("lastprocess").toString()));
    }

    /**
     * PostgreSQL with fsync and synchronous commit on, as the scripts start it, instead of the
     * tests' faster default: for tests that crash it and count on every acknowledged commit.
     */
    public ThrowawayStack durable() {
        options = options.withDurable(true);
        return this;
    }

    /** Kafka tells clients to reach it at {@code port} (a relay's), not at its own; before {@link #start}. */
    public ThrowawayStack kafkaAdvertisedPort(int port) {
        options = options.withKafkaAdvertisedPort(port);
        return this;
    }

    /** Starts (or restarts what is down of) PostgreSQL and Kafka, and with {@code cluster} a Spark master and worker. */
    public ThrowawayStack start(boolean cluster) {
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
     * orders), its own topic, its own lake, checkpoint and watermark folders and its own metrics
     * ports: tests that share the stack stay apart.
     */
    public PipelineConfig isolated(String name, int maxRowsPerPoll) {
        return isolated(name, maxRowsPerPoll, "inserts");
    }

    /** {@link #isolated(String, int)} in a capture mode ({@code streaming.capture}): with {@code changes}, under change capture. */
    public PipelineConfig isolated(String name, int maxRowsPerPoll, String capture) {
        PipelineConfig c = named(config, name, dir.resolve(name));
        c = c.withStreaming(c.streaming().withBatchInterval(1).withMaxRowsPerPoll(maxRowsPerPoll).withCapture(capture))
                // Its own endpoints: pipelines of one stack may run side by side.
                .withMetrics(Ports.freeMetricsPorts());
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

    /** Every record of a topic, from the beginning to its current end. */
    public List<ConsumerRecord<String, String>> readTopic(String topic) {
        Properties p = KafkaClientProperties.consumer(config.kafka().properties(), Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().brokers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false"));
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (var consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            TopicReader.readToEnd(consumer, topic, Duration.ofSeconds(30), records::add);
        }
        return records;
    }

    public Connection connect() throws SQLException {
        var pg = config.postgres();
        return DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
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
