package foodcdc.stack;

import foodcdc.config.PipelineConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline's services on this machine, no Docker: PostgreSQL, a KRaft Kafka broker and,
 * on request, a Spark standalone master and worker. Used by {@code scripts/local_stack.sh} and
 * by the integration tests alike.
 *
 * <p>{@code start} is idempotent: running components are kept, missing ones started, and the
 * database script and topic creation re-applied (both harmless when already done). Two stacks
 * with different configs (ports, stack folders) run side by side.
 */
public final class LocalStack {
    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    public static final String POSTGRES = "postgres";
    public static final String KAFKA = "kafka";
    static final String SPARK_MASTER = "spark-master";
    static final String SPARK_WORKER = "spark-worker";
    private static final List<String> START_ORDER = List.of(POSTGRES, KAFKA, SPARK_MASTER, SPARK_WORKER);
    private static final List<String> STOP_ORDER = List.of(SPARK_WORKER, SPARK_MASTER, KAFKA, POSTGRES);

    private final PipelineConfig config;
    private final StackLayout layout;
    private final Optional<StackSecurity> security;

    public LocalStack(PipelineConfig config, Path home, Path stackDir) {
        this(config, home, stackDir, Optional.empty());
    }

    /** With {@code security}, PostgreSQL and Kafka take TLS (and Kafka SASL) connections only: for tests. */
    public LocalStack(PipelineConfig config, Path home, Path stackDir, Optional<StackSecurity> security) {
        this.config = config;
        this.layout = new StackLayout(home, stackDir);
        this.security = security;
    }

    /**
     * How to start. {@code durable=false} turns PostgreSQL's fsync off (for throwaway test
     * stacks only); {@code cluster} adds a Spark standalone master and worker.
     */
    /**
     * How to start: with a Spark cluster, PostgreSQL durable or not, the worker's size, and the
     * port Kafka advertises to clients (0: its own; tests put a relay in between).
     */
    public record Options(boolean cluster, boolean durable, int workerCores, String workerMemory,
                          int kafkaAdvertisedPort) {
        public static Options defaults() {
            return new Options(false, true, 2, "2g", 0);
        }

        public Options withCluster(boolean on) {
            return new Options(on, durable, workerCores, workerMemory, kafkaAdvertisedPort);
        }

        public Options withDurable(boolean on) {
            return new Options(cluster, on, workerCores, workerMemory, kafkaAdvertisedPort);
        }

        public Options withWorker(int cores, String memory) {
            return new Options(cluster, durable, cores, memory, kafkaAdvertisedPort);
        }

        public Options withKafkaAdvertisedPort(int port) {
            return new Options(cluster, durable, workerCores, workerMemory, port);
        }
    }

    public void start(Options options) throws IOException, InterruptedException {
        StackState state = StackState.load(layout.stateFile());
        List<String> startedNow = new ArrayList<>();
        try {
            PostgresServer postgres = new PostgresServer(layout, config.postgres(), security);
            String pgAddress = config.postgres().host() + ":" + config.postgres().port();
            ensureRunning(state, new Component(POSTGRES, "PostgreSQL", pgAddress, "postgres.port"), startedNow,
                    () -> postgres.start(options.durable()));
            postgres.bootstrap(config.streaming().capturesChanges());

            KafkaBroker kafka = new KafkaBroker(layout, config.kafka(), security);
            String kafkaAddress = config.kafka().firstBrokerHost() + ":" + config.kafka().firstBrokerPort();
            ensureRunning(state, new Component(KAFKA, "Kafka", kafkaAddress, "kafka.brokers"), startedNow,
                    () -> kafka.start(options.kafkaAdvertisedPort()));
            kafka.createTopic();

            if (options.cluster()) {
                startCluster(state, options, startedNow);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // Leave nothing half-started behind: what this call started, it stops.
            if (!startedNow.isEmpty()) {
                LOG.error("Start failed; stopping what this start started: {}", startedNow);
                stop(startedNow, null);
            }
            throw e;
        }
    }

    /** A service of the stack: its state name, its name in logs, where it listens and the key that says so. */
    private record Component(String name, String label, String address, String key) {
    }

    private interface Starter {
        Daemon.Started start() throws IOException, InterruptedException;
    }

    /** Starts {@code c} unless it runs already (it is then kept), recording it in the state file. */
    private void ensureRunning(StackState state, Component c, List<String> startedNow, Starter starter)
            throws IOException, InterruptedException {
        if (alreadyRunning(state, c.name())) {
            return;
        }
        requireFree(c.address(), c.key());
        Daemon.Started started = starter.start();
        state.put(c.name(), started.pid(), "address", c.address());
        startedNow.add(c.name());
        LOG.info("{} running at {} (pid {})", c.label(), c.address(), started.pid());
    }

    /**
     * Starts PostgreSQL alone, on its data folder as it is, without running db/orders.sql: for
     * tests that bring it up in a state where the script cannot run (as a standby, say).
     */
    public void startPostgresOnly(Options options) throws IOException, InterruptedException {
        StackState state = StackState.load(layout.stateFile());
        if (!alreadyRunning(state, POSTGRES)) {
            Daemon.Started pg = new PostgresServer(layout, config.postgres(), security).start(options.durable());
            state.put(POSTGRES, pg.pid(), "address", config.postgres().host() + ":" + config.postgres().port());
        }
    }

    /** PostgreSQL's data folder (its configuration files and signal files live there). */
    public Path postgresDataDir() {
        return new PostgresServer(layout, config.postgres(), security).dataDir();
    }

    private void startCluster(StackState state, Options options, List<String> startedNow)
            throws IOException, InterruptedException {
        SparkStandalone spark = new SparkStandalone(layout);
        SparkStandalone.ClusterPorts ports;
        if (alreadyRunning(state, SPARK_MASTER)) {
            ports = new SparkStandalone.ClusterPorts(
                    Integer.parseInt(state.get(SPARK_MASTER, "port").orElseThrow()),
                    Integer.parseInt(state.get(SPARK_MASTER, "ui_port").orElseThrow()),
                    Integer.parseInt(state.get(SPARK_MASTER, "worker_ui_port").orElseThrow()));
        } else {
            ports = SparkStandalone.choosePorts();
            Daemon.Started master = spark.startMaster(ports);
            state.put(SPARK_MASTER, master.pid(), "url", ports.masterUrl());
            state.put(SPARK_MASTER, "port", Integer.toString(ports.master()));
            state.put(SPARK_MASTER, "ui_port", Integer.toString(ports.masterUi()));
            state.put(SPARK_MASTER, "worker_ui_port", Integer.toString(ports.workerUi()));
            startedNow.add(SPARK_MASTER);
            LOG.info("Spark master running at {} (pid {}), UI http://{}:{}",
                    ports.masterUrl(), master.pid(), SparkStandalone.HOST, ports.masterUi());
        }
        if (!alreadyRunning(state, SPARK_WORKER)) {
            Daemon.Started worker = spark.startWorker(ports, options.workerCores(), options.workerMemory());
            state.put(SPARK_WORKER, worker.pid(), "address",
                    options.workerCores() + " cores, " + options.workerMemory());
            startedNow.add(SPARK_WORKER);
            LOG.info("Spark worker running (pid {}), UI http://{}:{}",
                    worker.pid(), SparkStandalone.HOST, ports.workerUi());
        }
    }

    /** The master URL of this stack's Spark cluster, when it runs. */
    public Optional<String> sparkMasterUrl() throws IOException {
        StackState state = StackState.load(layout.stateFile());
        return alreadyRunning(state, SPARK_MASTER) ? state.get(SPARK_MASTER, "url") : Optional.empty();
    }

    /** The PID of a running component ({@code postgres}, {@code kafka}), e.g. to measure it. */
    public Optional<Long> pid(String component) throws IOException {
        StackState state = StackState.load(layout.stateFile());
        return alreadyRunning(state, component) ? state.pid(component) : Optional.empty();
    }

    /**
     * Creates the table (db/orders.sql, with its sample orders) and the topic of another config
     * on this running stack: tests and benchmarks that share a stack stay apart.
     */
    public void createSource(PipelineConfig other) throws IOException, SQLException, InterruptedException {
        PostgresServer postgres = new PostgresServer(layout, other.postgres(), security);
        postgres.runScript("orders.sql");
        if (other.streaming().capturesChanges()) {
            postgres.runScript("changes.sql");
        }
        new KafkaBroker(layout, other.kafka(), security).createTopic();
    }

    public void stop() throws IOException, InterruptedException {
        stop(STOP_ORDER, null);
    }

    /** Stops one component ({@code postgres}, {@code kafka}, ...): for outage tests; start() brings it back. */
    public void stop(String component) throws IOException, InterruptedException {
        stop(List.of(component), null);
    }

    /**
     * Ends one component with a given signal, for fault tests: {@code KILL} as a crash,
     * {@code QUIT} for PostgreSQL's immediate shutdown (no checkpoint; crash recovery at the
     * next start). Returns once it is gone; start() brings it back.
     */
    public void stop(String component, String signal) throws IOException, InterruptedException {
        stop(List.of(component), signal);
    }

    private void stop(List<String> components, String signal) throws IOException, InterruptedException {
        StackState state = StackState.load(layout.stateFile());
        for (String component : STOP_ORDER) {
            if (!components.contains(component)) {
                continue;
            }
            Optional<Long> pid = state.pid(component);
            if (pid.isPresent()) {
                // PostgreSQL: SIGINT is its "fast" shutdown (SIGTERM would wait for clients).
                String sig = signal != null ? signal : component.equals(POSTGRES) ? "INT" : "TERM";
                Daemon.stop(pid.get(), layout.stackDir(), sig, Duration.ofSeconds(30));
                LOG.info("Stopped {} (pid {})", component, pid.get());
            }
            state.remove(component);
        }
    }

    /** One line per component: running or not, PID, address. */
    public List<String> status() throws IOException {
        StackState state = StackState.load(layout.stateFile());
        List<String> lines = new ArrayList<>();
        for (String component : START_ORDER) {
            Optional<Long> pid = state.pid(component);
            boolean running = alreadyRunning(state, component);
            String where = state.get(component, "address").or(() -> state.get(component, "url")).orElse("");
            lines.add(String.format("%-13s %-12s %s", component,
                    running ? "running" : (pid.isPresent() ? "DEAD" : "not running"),
                    running ? "pid " + pid.get() + "  " + where : ""));
        }
        return lines;
    }

    public boolean isRunning(String component) throws IOException {
        return alreadyRunning(StackState.load(layout.stateFile()), component);
    }

    private boolean alreadyRunning(StackState state, String component) {
        return state.pid(component).map(pid -> Daemon.isRunning(pid, layout.stackDir())).orElse(false);
    }

    private static void requireFree(String hostPort, String key) throws IOException {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'));
        int port = Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
        if (Ports.isListening(host, port)) {
            throw new IOException(hostPort + " is already in use by another program; stop it or change "
                    + key + " in the config");
        }
    }
}
