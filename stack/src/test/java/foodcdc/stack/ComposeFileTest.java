package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import foodcdc.config.ConfigLoader;
import foodcdc.config.PipelineConfig;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * docker-compose.yml checked without a Docker engine: against the Compose Specification's JSON
 * schema (src/test/resources/compose-spec.schema.json, from the compose-spec project as shipped
 * in the dclint npm package), and for what the schema cannot know: mounted files and scripts
 * exist, start-up order conditions point at health checks, workers can be scaled, and the
 * environment overrides give a valid config.
 */
class ComposeFileTest {
    private static final Path HOME = Repository.home();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Map<String, Object> load(String yaml) {
        return new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    }

    private static String composeText() throws Exception {
        return Files.readString(HOME.resolve("docker-compose.yml"), StandardCharsets.UTF_8);
    }

    private static Set<ValidationMessage> schemaErrors(String yaml) throws Exception {
        try (InputStream in = ComposeFileTest.class.getResourceAsStream("/compose-spec.schema.json")) {
            // The file names itself by a relative $id, which the validator refuses: give it the
            // specification's own address (nothing is fetched; every $ref is inside the file).
            com.fasterxml.jackson.databind.node.ObjectNode schema =
                    (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(in);
            schema.put("$id", "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json");
            JsonSchema s = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V7).getSchema(schema);
            JsonNode doc = JSON.valueToTree(load(yaml));
            return s.validate(doc);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() throws Exception {
        return (Map<String, Map<String, Object>>) load(composeText()).get("services");
    }

    @Test
    void shouldMatchTheComposeSpecification() throws Exception {
        assertEquals(Set.of(), schemaErrors(composeText()));
    }

    @Test
    void shouldRejectBrokenComposeFiles() throws Exception {
        String ok = composeText();
        String typo = ok.replace("    depends_on:\n      spark-master:", "    dependz_on:\n      spark-master:");
        String badCondition = ok.replace("condition: service_completed_successfully", "condition: service_done");
        String badPorts = ok.replace("      - \"${BIND_ADDRESS:-127.0.0.1}:${SPARK_MASTER_UI_PORT:-18080}:8080\"",
                "      - {published: [8080]}");
        for (String broken : List.of(typo, badCondition, badPorts)) {
            assertFalse(broken.equals(ok), "the test's edit did not apply");
            assertFalse(schemaErrors(broken).isEmpty(), "a broken compose file passed:\n" + broken);
        }
    }

    @Test
    void shouldMountAndRunOnlyFilesOfTheRepository() throws Exception {
        List<String> missing = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Set<String> named = ((Map<String, Object>) load(composeText()).get("volumes")).keySet();
        for (var service : services().entrySet()) {
            Object volumes = service.getValue().get("volumes");
            if (volumes instanceof List<?> list) {
                for (Object v : list) {
                    // A named volume, or a host folder a .env variable names (made by the engine).
                    // Grafana's image mounts its provisioning from the repository, read-only.
                    String source = v.toString().replaceFirst(":ro$", "").replaceFirst(":[^:]+$", "");
                    boolean ofRepository = source.startsWith("./") && Files.isDirectory(HOME.resolve(source))
                            && v.toString().endsWith(":ro");
                    if (!named.contains(source) && !source.matches("\\$\\{\\w+:-[^}]+}") && !ofRepository) {
                        missing.add(service.getKey() + " mounts " + source);
                    }
                }
            }
            if (isGrafana(service.getValue())) {
                continue;   // its own image runs its own command
            }
            // The image holds scripts/ and docker/*.sh at /app, its working folder.
            Matcher script = Pattern.compile("(scripts|docker)/[\\w.-]+\\.sh").matcher(String.valueOf(service.getValue().getOrDefault("command", service.getValue().get("entrypoint"))));
            assertTrue(script.find(), service.getKey() + " runs no script of the repository");
            do {
                if (!Files.isExecutable(HOME.resolve(script.group()))) {
                    missing.add(service.getKey() + " runs " + script.group());
                }
            } while (script.find());
        }
        assertEquals(List.of(), missing);
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldStartInDependencyOrderOnHealthyServices() throws Exception {
        Map<String, Map<String, Object>> services = services();
        for (var service : services.entrySet()) {
            Object dependsOn = service.getValue().get("depends_on");
            if (!(dependsOn instanceof Map<?, ?> deps)) {
                continue;
            }
            for (var dep : ((Map<String, Map<String, String>>) deps).entrySet()) {
                Map<String, Object> target = services.get(dep.getKey());
                assertTrue(target != null, service.getKey() + " depends on unknown " + dep.getKey());
                if ("service_healthy".equals(dep.getValue().get("condition"))) {
                    assertTrue(target.containsKey("healthcheck"), dep.getKey() + " has no health check");
                }
            }
        }
        for (String job : List.of("producer", "consumer")) {
            Map<String, Map<String, String>> deps = (Map<String, Map<String, String>>) services.get(job).get("depends_on");
            assertEquals("service_completed_successfully", deps.get("setup").get("condition"), job);
            // `down` stops dependents first: the jobs end their work before the executors go.
            assertTrue(deps.containsKey("spark-worker"), job + " must be stopped before the workers");
        }
        Map<String, Object> worker = services.get("spark-worker");
        assertFalse(worker.containsKey("container_name") || worker.containsKey("ports"),
                "a fixed name or host port would stop --scale spark-worker=3");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldKeepLakeCheckpointAndWatermarkInOneVolumeThatExecutorsShare() throws Exception {
        // Executors on the workers write the lake files the consumer's driver then renames: both
        // see the state at the same path. The validator and the export read it there too.
        Map<String, Map<String, Object>> services = services();
        String state = "${PIPELINE_STATE:-pipeline-state}:/app/var/docker";
        for (String s : List.of("producer", "consumer", "spark-worker", "validator", "lake-export",
                "replay-from-source", "accept-source")) {
            assertTrue(((List<String>) services.get(s).get("volumes")).contains(state), s + " lacks " + state);
        }
        Map<String, Object> volumes = (Map<String, Object>) load(composeText()).get("volumes");
        assertEquals(Set.of("postgres-data", "kafka-data", "pipeline-state", "spark-recovery", "prometheus-data"),
                volumes.keySet());
        assertEquals(List.of("spark-recovery:/var/lib/spark-recovery"), services.get("spark-master").get("volumes"));
        for (String tool : List.of("replay-from-source", "accept-source")) {
            assertTrue(((List<String>) services.get(tool).get("volumes")).contains(state), tool + " lacks " + state);
        }
        assertEquals(List.of("postgres-data:/var/lib/postgresql"), services.get("postgres").get("volumes"));
        assertEquals(List.of("kafka-data:/var/lib/kafka"), services.get("kafka").get("volumes"));
        assertTrue(Files.readString(HOME.resolve("docker/kafka.sh")).contains("data=/var/lib/kafka/data"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldPublishEveryPortOnLoopbackFromEnvVariables() throws Exception {
        // A local stack (5432, 9092, 8080, 4040) can run beside it, and the test picks free ports.
        Map<String, String> env = dotEnv();
        Set<String> hostPorts = new java.util.HashSet<>();
        for (var service : services().entrySet()) {
            for (Object port : (List<Object>) service.getValue().getOrDefault("ports", List.of())) {
                Matcher m = Pattern.compile("\\$\\{BIND_ADDRESS:-127\\.0\\.0\\.1}:\\$\\{(\\w+):-(\\d+)}:\\d+").matcher(port.toString());
                assertTrue(m.matches(), service.getKey() + " publishes " + port + " not as ${BIND_ADDRESS:-127.0.0.1}:${VAR:-N}:PORT");
                assertEquals(m.group(2), env.get(m.group(1)), m.group(1) + ": the default and .env differ");
                assertFalse(Set.of("5432", "9092", "7077", "8080", "8081", "4040", "4041").contains(m.group(2)),
                        m.group(1) + " takes a port of the local stack");
                assertTrue(hostPorts.add(m.group(2)), "two services publish " + m.group(2));
            }
        }
        assertEquals("127.0.0.1", env.get("BIND_ADDRESS"));
        // Every variable the compose file reads has its line in .env, and every line is read.
        Matcher used = Pattern.compile("\\$\\{(\\w+)(:-[^}]*)?}").matcher(composeText());
        Set<String> names = new java.util.TreeSet<>();
        while (used.find()) {
            names.add(used.group(1));
        }
        assertEquals(new java.util.TreeSet<>(env.keySet()), names);
        assertFalse(load(composeText()).containsKey("name"), "docker-compose 1.29 refuses a top-level name:");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLetJobsThatCannotStartStopInsteadOfRestartingForEver() throws Exception {
        Map<String, Map<String, Object>> services = services();
        for (String job : List.of("producer", "consumer")) {
            assertEquals("no", services.get(job).get("restart"), job + ": docker/job.sh decides what a restart is");
            assertEquals(List.of("docker/job.sh", job), services.get(job).get("command"));
        }
        // What docker/job.sh does with each exit: JobWrapperTest.
    }

    /** The one service not run from the project's image: Grafana, in the {@code monitoring} profile. */
    private static boolean isGrafana(Map<String, Object> service) {
        return String.valueOf(service.get("profiles")).equals("[monitoring]")
                && String.valueOf(service.get("image")).startsWith("docker.io/grafana/");
    }

    @Test
    void shouldBuildEveryImageFromDebianAlone() throws Exception {
        // One base image, made from Debian's packages where no registry is reachable.
        List<String> froms = Files.readAllLines(HOME.resolve("docker/Dockerfile")).stream()
                .filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM debian:bookworm-slim AS base", "FROM base AS build", "FROM base"), froms);
        long built = services().values().stream().filter(s -> s.containsKey("build")).count();
        assertEquals(1, built, "one service builds the image, the others run it");
        for (var service : services().entrySet()) {
            if (isGrafana(service.getValue())) {
                // Not in Debian's packages: its own image, pinned, in a profile `up` leaves alone.
                assertTrue(String.valueOf(service.getValue().get("image")).matches("docker\\.io/grafana/grafana-oss:\\d+\\.\\d+\\.\\d+"),
                        "grafana's image: " + service.getValue().get("image"));
                continue;
            }
            assertEquals("food-orders-cdc:local", service.getValue().get("image"), service.getKey());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldOverrideTheShippedConfigIntoAValidContainerConfig() throws Exception {
        Map<String, Object> env = (Map<String, Object>) services().get("producer").get("environment");
        Map<String, String> overrides = new HashMap<>();
        env.forEach((k, v) -> {
            if (k.startsWith("ORDERS_")) {
                overrides.put(k, String.valueOf(v));
            }
        });
        // As the engine gives them: .env's values in, the secret's file where it is mounted.
        Map<String, String> given = new HashMap<>();
        for (var o : overrides.entrySet()) {
            given.put(o.getKey(), interpolated(o.getValue()));
        }
        assertEquals("/run/secrets/postgres_password", given.get("ORDERS_POSTGRES_PASSWORD_FILE"));
        given.put("ORDERS_POSTGRES_PASSWORD_FILE", HOME.resolve(dotEnv().get("POSTGRES_PASSWORD_FILE")).toString());
        PipelineConfig c = ConfigLoader.load(HOME.resolve("configs/orders_stream.yml"), given);
        assertEquals("student", c.postgres().user());
        assertEquals("student123", c.postgres().password(), "the sample secret, without its line end");
        assertTrue(c.datalake().path().startsWith("var/docker/"), "the state volume is mounted at /app/var/docker");
        assertTrue(c.streaming().checkpointLocation().startsWith("var/docker/"));
        assertTrue(c.streaming().lastProcessedTimestampLocation().startsWith("var/docker/"));
        assertEquals("postgres", c.postgres().host());
        assertEquals("kafka:9092", c.kafka().brokers());
        for (var service : services().entrySet()) {
            Object e = service.getValue().get("environment");
            if (e instanceof Map<?, ?> m && m.keySet().stream().anyMatch(k -> k.toString().startsWith("ORDERS_"))) {
                for (var o : overrides.entrySet()) {
                    assertEquals(o.getValue(), m.get(o.getKey()), service.getKey() + " " + o.getKey());
                }
            }
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldGiveThePasswordAsAMountedSecretToEveryContainerThatConnects() throws Exception {
        Map<String, Object> secrets = (Map<String, Object>) load(composeText()).get("secrets");
        assertEquals(Map.of("postgres_password", Map.of("file", "${POSTGRES_PASSWORD_FILE:-"
                + dotEnv().get("POSTGRES_PASSWORD_FILE") + "}")), secrets);
        Path sample = HOME.resolve(dotEnv().get("POSTGRES_PASSWORD_FILE"));
        assertTrue(Files.isRegularFile(sample), sample + " is missing");
        // Never in the image: it is mounted at run time.
        assertTrue(Files.readAllLines(HOME.resolve(".dockerignore")).contains("docker/secrets"));
        for (var service : services().entrySet()) {
            Object e = service.getValue().get("environment");
            boolean loadsConfig = e instanceof Map<?, ?> m && m.containsKey("ORDERS_POSTGRES_PASSWORD_FILE");
            assertEquals(loadsConfig, List.of("postgres_password").equals(service.getValue().get("secrets")),
                    service.getKey() + ": the secret is mounted exactly where the config names its file");
            if (e instanceof Map<?, ?> m) {
                for (var v : m.entrySet()) {
                    assertFalse(v.getKey().toString().matches("ORDERS_\\w*PASSWORD")
                                    || String.valueOf(v.getValue()).contains("student123"),
                            service.getKey() + " gives a password in its environment: " + v.getKey());
                }
            }
        }
    }

    /** A value of the compose file as the engine reads it: each ${VAR:-default} from .env, else its default. */
    private static String interpolated(String value) throws Exception {
        Map<String, String> env = dotEnv();
        Matcher m = Pattern.compile("\\$\\{(\\w+):-([^}]*)}").matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(env.getOrDefault(m.group(1), m.group(2))));
        }
        return m.appendTail(out).toString();
    }

    private static Map<String, String> dotEnv() throws Exception {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(HOME.resolve(".env"))) {
            if (!line.isBlank() && !line.startsWith("#")) {
                env.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        return env;
    }
}
