package foodcdc.validator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import foodcdc.config.PipelineConfig;
import foodcdc.consumer.LakeFiles;
import foodcdc.stack.JobProcess;
import foodcdc.stack.Ports;
import foodcdc.stack.TestCertificates;
import foodcdc.stack.ThrowawayStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pipeline against secured servers, as a company's cluster runs them: PostgreSQL takes TLS
 * logins only (its certificate made with openssl, checked with {@code sslmode=verify-full}),
 * Kafka has one listener, SASL_SSL with SCRAM-SHA-512 (keystores made with keytool), no plain
 * one. Both jobs, insert_test_data.sh and the validator work through them with the password and
 * the Kafka client properties read from files; no secret shows in a log, the process list, the
 * Spark UI's environment or Spark's event log. A wrong password, a login PostgreSQL refuses and
 * a wrong CA each end a job at start with exit 3 and one line naming the server and the cause.
 */
class SecuredClusterIT {
    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(120);

    @Test
    @Timeout(value = 8, unit = java.util.concurrent.TimeUnit.MINUTES)
    void shouldRunEveryClientThroughTlsAndSaslOnlyAndRefuseWrongCredentialsAtStart() throws Exception {
        try (ThrowawayStack s = ThrowawayStack.createSecured("secured").start(false)) {
            PipelineConfig c = s.config();
            Path config = s.configFile();
            String kafkaPassword = secretOf(c.kafka().properties().get("sasl.jaas.config"));
            List<String> secrets = List.of(c.postgres().password(), kafkaPassword,
                    c.kafka().properties().get("ssl.truststore.password"));
            assertNoSecret(secrets, "the config file", Files.readString(config));

            assertServersTakeNothingInClear(c);
            Path events = Files.createDirectories(s.dir().resolve("spark-events"));
            int producerUi = Ports.freePort();
            int consumerUi = Ports.freePort();
            Path producerLog = s.dir().resolve("producer.log");
            Path consumerLog = s.dir().resolve("consumer.log");
            String lake = c.datalake().path();
            List<String> seen = new ArrayList<>();
            try (JobProcess producer = JobProcess.script("producer_spark_submit.sh", config, producerLog,
                    sparkObserved(events, producerUi));
                 JobProcess consumer = JobProcess.script("consumer_spark_submit.sh", config, consumerLog,
                         sparkObserved(events, consumerUi))) {
                LakeFiles.awaitOrders(lake, 10, WAIT);   // the sample orders
                // The host's script, the password from the file its _FILE variable names.
                Path passwordFile = s.dir().resolve("secrets/postgres.password");
                JobProcess.Finished inserted = JobProcess.run("insert_test_data.sh", List.of("--config", config.toString()),
                        Map.of("ORDERS_POSTGRES_PASSWORD_FILE", passwordFile.toString()), REFUSAL_TIMEOUT);
                assertEquals(0, inserted.exit(), inserted.all());
                LakeFiles.awaitOrders(lake, 15, WAIT);
                seen.add(inserted.all());
                seen.add(processList());
                seen.add(sparkEnvironment(producerUi));
                seen.add(sparkEnvironment(consumerUi));
                assertTrue(producer.stop(Duration.ofSeconds(60)) && consumer.stop(Duration.ofSeconds(60)),
                        "a job did not stop on SIGTERM");
            }
            JobProcess.Finished validated = JobProcess.run("validate_pipeline.sh", config, Duration.ofSeconds(180));
            assertEquals(0, validated.exit(), validated.all());
            assertTrue(validated.stdout().contains("CONSISTENT"), validated.all());
            seen.add(validated.all());
            seen.add(Files.readString(producerLog));
            seen.add(Files.readString(consumerLog));
            seen.add(eventLogs(events));

            TestCertificates certs = s.certificates().orElseThrow();
            String server = c.postgres().host() + ":" + c.postgres().port();
            seen.add(refused("producer_spark_submit.sh", config, Map.of("ORDERS_POSTGRES_PASSWORD", "not-the-password"),
                    "Producer cannot start: PostgreSQL at " + server + " refused the login of postgres.user "
                            + c.postgres().user() + " (FATAL: password authentication failed"));
            seen.add(refused("producer_spark_submit.sh", config, Map.of("ORDERS_POSTGRES_JDBC_URL",
                            c.postgres().jdbcUrl().replace(certs.postgresCa().toString(), certs.kafkaCaPem().toString())),
                    "Producer cannot start: TLS with PostgreSQL at " + server + " failed ("));
            String brokers = c.kafka().brokers();
            Path wrongLogin = kafkaProperties(s, certs.kafkaTruststore(), "not-the-password");
            seen.add(refused("producer_spark_submit.sh", config, Map.of("ORDERS_KAFKA_PROPERTIES_FILE", wrongLogin.toString()),
                    "Producer cannot start: Kafka at " + brokers + " refused the login (SaslAuthenticationException: "));
            seen.add(refused("consumer_spark_submit.sh", config, Map.of("ORDERS_KAFKA_PROPERTIES_FILE", wrongLogin.toString()),
                    "Consumer cannot start: Kafka at " + brokers + " refused the login (SaslAuthenticationException: "));
            Path wrongCa = kafkaProperties(s, certs.wrongKafkaTruststore(), kafkaPassword);
            seen.add(refused("consumer_spark_submit.sh", config, Map.of("ORDERS_KAFKA_PROPERTIES_FILE", wrongCa.toString()),
                    "Consumer cannot start: TLS with Kafka at " + brokers + " failed ("));
            // A truststore that is not there is the config's problem, said at once (not a client retrying).
            Path gone = s.dir().resolve("secrets/no-such-truststore.p12");
            Path missingStore = kafkaProperties(s, gone, kafkaPassword);
            JobProcess.Finished noStore = JobProcess.run("consumer_spark_submit.sh", List.of("--config", config.toString()),
                    Map.of("ORDERS_KAFKA_PROPERTIES_FILE", missingStore.toString()), REFUSAL_TIMEOUT);
            assertEquals(2, noStore.exit(), noStore.all());
            assertTrue(noStore.all().contains("kafka.properties.ssl.truststore.location: no readable file " + gone),
                    noStore.all());
            seen.add(noStore.all());
            JobProcess.Finished validator = JobProcess.run("validate_pipeline.sh", List.of("--config", config.toString()),
                    Map.of("ORDERS_KAFKA_PROPERTIES_FILE", wrongLogin.toString()), REFUSAL_TIMEOUT);
            assertEquals(3, validator.exit(), validator.all());
            List<String> said = validator.all().lines().filter(l -> l.contains("cannot validate")).toList();
            assertTrue(said.size() == 1 && said.get(0).contains("SaslAuthenticationException"), validator.all());
            seen.add(validator.all());

            for (String text : seen) {
                assertNoSecret(secrets, "what the programs showed", text);
            }
        }
    }

    /** A plain Kafka client finds no listener it can talk to; a login without TLS is refused by pg_hba.conf. */
    private static void assertServersTakeNothingInClear(PipelineConfig c) {
        Properties plain = new Properties();
        plain.put("bootstrap.servers", c.kafka().brokers());
        try (var consumer = new KafkaConsumer<>(plain, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            assertThrows(org.apache.kafka.common.errors.TimeoutException.class,
                    () -> consumer.partitionsFor(c.kafka().topic(), Duration.ofSeconds(5)));
        }
        String clear = c.postgres().jdbcUrl().replaceFirst("\\?.*", "?sslmode=disable");
        SQLException e = assertThrows(SQLException.class,
                () -> DriverManager.getConnection(clear, c.postgres().user(), c.postgres().password()).close());
        assertTrue(e.getMessage().contains("pg_hba.conf rejects connection") && e.getMessage().contains("no encryption"),
                e.getMessage());
    }

    /**
     * Runs a job with {@code env} added and expects it to end at start with exit 3 and exactly
     * one line of {@code expected}, never waiting as for an outage; returns its output.
     */
    private static String refused(String script, Path config, Map<String, String> env, String expected)
            throws IOException, InterruptedException {
        long started = System.nanoTime();
        JobProcess.Finished f = JobProcess.run(script, List.of("--config", config.toString()), env, REFUSAL_TIMEOUT);
        long seconds = (System.nanoTime() - started) / 1_000_000_000;
        String all = f.all();
        List<String> lines = all.lines().filter(l -> l.contains(expected)).toList();
        assertEquals(3, f.exit(), script + " with " + env.keySet() + ":\n" + all);
        assertEquals(1, lines.size(), "one line saying " + expected + ":\n" + all);
        assertFalse(all.contains("Waiting for"), "refused, not waited out like an outage:\n" + all);
        assertTrue(seconds < 90, script + " took " + seconds + " s to give up:\n" + all);
        return all;
    }

    /** A client.properties for the stack's Kafka user with this truststore and password. */
    private static Path kafkaProperties(ThrowawayStack s, Path truststore, String password) throws IOException {
        TestCertificates certs = s.certificates().orElseThrow();
        Properties p = new Properties();
        p.putAll(ThrowawayStack.kafkaProperties(truststore, certs.storePassword(), ThrowawayStack.KAFKA_USER, password));
        Path file = s.dir().resolve("secrets/kafka-" + Integer.toHexString(truststore.hashCode() ^ password.hashCode())
                + ".properties");
        try (var w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(w, null);
        }
        return file;
    }

    /** The password of a SCRAM JAAS line. */
    private static String secretOf(String jaas) {
        return jaas.replaceFirst("(?s).*password=\"([^\"]+)\".*", "$1");
    }

    /** Spark's UI on {@code uiPort} and its event log in {@code events}. */
    private static Map<String, String> sparkObserved(Path events, int uiPort) {
        return Map.of("SPARK_SUBMIT_ARGS", "--conf spark.eventLog.enabled=true --conf spark.eventLog.dir=file:" + events
                + " --conf spark.ui.port=" + uiPort);
    }

    /** The Spark UI's environment page (as its REST API serves it) of the one application on {@code port}. */
    private static String sparkEnvironment(int port) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = "http://127.0.0.1:" + port + "/api/v1/applications";
        JsonNode apps = new ObjectMapper().readTree(get(http, base));
        String id = apps.get(0).get("id").asText();
        String environment = get(http, base + "/" + id + "/environment");
        assertTrue(environment.contains("sparkProperties") && environment.contains("spark.app.name"), environment);
        return environment;
    }

    private static String get(HttpClient http, String url) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), url + ": " + r.body());
        return r.body();
    }

    private static String processList() throws Exception {
        Process ps = new ProcessBuilder("ps", "-eo", "args").redirectErrorStream(true).start();
        String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, ps.waitFor());
        assertTrue(out.contains("foodcdc.producer.ProducerJob") && out.contains("foodcdc.consumer.ConsumerJob"), out);
        return out;
    }

    /** Every event log Spark wrote (both jobs'), with the plans of every query it ran. */
    private static String eventLogs(Path events) throws IOException {
        StringBuilder all = new StringBuilder();
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(events)) {
            for (Path f : files.toList()) {
                names.add(f.getFileName().toString());
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        assertEquals(2, names.size(), "one event log a job: " + names);
        assertTrue(all.toString().contains("SparkListenerSQLExecutionStart"), "the plans are in the event log");
        return all.toString();
    }

    private static void assertNoSecret(List<String> secrets, String where, String text) {
        Map<String, Integer> found = new HashMap<>();
        for (String secret : secrets) {
            if (text.contains(secret)) {
                found.put(secret.substring(0, 3) + "…", text.indexOf(secret));
            }
        }
        assertTrue(found.isEmpty(), "a secret in " + where + ": " + found);
    }
}
