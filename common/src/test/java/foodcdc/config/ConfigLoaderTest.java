package foodcdc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String VALID = """
            postgres:
              jdbc_url: "jdbc:postgresql://localhost:5433/food_delivery_db"
              host: 127.0.0.1
              port: 5433
              db: "food_delivery_db"
              user: "student"
              password: "s3cret-pw"
              table: ROLL001_orders
            kafka:
              brokers: "localhost:9092"
              topic: "ROLL001_food_orders_raw"
            datalake:
              path: "/tmp/lake/orders"
              format: "parquet"
            streaming:
              checkpoint_location: "/tmp/lake/checkpoints"
              last_processed_timestamp_location: "/tmp/lake/lastprocess"
              batch_interval: 5
            """;

    private static PipelineConfig parse(String yaml) throws ConfigException {
        return ConfigLoader.parse(yaml, "test.yml", Map.of());
    }

    private static List<String> problems(String yaml) {
        return problems(yaml, Map.of());
    }

    private static List<String> problems(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(yaml, "test.yml", env)).problems();
    }

    @Test
    void shouldLoadEveryKeyWithItsType() throws ConfigException {
        PipelineConfig c = parse(VALID);
        assertEquals(new PipelineConfig.Postgres("jdbc:postgresql://localhost:5433/food_delivery_db", "127.0.0.1",
                5433, "food_delivery_db", "student", "s3cret-pw", "ROLL001_orders"), c.postgres());
        assertEquals(new PipelineConfig.Kafka("localhost:9092", "ROLL001_food_orders_raw", 3, Map.of()), c.kafka());
        assertEquals(new PipelineConfig.Datalake("/tmp/lake/orders", "parquet"), c.datalake());
        assertEquals(new PipelineConfig.Streaming("/tmp/lake/checkpoints", "/tmp/lake/lastprocess", 5, 100_000, 250, 100_000, "inserts"), c.streaming());
        assertEquals("localhost", c.kafka().firstBrokerHost());
        assertEquals(9092, c.kafka().firstBrokerPort());
    }

    @Test
    void shouldLoadTheShippedConfigWithExactlyTheContractKeys() throws ConfigException {
        PipelineConfig c = ConfigLoader.load(Path.of("../configs/orders_stream.yml"), Map.of());
        assertEquals("ROLL001_orders", c.postgres().table());
        assertEquals("ROLL001_food_orders_raw", c.kafka().topic());
        assertEquals(5, c.streaming().batchInterval());
        assertFalse(Path.of(c.datalake().path()).isAbsolute(), "a fresh clone must not need root-owned folders");
    }

    @Test
    void shouldNameAMissingKey() {
        assertEquals(List.of("kafka.topic: missing (topic of order events)"),
                problems(VALID.replace("  topic: \"ROLL001_food_orders_raw\"\n", "")));
    }

    @Test
    void shouldRefuseANonPositiveBatchInterval() {
        assertEquals(List.of("streaming.batch_interval: must be between 1 and 86400, got -1"),
                problems(VALID.replace("batch_interval: 5", "batch_interval: -1")));
        assertEquals(List.of("streaming.batch_interval: must be between 1 and 86400, got 0"),
                problems(VALID.replace("batch_interval: 5", "batch_interval: 0")));
    }

    @Test
    void shouldRefuseAPortThatIsNotAnInteger() {
        List<String> p = problems(VALID.replace("port: 5433", "port: abc"));
        assertEquals(List.of("postgres.port: expected an integer, got 'abc'"), p);
    }

    @Test
    void shouldRefuseAPortOutOfRange() {
        assertEquals(List.of("postgres.port: must be between 1 and 65535, got 70000"),
                problems(VALID.replace("port: 5433", "port: 70000")));
    }

    @Test
    void shouldCatchATypoAsAnUnknownKeyAndSuggestTheRightOne() {
        String typo = VALID.replace("password: \"s3cret-pw\"", "pasword: \"s3cret-pw\"");
        assertEquals(List.of(
                "unknown key postgres.pasword (did you mean postgres.password?)",
                "postgres.password: missing (database password (never logged; prefer ORDERS_POSTGRES_PASSWORD))"),
                problems(typo));
    }

    @Test
    void shouldRefuseAnUnknownSection() {
        assertEquals(List.of("unknown key kafak (did you mean kafka?)", "kafka.brokers: missing "
                        + "(comma-separated host:port list (the local stack runs its broker on the first))",
                        "kafka.topic: missing (topic of order events)"),
                problems(VALID.replace("kafka:", "kafak:")));
    }

    @Test
    void shouldReportEveryProblemTogether() {
        String broken = VALID.replace("port: 5433", "port: abc")
                .replace("batch_interval: 5", "batch_interval: -1")
                .replace("  topic: \"ROLL001_food_orders_raw\"\n", "")
                .replace("password: \"s3cret-pw\"", "pasword: \"s3cret-pw\"");
        List<String> p = problems(broken);
        assertEquals(5, p.size(), p.toString());
        for (String key : List.of("postgres.port", "streaming.batch_interval", "kafka.topic",
                "postgres.pasword", "postgres.password")) {
            assertTrue(p.stream().anyMatch(line -> line.contains(key)), key + " not named in " + p);
        }
    }

    @Test
    void shouldRefuseTableAndTopicNamesThatAreNotSafeIdentifiers() {
        List<String> p = problems(VALID.replace("table: ROLL001_orders", "table: \"orders; drop table x\"")
                .replace("topic: \"ROLL001_food_orders_raw\"", "topic: \"orders raw!\""));
        assertEquals(List.of(
                "postgres.table: 'orders; drop table x' is not a safe SQL identifier "
                        + "(a letter or _, then letters, digits or _, at most 63 characters)",
                "kafka.topic: 'orders raw!' is not a valid Kafka topic name "
                        + "(letters, digits, '.', '_', '-', at most 249 characters)"), p);
    }

    @Test
    void shouldRefuseAnUnsupportedFormatAndABadBrokerList() {
        List<String> p = problems(VALID.replace("format: \"parquet\"", "format: \"csv\"")
                .replace("brokers: \"localhost:9092\"", "brokers: \"localhost\""));
        assertEquals(List.of(
                "kafka.brokers: 'localhost' is not host:port (port 1-65535); "
                        + "expected a comma-separated list like \"localhost:9092\"",
                "datalake.format: 'csv' is not supported; use one of parquet"), p);
    }

    @Test
    void shouldRefuseALakePathWhoseQuarantineFolderWouldNotBeBesideIt() throws ConfigException {
        for (String bad : List.of("/tmp/lake/orders/", "s3a://bucket", "s3a://bucket/", "/")) {
            assertEquals(List.of("datalake.path: '" + bad + "' must name a folder below the root, without a trailing / "
                            + "(the quarantine and staging folders go beside it, e.g. " + bad.replaceAll("/+$", "")
                            + "_quarantine)"),
                    problems(VALID.replace("/tmp/lake/orders", bad)), bad);
        }
        assertEquals("s3a://bucket/lake", parse(VALID.replace("/tmp/lake/orders", "s3a://bucket/lake")).datalake().path());
    }

    @Test
    void shouldRefuseAJdbcUrlThatDisagreesWithHostPortAndDb() {
        assertEquals(List.of("postgres.jdbc_url: names localhost:5433/other_db but postgres.host/port/db say "
                        + "127.0.0.1:5433/food_delivery_db; make them agree (override both from the environment if needed)"),
                problems(VALID.replace("5433/food_delivery_db", "5433/other_db")));
    }

    @Test
    void shouldServeMetricsByDefaultAndRefuseBothJobsOnOnePort() throws ConfigException {
        PipelineConfig.Metrics m = parse(VALID).metrics();
        assertEquals(new PipelineConfig.Metrics("127.0.0.1", 9464, 9465), m);
        assertEquals(List.of("metrics.consumer_port: 9500 is metrics.producer_port too; give each job its own port "
                        + "(or 0 to turn one off)"),
                problems(VALID, Map.of("ORDERS_METRICS_PRODUCER_PORT", "9500", "ORDERS_METRICS_CONSUMER_PORT", "9500")));
        assertEquals(0, ConfigLoader.parse(VALID, "test.yml", Map.of("ORDERS_METRICS_PRODUCER_PORT", "0",
                "ORDERS_METRICS_CONSUMER_PORT", "0")).metrics().consumerPort());
        assertEquals(List.of("metrics.producer_port (from ORDERS_METRICS_PRODUCER_PORT): must be between 0 and 65535, got 70000"),
                problems(VALID, Map.of("ORDERS_METRICS_PRODUCER_PORT", "70000")));
    }

    @Test
    void shouldLetTheEnvironmentOverrideAnyKey() throws ConfigException {
        PipelineConfig c = ConfigLoader.parse(VALID, "test.yml", Map.of(
                "ORDERS_POSTGRES_PASSWORD", "from-env",
                "ORDERS_STREAMING_BATCH_INTERVAL", "2",
                "ORDERS_KAFKA_TOPIC_PARTITIONS", "6",
                "ORDERS_STREAMING_MAX_ROWS_PER_POLL", "500",
                "UNRELATED", "ignored"));
        assertEquals("from-env", c.postgres().password());
        assertEquals(2, c.streaming().batchInterval());
        assertEquals(6, c.kafka().topicPartitions());
        assertEquals(500, c.streaming().maxRowsPerPoll());
    }

    @Test
    void shouldNameTheEnvironmentVariableWhenAnOverrideIsWrong() {
        assertEquals(List.of(
                "postgres.port (from ORDERS_POSTGRES_PORT): expected an integer, got 'abc'",
                "unknown environment override ORDERS_POSTGRES_PASWORD (did you mean ORDERS_POSTGRES_PASSWORD?)"),
                problems(VALID, Map.of("ORDERS_POSTGRES_PORT", "abc", "ORDERS_POSTGRES_PASWORD", "x")));
    }

    @Test
    void shouldRefuseInvalidYamlAndDuplicateKeys() {
        assertTrue(problems("postgres: [unclosed").get(0).startsWith("config file test.yml is not valid YAML"));
        assertTrue(problems(VALID + "streaming:\n  batch_interval: 3\n").get(0)
                .startsWith("config file test.yml is not valid YAML"));
    }

    @Test
    void shouldReportEveryRequiredKeyOfAnEmptyFile() {
        assertEquals(14, problems("").size());
    }

    @Test
    void shouldNeverShowThePassword() throws ConfigException {
        PipelineConfig c = parse(VALID);
        assertFalse(c.toString().contains("s3cret-pw"), c.toString());
        assertFalse(c.postgres().toString().contains("s3cret-pw"));
        assertEquals("*****", c.describe().get("postgres.password"));
        assertFalse(c.describe().toString().contains("s3cret-pw"));
        List<String> p = problems(VALID.replace("password: \"s3cret-pw\"", "password: [\"s3cret-pw\"]"));
        assertEquals(List.of("postgres.password: expected a string, got a list (value hidden) (quote the value)"), p);
    }

    private static final String SASL = "org.apache.kafka.common.security.scram.ScramLoginModule required "
            + "username=\"orders\" password=\"kafka-s3cret\";";

    @Test
    void shouldTakeKafkaClientPropertiesFromTheYamlOrTheEnvironmentAndNeverShowTheirSecrets(@TempDir Path dir)
            throws Exception {
        assertEquals(Map.of(), parse(VALID).kafka().properties());
        Path truststore = Files.writeString(dir.resolve("truststore.p12"), "a store");
        String yaml = VALID.replace("  topic: \"ROLL001_food_orders_raw\"\n", """
                  topic: "ROLL001_food_orders_raw"
                  properties:
                    security.protocol: SASL_SSL
                    sasl.mechanism: SCRAM-SHA-512
                    sasl.jaas.config: '%s'
                    ssl.truststore.location: %s
                    ssl.truststore.password: trust-s3cret
                    ssl.endpoint.identification.algorithm: ""
                    linger.ms: 5
                """.formatted(SASL, truststore));
        PipelineConfig c = parse(yaml);
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", SASL,
                "ssl.truststore.location", truststore.toString(), "ssl.truststore.password", "trust-s3cret",
                "ssl.endpoint.identification.algorithm", "", "linger.ms", "5"), c.kafka().properties());
        for (String shown : List.of(c.toString(), c.kafka().toString(), c.describe().toString())) {
            assertFalse(shown.contains("kafka-s3cret") || shown.contains("trust-s3cret"), shown);
            assertTrue(shown.contains("security.protocol=SASL_SSL"), shown);
        }
        // The environment's spelling: key=value lines, as a Kafka client.properties file has them.
        PipelineConfig fromEnv = ConfigLoader.parse(VALID, "test.yml", Map.of("ORDERS_KAFKA_PROPERTIES",
                "security.protocol=SASL_SSL\n# a comment\nsasl.mechanism = SCRAM-SHA-512\nsasl.jaas.config=" + SASL));
        assertEquals(Map.of("security.protocol", "SASL_SSL", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", SASL),
                fromEnv.kafka().properties());
        String written = ConfigWriter.yaml(c);
        assertEquals(c, ConfigLoader.parse(written, "written.yml", Map.of()), written);
    }

    @Test
    void shouldRefuseKafkaPropertiesThatAreUnknownMistypedOrThePipelinesOwn() {
        String yaml = VALID.replace("  topic: \"ROLL001_food_orders_raw\"\n", """
                  topic: "ROLL001_food_orders_raw"
                  properties:
                    security.protocol: SASL_SSLX
                    sasl.mechansm: PLAIN
                    bootstrap.servers: other:9092
                    acks: 1
                    transactional.id: t
                    group.id: mine
                    request.timeout.ms: 5000
                    retries: 0
                    ssl.keystore.password: [a, b]
                """);
        assertEquals(List.of("kafka.properties: ssl.keystore.password: expected a text, number or boolean value, got a list"),
                problems(yaml));
        List<String> p = problems(yaml.replace("    ssl.keystore.password: [a, b]\n", "    linger.ms: soon\n"));
        assertEquals(List.of(
                "kafka.properties.acks: set by the pipeline (the producer writes with acks=all, so that an acknowledged "
                        + "event is on every in-sync replica); remove it",
                "kafka.properties.bootstrap.servers: set by the pipeline (set kafka.brokers instead); remove it",
                "kafka.properties.group.id: set by the pipeline (the consumer keeps its offsets in its checkpoint, in no "
                        + "consumer group); remove it",
                "kafka.properties.linger.ms: Kafka refuses 'soon': expected a long in [0,...]",
                "kafka.properties.request.timeout.ms: set by the pipeline (the jobs' outage handling relies on its value "
                        + "(they say within seconds that the broker is away)); remove it",
                "kafka.properties.retries: set by the pipeline (the idempotent producer needs its retries (the outage "
                        + "handling bounds them by time)); remove it",
                "kafka.properties.sasl.mechansm: not a Kafka client property (did you mean sasl.mechanism?)",
                "kafka.properties.security.protocol: Kafka refuses 'SASL_SSLX': expected a string in "
                        + "[PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL]",
                "kafka.properties.transactional.id: set by the pipeline (Spark's Kafka sink hangs with it (and the lake "
                        + "de-duplicates without it)); remove it"), p);
        List<String> besideASecret = problems(yaml.replace("    ssl.keystore.password: [a, b]\n",
                "    sasl.jaas.config: '" + SASL + "'\n    linger.ms: soon\n"));
        assertEquals(p, besideASecret);
    }

    @Test
    void shouldReadAnyValueFromTheFileItsFileKeyOrVariableNames(@TempDir Path dir) throws Exception {
        Path secret = Files.writeString(dir.resolve("pg_password"), "from-a-file\n");
        Path ca = Files.writeString(dir.resolve("ca.p12"), "a store");
        Path properties = Files.writeString(dir.resolve("client.properties"),
                "security.protocol=SSL\nssl.truststore.location=" + ca + "\n");
        PipelineConfig c = ConfigLoader.parse(VALID, "test.yml", Map.of(
                "ORDERS_POSTGRES_PASSWORD_FILE", secret.toString(),
                "ORDERS_KAFKA_PROPERTIES_FILE", properties.toString()));
        assertEquals("from-a-file", c.postgres().password(), "one trailing line end dropped");
        assertEquals(Map.of("security.protocol", "SSL", "ssl.truststore.location", ca.toString()),
                c.kafka().properties());
        String yaml = VALID.replace("  password: \"s3cret-pw\"", "  password_file: " + secret);
        assertEquals("from-a-file", parse(yaml).postgres().password());
        Files.writeString(secret, "two\nlines\r\n");
        assertEquals("two\nlines", parse(yaml).postgres().password(), "only the last line end is dropped");

        assertEquals(List.of("postgres.password: both postgres.password and postgres.password_file are given; give one"),
                problems(VALID.replace("  password: \"s3cret-pw\"", "  password: x\n  password_file: " + secret)));
        assertEquals(List.of("postgres.password: both ORDERS_POSTGRES_PASSWORD and ORDERS_POSTGRES_PASSWORD_FILE are "
                        + "set; set one"),
                problems(VALID, Map.of("ORDERS_POSTGRES_PASSWORD", "x", "ORDERS_POSTGRES_PASSWORD_FILE", secret.toString())));
        Path missing = dir.resolve("nowhere");
        // Not repeated: the "file" may be the password itself, set where its file was meant.
        assertEquals(List.of("postgres.password (from the file ORDERS_POSTGRES_PASSWORD_FILE names): cannot read "
                        + "it (NoSuchFileException)"),
                problems(VALID, Map.of("ORDERS_POSTGRES_PASSWORD_FILE", missing.toString())));
        assertEquals(List.of("kafka.properties (from the file ORDERS_KAFKA_PROPERTIES_FILE names): cannot read "
                        + "it (NoSuchFileException)"),
                problems(VALID, Map.of("ORDERS_KAFKA_PROPERTIES_FILE", "sasl.jaas.config=" + SASL)));
        assertEquals(List.of("datalake.path (from the file ORDERS_DATALAKE_PATH_FILE names): cannot read "
                        + missing + " (NoSuchFileException)"),
                problems(VALID, Map.of("ORDERS_DATALAKE_PATH_FILE", missing.toString())));
        Files.writeString(secret, "\n");
        List<String> empty = problems(yaml);
        assertEquals(List.of("postgres.password (from the file postgres.password_file names): must not be empty"), empty);
        assertEquals(List.of("unknown environment override ORDERS_POSTGRES_PASWORD_FILE (did you mean "
                        + "ORDERS_POSTGRES_PASSWORD_FILE?)"),
                problems(VALID, Map.of("ORDERS_POSTGRES_PASWORD_FILE", secret.toString())));
    }

    @Test
    void shouldKeepYamlWordsAndNumbersAsWrittenWhereYaml11WouldChangeThem() throws Exception {
        // YAML 1.1 reads off as false, 012345 as 5349 (octal), 1_000 as 1000, 1:30 as 90.
        for (String word : List.of("off", "yes", "No", "012345", "1_000", "1:30", "0x1F", "+5", "2024-01-01", ".5")) {
            PipelineConfig c = parse(VALID.replace("password: \"s3cret-pw\"", "password: " + word)
                    .replace("  topic: \"ROLL001_food_orders_raw\"\n", "  topic: \"ROLL001_food_orders_raw\"\n"
                            + "  properties:\n    ssl.key.password: " + word + "\n"));
            assertEquals(word, c.postgres().password());
            assertEquals(word, c.kafka().properties().get("ssl.key.password"));
        }
        PipelineConfig typed = parse(VALID.replace("  topic: \"ROLL001_food_orders_raw\"\n",
                "  topic: \"ROLL001_food_orders_raw\"\n  properties:\n    linger.ms: 5\n    allow.auto.create.topics: false\n"));
        assertEquals(Map.of("linger.ms", "5", "allow.auto.create.topics", "false"), typed.kafka().properties());
        assertEquals(5, typed.streaming().batchInterval());
        assertEquals(List.of("postgres.password: expected a string, got boolean (value hidden) (quote the value)"),
                problems(VALID.replace("password: \"s3cret-pw\"", "password: true")));
    }

    @Test
    void shouldSayWhereTheYamlIsBrokenWithoutRepeatingTheLine() {
        String broken = VALID.replace("  password: \"s3cret-pw\"\n", "  password: \"s3cret-pw\"\n   user2: [x\n");
        List<String> p = problems(broken);
        assertEquals(1, p.size(), p.toString());
        assertTrue(p.get(0).startsWith("config file test.yml is not valid YAML at line 8, column "), p.get(0));
        assertFalse(p.get(0).contains("s3cret-pw") || p.get(0).contains("user2"), p.get(0));
        // SnakeYAML's own words quote the value: "found undefined alias Xy9z", "the tag !Xy9z".
        for (String unquoted : List.of("*Xy9z", "!Xy9z", "&Xy9z [", "@Xy9z")) {
            List<String> q = problems(VALID.replace("password: \"s3cret-pw\"", "password: " + unquoted));
            assertEquals(1, q.size(), q.toString());
            assertTrue(q.get(0).startsWith("config file test.yml is not valid YAML at line "), q.get(0));
            assertFalse(q.get(0).contains("Xy9z"), q.get(0));
        }
        assertTrue(problems(VALID + "streaming:\n  batch_interval: 3\n").get(0).contains("(a key given twice;"));
    }

    @Test
    void shouldReadIntegersAndMergeKeysAsYaml11Did() throws Exception {
        PipelineConfig c = parse(VALID.replace("  port: 5433", "  port: 5_433").replace("batch_interval: 5", "batch_interval: +5")
                .replace("  user: \"student\"\n", "  <<: {user: \"student\"}\n"));
        assertEquals(5433, c.postgres().port());
        assertEquals(5, c.streaming().batchInterval());
        assertEquals("student", c.postgres().user());
        assertEquals(List.of("streaming.batch_interval: expected an integer, got '0x5'"),
                problems(VALID.replace("batch_interval: 5", "batch_interval: 0x5")));
    }

    @Test
    void shouldRefuseCertificateFilesThatAreNotThere(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "a certificate");
        String url = "jdbc:postgresql://localhost:5433/food_delivery_db?sslmode=verify-full&sslrootcert=";
        String yaml = VALID.replace("jdbc:postgresql://localhost:5433/food_delivery_db", url + ca)
                .replace("  topic: \"ROLL001_food_orders_raw\"\n", "  topic: \"ROLL001_food_orders_raw\"\n"
                        + "  properties:\n    security.protocol: SSL\n    ssl.truststore.location: " + ca + "\n");
        assertEquals(ca.toString(), parse(yaml).kafka().properties().get("ssl.truststore.location"));
        Path gone = dir.resolve("gone.pem");
        String hint = " (a relative path is from the folder the job starts in; on a cluster, every node that runs "
                + "a job needs it: docs/SECURITY.md)";
        assertEquals(List.of("kafka.properties.ssl.truststore.location: no readable file " + gone + hint,
                        "postgres.jdbc_url's sslrootcert: no readable file " + gone + hint),
                problems(yaml.replace(ca.toString(), gone.toString())));
        assertEquals(List.of("postgres.jdbc_url's sslrootcert: no readable file " + dir + hint),
                problems(yaml.replace("sslrootcert=" + ca, "sslrootcert=" + dir)));
        // Files no client opens: TLS off.
        String off = yaml.replace(ca.toString(), gone.toString()).replace("sslmode=verify-full", "sslmode=disable")
                .replace("security.protocol: SSL", "security.protocol: SASL_PLAINTEXT");
        assertEquals(gone.toString(), parse(off).kafka().properties().get("ssl.truststore.location"));
        // A stray % is no crash: the value is taken as written.
        assertEquals(url + ca + "&ApplicationName=x%",
                parse(yaml.replace("sslrootcert=" + ca, "sslrootcert=" + ca + "&ApplicationName=x%")).postgres().jdbcUrl());
        assertEquals(List.of("postgres.jdbc_url's sslrootcert: no readable file a%zz" + hint),
                problems(yaml.replace("sslrootcert=" + ca, "sslrootcert=a%zz")));
    }

    @Test
    void shouldNeverShowAPasswordTheJdbcUrlCarries() throws Exception {
        String yaml = VALID.replace("jdbc:postgresql://localhost:5433/food_delivery_db",
                "jdbc:postgresql://localhost:5433/food_delivery_db?user=student&password=url-s3cret&sslpassword=key-s3cret");
        PipelineConfig c = parse(yaml);
        for (String shown : List.of(c.toString(), c.describe().toString())) {
            assertFalse(shown.contains("url-s3cret") || shown.contains("key-s3cret"), shown);
            assertTrue(shown.contains("?user=student&password=*****&sslpassword=*****"), shown);
        }
        List<String> p = problems(yaml.replace("jdbc:postgresql://localhost", "jdbc:postgres://localhost"));
        assertFalse(p.toString().contains("url-s3cret"), p.toString());
    }

    @Test
    void shouldPrintOneLinePerProblemForTheUser() {
        var out = new ByteArrayOutputStream();
        ConfigCli.report(Path.of("bad.yml"), new ConfigException(List.of("a.b: wrong", "c.d: missing")),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        assertEquals("""
                Config bad.yml has 2 problem(s); nothing was started:
                  config error: a.b: wrong
                  config error: c.d: missing
                """, out.toString(StandardCharsets.UTF_8));
    }
}
