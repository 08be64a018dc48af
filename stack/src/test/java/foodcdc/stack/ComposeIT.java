package foodcdc.stack;

import static foodcdc.stack.ContainerEngine.must;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.ConfigLoader;
import foodcdc.config.PipelineConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;

/**
 * The compose stack for real, as a user with nothing but a container engine runs it: the image
 * is built from a copy of this clone by docker-compose (Debian's 1.29, against podman), the
 * stack comes up, and the sample orders, orders inserted inside the stack and from the host
 * reach the lake exactly once (read with DuckDB from the lake-export copy) and the validator,
 * run inside the stack, says CONSISTENT; then {@code down} + {@code up} resumes with nothing
 * lost or doubled, the PostgreSQL password (its own user, from a secret file .env's variable
 * names) is changed as docs/DOCKER.md says and the pipeline goes on, neither password in any
 * container's log or definition, and {@code down -v} leaves no volume. Kafka and PostgreSQL
 * are reached from the host on their published ports.
 *
 * <p>The build may use the network only for Debian's packages and Maven Central; it starts from
 * the host's Maven repository as a seed and trusts the host's extra CA certificates, as a
 * locked-down site would give them (docker/maven-seed, docker/ca-certificates).
 */
class ComposeIT {
    private static final Path HOME = Repository.home();
    private static final Duration UP = Duration.ofMinutes(5);
    /** A first start waits for setup, which waits up to two minutes for PostgreSQL and two for Kafka. */
    private static final Duration FIRST_UP = Duration.ofMinutes(8);
    private static final Duration BUILD = Duration.ofMinutes(25);

    private final Path work = HOME.resolve("stack/target/compose-it");
    private final Path context = work.resolve("clone");
    private final Path export = work.resolve("export");
    private final Map<String, String> composeEnv = new HashMap<>();
    /** Everything docker-compose printed: the tools' output too. */
    private final StringBuilder shown = new StringBuilder();
    private final Path secrets = work.resolve("secrets");
    private final Path secret = secrets.resolve("postgres_password");
    private static final String USER = "orders_it";
    private static final String PASSWORD = "It's $HOME \\n \"pw\" #1";
    private static final String ROTATED = "rotated ${PATH} 'x' \\";

    @Test
    void shouldRunThePipelineInContainersAndResumeAfterDownAndUp() throws Exception {
        // Not the engine's folder: ContainerEngine.start first removes what a killed run left there.
        ContainerEngine.deleteTree(context);
        ContainerEngine.deleteTree(export);
        ContainerEngine.deleteTree(secrets);
        Files.createDirectories(work);
        copyClone();
        int postgresPort = Ports.freePort();
        int kafkaPort = Ports.freePort();
        composeEnv.putAll(Map.of(
                "COMPOSE_PROJECT_NAME", "foodcdcit" + ProcessHandle.current().pid(),
                "POSTGRES_HOST_PORT", Integer.toString(postgresPort),
                "KAFKA_HOST_PORT", Integer.toString(kafkaPort),
                "SPARK_MASTER_UI_PORT", Integer.toString(Ports.freePort()),
                "PRODUCER_UI_PORT", Integer.toString(Ports.freePort()),
                "CONSUMER_UI_PORT", Integer.toString(Ports.freePort()),
                "PRODUCER_METRICS_PORT", Integer.toString(Ports.freePort()),
                "CONSUMER_METRICS_PORT", Integer.toString(Ports.freePort()),
                "PROMETHEUS_HOST_PORT", Integer.toString(Ports.freePort()),
                "LAKE_EXPORT_DIR", export.toString()));
        // Not the sample's credentials, and a password a shell or a properties file would mangle.
        Files.createDirectories(secrets);
        writeSecret(PASSWORD);
        composeEnv.put("POSTGRES_USER", USER);
        composeEnv.put("POSTGRES_PASSWORD_FILE", secret.toString());
        PipelineConfig config = ConfigLoader.load(HOME.resolve("configs/orders_stream.yml"), Map.of());

        try (ContainerEngine engine = ContainerEngine.start(work.resolve("engine"))) {
            try {
                runTheStack(engine, config, postgresPort, kafkaPort);
            } catch (Exception | AssertionError e) {
                // What each container says: CI shows only the failure's message.
                throw new AssertionError(e.getMessage() + "\n--- the containers ---\n" + engine.describe(), e);
            }
        }
    }

    private void runTheStack(ContainerEngine engine, PipelineConfig config, int postgresPort, int kafkaPort)
            throws Exception {
        must(compose(engine, Duration.ofMinutes(1), "config", "-q"), "docker-compose config");
        long start = System.nanoTime();
        must(compose(engine, BUILD, "build"), "the image build");
        long built = System.nanoTime();
        must(compose(engine, FIRST_UP, "up", "-d"), "docker-compose up");
        awaitLake(engine, ids(1, 10), "the 10 sample orders");
        System.out.printf("ComposeIT: image built in %.0f s; sample orders in the lake %.0f s after up%n",
                (built - start) / 1e9, (System.nanoTime() - built) / 1e9);

        // Inside the stack (the tool), and by the host's script on the published port.
        must(compose(engine, UP, "run", "--rm", "insert-test-data"), "insert-test-data");
        insertFromHost(postgresPort, 2);
        awaitLake(engine, ids(1, 17), "15 orders and 2 from the host");
        assertEquals(ids(1, 17), topicOrderIds(config, kafkaPort), "the topic, read from the host");
        assertConsistent(engine);
        assertUisPublished();
        assertPrometheusScrapesBothJobs(17);
        System.out.println("ComposeIT: memory in use\n" + must(engine.run(Duration.ofMinutes(1), "podman", "stats",
                "--no-stream", "--format", "{{.Name}} {{.MemUsage}}"), "podman stats").output());

        // A master that restarts takes the running jobs back (its recovery volume).
        must(compose(engine, UP, "restart", "spark-master"), "restart spark-master");
        insertFromHost(postgresPort, 1);
        awaitLake(engine, ids(1, 18), "an order after the master's restart");

        must(compose(engine, UP, "down"), "docker-compose down");
        must(compose(engine, FIRST_UP, "up", "-d"), "docker-compose up again");
        must(compose(engine, UP, "run", "--rm", "insert-test-data", "--count", "5"), "insert-test-data after up");
        insertFromHost(postgresPort, 1);
        awaitLake(engine, ids(1, 24), "the orders from before down, and 6 more");
        // Resumed, not rebuilt: the producer went on from its watermark, the consumer from its lake.
        String logs = must(compose(engine, UP, "logs", "--no-color", "producer", "consumer"), "logs").output();
        assertTrue(logs.contains("Producer started") && !logs.contains("watermark none"), logs);
        assertTrue(logs.contains("Order index: 18 orders"), logs);

        rotatePassword(engine, postgresPort);
        must(compose(engine, UP, "run", "--rm", "insert-test-data", "--count", "1"), "insert-test-data, new password");
        insertFromHost(postgresPort, 1);
        awaitLake(engine, ids(1, 26), "an order from inside and one from the host, with the new password");
        assertConsistent(engine);
        assertNoPasswordShown(engine);

        must(compose(engine, UP, "down", "-v"), "docker-compose down -v");
        String volumes = must(engine.run(Duration.ofMinutes(1), "podman", "volume", "ls", "--quiet"), "volumes")
                .output();
        assertEquals("", volumes.strip(), "down -v leaves no volume");
    }

    /** The clone's files, without build outputs and state, with the seed and CA folders filled. */
    private void copyClone() throws Exception {
        List<Path> files = new ArrayList<>();
        try (var walk = Files.walk(HOME)) {
            walk.filter(Files::isRegularFile).filter(p -> !skipped(HOME.relativize(p))).forEach(files::add);
        }
        for (Path f : files) {
            Path to = context.resolve(HOME.relativize(f).toString());
            Files.createDirectories(to.getParent());
            Files.copy(f, to, StandardCopyOption.COPY_ATTRIBUTES);
        }
        Path seed = context.resolve("docker/maven-seed");
        Path m2 = Path.of(System.getProperty("user.home"), ".m2/repository");
        // Hard links when the repository is on the same disk (instant), else a copy.
        if (new ProcessBuilder("cp", "-al", m2 + "/.", seed.toString()).start().waitFor() != 0) {
            assertEquals(0, new ProcessBuilder("cp", "-a", m2 + "/.", seed.toString()).start().waitFor(),
                    "could not copy " + m2 + " into the build context");
        }
        Path cas = Path.of("/usr/local/share/ca-certificates");
        if (Files.isDirectory(cas)) {
            try (var list = Files.list(cas)) {
                for (Path crt : list.filter(p -> p.toString().endsWith(".crt")).toList()) {
                    Files.copy(crt, context.resolve("docker/ca-certificates").resolve(crt.getFileName()));
                }
            }
        }
    }

    private static boolean skipped(Path relative) {
        String first = relative.getName(0).toString();
        for (Path part : relative) {
            if (part.toString().equals("target")) {
                return true;
            }
        }
        return first.equals(".git") || first.equals("var")
                || relative.startsWith("docker/maven-seed") && !relative.endsWith("README.md")
                || relative.startsWith("docker/ca-certificates") && !relative.endsWith("README.md");
    }

    private ContainerEngine.Ran compose(ContainerEngine engine, Duration timeout, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker-compose"));
        command.addAll(List.of(args));
        ContainerEngine.Ran ran = engine.run(composeEnv, context, timeout, command.toArray(String[]::new));
        shown.append(ran.output()).append('\n');   // the tools' containers (run --rm) leave no logs behind
        return ran;
    }

    /** Waits until the lake (a fresh lake-export copy, read with DuckDB) holds exactly these orders, once each. */
    private void awaitLake(ContainerEngine engine, Set<Integer> expected, String what) throws Exception {
        List<Integer> seen = Wait.every(Duration.ofSeconds(5)).look(() -> lakeOrderIds(engine),
                rows -> new TreeSet<>(rows).equals(expected), Duration.ofMinutes(4), what + " in the lake");
        assertEquals(expected.size(), seen.size(), "an order is in the lake twice: " + seen);
    }

    private List<Integer> lakeOrderIds(ContainerEngine engine) throws Exception {
        must(compose(engine, UP, "run", "--rm", "lake-export"), "lake-export");
        Path lake = export.resolve("orders");
        try (var walk = Files.walk(lake)) {
            if (walk.noneMatch(p -> p.toString().endsWith(".parquet"))) {
                return List.of();
            }
        }
        List<Integer> ids = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT order_id FROM read_parquet('" + lake
                     + "/**/*.parquet', hive_partitioning = true) ORDER BY order_id")) {
            while (rs.next()) {
                ids.add(rs.getInt(1));
            }
        }
        return ids;
    }

    private void assertConsistent(ContainerEngine engine) throws Exception {
        String report = must(compose(engine, UP, "run", "--rm", "validator"), "the validator").output();
        assertTrue(report.contains("CONSISTENT: every valid order is in the lake exactly once"), report);
    }

    /** The Spark master's UI (one worker alive) and both drivers' UIs answer on their host ports. */
    private void assertUisPublished() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String master = get(http, "SPARK_MASTER_UI_PORT", "/json/");
        assertTrue(master.replaceAll("\\s", "").contains("\"aliveworkers\":1"), master);
        for (String ui : List.of("PRODUCER_UI_PORT", "CONSUMER_UI_PORT")) {
            String apps = get(http, ui, "/api/v1/applications");
            assertTrue(apps.contains(ui.startsWith("PRODUCER") ? "orders-cdc-producer" : "orders-cdc-consumer"), apps);
        }
    }

    /**
     * Both jobs publish /metrics on their host ports, and the stack's Prometheus scrapes them: both
     * up, and the consumer's count of orders written is the lake's.
     */
    private void assertPrometheusScrapesBothJobs(int written) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        assertTrue(get(http, "PRODUCER_METRICS_PORT", "/metrics").contains("orders_producer_polls_total"));
        assertTrue(get(http, "CONSUMER_METRICS_PORT", "/metrics").contains("orders_consumer_records_total"));
        String query = "/api/v1/query?query=" + java.net.URLEncoder.encode("sum(up{job=~\"orders-.*\"}) * 1000 + "
                + "sum(orders_consumer_records_total{outcome=\"written\"})", java.nio.charset.StandardCharsets.UTF_8);
        String expected = "\"" + (2000 + written) + "\"]";
        Wait.until(() -> get(http, "PROMETHEUS_HOST_PORT", query), body -> body.contains(expected),
                Duration.ofSeconds(60), "Prometheus: both jobs up, " + written + " orders written");
    }

    private String get(java.net.http.HttpClient http, String portVariable, String path) throws Exception {
        var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                        + composeEnv.get(portVariable) + path)).timeout(Duration.ofSeconds(30)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), portVariable + path + ": " + response.body());
        return response.body();
    }

    /**
     * The host's scripts/insert_test_data.sh, pointed at the published port as docs/DOCKER.md
     * says, with the stack's user and its secret file.
     */
    private void insertFromHost(int port, int count) throws Exception {
        JobProcess.Finished run = JobProcess.run("insert_test_data.sh", List.of("--count", Integer.toString(count)),
                Map.of("ORDERS_POSTGRES_HOST", "127.0.0.1", "ORDERS_POSTGRES_PORT", Integer.toString(port),
                        "ORDERS_POSTGRES_JDBC_URL", "jdbc:postgresql://127.0.0.1:" + port + "/food_delivery_db",
                        "ORDERS_POSTGRES_USER", USER, "ORDERS_POSTGRES_PASSWORD_FILE", secret.toString()),
                Duration.ofMinutes(2));
        assertEquals(0, run.exit(), run.all());
    }

    /** In place, as `printf ... > file` does: the containers' mounts see the new content when they start. */
    private void writeSecret(String password) throws Exception {
        Files.writeString(secret, password + "\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    }

    /**
     * docs/DOCKER.md "Credentials": the jobs stopped, the role's password changed (here over
     * JDBC, where the docs use psql's \\password), the secret file rewritten, and `up -d`: the
     * jobs, setup and the tools go on with the new one.
     */
    private void rotatePassword(ContainerEngine engine, int postgresPort) throws Exception {
        must(compose(engine, UP, "stop", "producer", "consumer"), "stop the jobs");
        // The docs' psql line, its prompt for the current password answered from the mounted secret.
        String psql = must(compose(engine, UP, "exec", "-T", "postgres", "sh", "-c", "PGPASSWORD=\"$(cat "
                + "/run/secrets/postgres_password)\" psql -h 127.0.0.1 -U \"$ORDERS_POSTGRES_USER\" -d postgres -Atc "
                + "'SELECT current_user'"), "psql in the postgres container").output();
        assertTrue(psql.lines().anyMatch(USER::equals), psql);
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres",
                USER, PASSWORD);
             java.sql.PreparedStatement quote = c.prepareStatement("SELECT quote_literal(?)")) {
            quote.setString(1, ROTATED);
            try (ResultSet rs = quote.executeQuery(); Statement s = c.createStatement()) {
                rs.next();
                s.execute("ALTER ROLE " + USER + " PASSWORD " + rs.getString(1));
            }
        }
        writeSecret(ROTATED);
        must(compose(engine, FIRST_UP, "up", "-d"), "docker-compose up after the password's change");
    }

    /**
     * Neither password in any container's log, in what the tools printed, or in any container's
     * definition (environment, command, labels: podman's JSON, decoded, as its quotes and
     * backslashes are escaped there).
     */
    private void assertNoPasswordShown(ContainerEngine engine) throws Exception {
        String logs = must(compose(engine, UP, "logs", "--no-color"), "logs").output() + shown;
        String ids = must(engine.run(Duration.ofMinutes(1), "podman", "ps", "-aq"), "podman ps").output().strip();
        List<String> inspect = new ArrayList<>(List.of("podman", "inspect"));
        inspect.addAll(List.of(ids.split("\\s+")));
        String json = must(engine.run(Duration.ofMinutes(1), inspect.toArray(String[]::new)), "podman inspect").output();
        StringBuilder definitions = new StringBuilder();
        new ObjectMapper().readTree(json.substring(json.indexOf('['))).forEach(c -> texts(c, definitions));
        assertTrue(definitions.toString().contains("ORDERS_POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password"),
                "the containers' environment is not in what podman showed");
        for (String password : List.of(PASSWORD, ROTATED)) {
            assertFalse(logs.contains(password), "a password is in the containers' logs or the tools' output");
            assertFalse(definitions.toString().contains(password), "a password is in a container's definition");
        }
    }

    /** Every text value of a JSON tree, one per line. */
    private static void texts(com.fasterxml.jackson.databind.JsonNode node, StringBuilder out) {
        if (node.isTextual()) {
            out.append(node.asText()).append('\n');
        }
        node.forEach(child -> texts(child, out));
    }

    /** The order ids of every event on the topic, read from the host through Kafka's second listener. */
    private static Set<Integer> topicOrderIds(PipelineConfig config, int port) throws Exception {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + port);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        ObjectMapper json = new ObjectMapper();
        Set<Integer> ids = new TreeSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(config.kafka().topic(), Duration.ofSeconds(30))
                    .stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp))) {
                assertTrue(System.nanoTime() < deadline, "could not read the topic to its end from the host");
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofSeconds(1))) {
                    ids.add(json.readTree(r.value()).get("order_id").asInt());
                }
            }
        }
        return ids;
    }

    private static Set<Integer> ids(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().collect(Collectors.toCollection(TreeSet::new));
    }
}
