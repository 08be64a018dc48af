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
        String badPorts = ok.replace("      - \"8080:8080\"", "      - {published: [8080]}");
        for (String broken : List.of(typo, badCondition, badPorts)) {
            assertFalse(broken.equals(ok), "the test's edit did not apply");
            assertFalse(schemaErrors(broken).isEmpty(), "a broken compose file passed:\n" + broken);
        }
    }

    @Test
    void shouldMountAndRunOnlyFilesOfTheRepository() throws Exception {
        List<String> missing = new ArrayList<>();
        for (var service : services().entrySet()) {
            Object volumes = service.getValue().get("volumes");
            if (volumes instanceof List<?> list) {
                for (Object v : list) {
                    String host = v.toString().split(":")[0];
                    // ./var/ is data, git-ignored, made by scripts/start.sh.
                    if (host.startsWith("./") && !host.startsWith("./var/") && !Files.exists(HOME.resolve(host))) {
                        missing.add(service.getKey() + " mounts " + host);
                    }
                }
            }
            Matcher script = Pattern.compile("scripts/[\\w.-]+\\.sh").matcher(String.valueOf(service.getValue().get("command")));
            while (script.find()) {
                if (!Files.isExecutable(HOME.resolve(script.group()))) {
                    missing.add(service.getKey() + " runs " + script.group());
                }
            }
        }
        assertEquals(List.of(), missing);
        assertTrue(Files.isExecutable(HOME.resolve("db/docker-init.sh")));
        assertTrue(Files.readString(HOME.resolve("scripts/start.sh")).contains("mkdir -p var/docker"),
                "start.sh must create ./var/docker as the user, before Docker creates it as root");
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
            assertTrue(services.get(job).containsKey("depends_on"), job + " starts in no order");
        }
        Map<String, Object> worker = services.get("spark-worker");
        assertFalse(worker.containsKey("container_name") || worker.containsKey("ports"),
                "a fixed name or host port would stop --scale spark-worker=3");
    }

    @Test
    @SuppressWarnings("unchecked")
    void shouldLetExecutorsWriteTheLakeWhereTheJobsReadIt() throws Exception {
        // Executors on the workers write the lake files the consumer's driver then renames: both
        // must see the same host folder at the same path.
        List<String> jobMounts = (List<String>) services().get("consumer").get("volumes");
        List<String> workerMounts = (List<String>) services().get("spark-worker").get("volumes");
        assertEquals(List.of("./:/app"), jobMounts);
        assertEquals("/app", services().get("consumer").get("working_dir"));
        assertTrue(workerMounts.contains("./var/docker:/app/var/docker"), workerMounts.toString());
        assertEquals("root", services().get("spark-worker").get("user"));
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
        PipelineConfig c = ConfigLoader.load(HOME.resolve("configs/orders_stream.yml"), overrides);
        assertTrue(c.datalake().path().startsWith("var/docker/"), "the local stack's var/datalake is not the Docker one's");
        assertEquals("postgres", c.postgres().host());
        assertEquals("kafka:9092", c.kafka().brokers());
        Map<String, Object> pg = (Map<String, Object>) services().get("postgres").get("environment");
        assertEquals(c.postgres().db(), pg.get("POSTGRES_DB"));
        assertEquals(c.postgres().user(), pg.get("POSTGRES_USER"));
        assertEquals(c.postgres().password(), pg.get("POSTGRES_PASSWORD"));
        assertEquals(c.postgres().table(), pg.get("ORDERS_POSTGRES_TABLE"));
        assertTrue(String.valueOf(services().get("kafka-init").get("command")).contains(c.kafka().topic()));
    }
}
