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
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

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
            Path configFile = dir.resolve("orders_stream.yml");
            Files.writeString(configFile, yaml(dir, Ports.freePort(), Ports.freePort()), StandardCharsets.UTF_8);
            // The tests' config must not depend on the environment they run in.
            return new TestStack(dir, configFile, ConfigLoader.load(configFile, Map.of()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ConfigException e) {
            throw new IllegalStateException("test config is invalid: " + e.getMessage(), e);
        }
    }

    private static String yaml(Path dir, int pgPort, int kafkaPort) {
        return """
                postgres:
                  jdbc_url: "jdbc:postgresql://127.0.0.1:%d/orders_it"
                  host: 127.0.0.1
                  port: %d
                  db: "orders_it"
                  user: "it_user"
                  password: "it-password"
                  table: IT_orders
                kafka:
                  brokers: "127.0.0.1:%d"
                  topic: "it_food_orders_raw"
                datalake:
                  path: "%s"
                  format: "parquet"
                streaming:
                  checkpoint_location: "%s"
                  last_processed_timestamp_location: "%s"
                  batch_interval: 1
                """.formatted(pgPort, pgPort, kafkaPort, dir.resolve("lake"), dir.resolve("checkpoints"),
                dir.resolve("lastprocess"));
    }

    /** Starts PostgreSQL and Kafka, and with {@code cluster} a Spark master and worker. */
    public TestStack start(boolean cluster) {
        try {
            stack.start(LocalStack.Options.defaults().withDurable(false).withCluster(cluster).withWorker(2, "1g"));
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
