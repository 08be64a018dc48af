package foodcdc.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema and the records name the same keys, so the loader, describe() and the writer see them all. */
class ConfigRecordsTest {
    private static final PipelineConfig SHIPPED = load();

    private static PipelineConfig load() {
        try {
            return ConfigLoader.load(Path.of("../configs/orders_stream.yml"), Map.of());
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void shouldHaveARecordComponentForEveryKeyAndAKeyForEveryComponent() {
        List<String> components = Arrays.stream(PipelineConfig.class.getRecordComponents())
                .flatMap(section -> Arrays.stream(section.getType().getRecordComponents())
                        .map(c -> section.getName() + "." + ConfigRecords.keyName(c.getName())))
                .toList();
        assertEquals(ConfigSchema.KEYS.stream().map(ConfigKey::path).collect(Collectors.toCollection(TreeSet::new)),
                new TreeSet<>(components));
    }

    @Test
    void shouldReadEachKeyFromItsComponent() {
        assertEquals(5, ConfigRecords.value(SHIPPED, "streaming.batch_interval"));
        assertEquals("ROLL001_orders", ConfigRecords.value(SHIPPED, "postgres.table"));
        assertEquals(100_000, ConfigRecords.value(SHIPPED, "streaming.max_offsets_per_trigger"));
    }

    @Test
    void shouldWriteAConfigThatLoadsBackEqual() throws ConfigException {
        PipelineConfig changed = SHIPPED
                .withPostgres(SHIPPED.postgres().withServer("127.0.0.1", 6543, "other_db").withLogin("u", "p\"w\\d"))
                .withKafka(SHIPPED.kafka().withTopic("t1"))
                .withStreaming(SHIPPED.streaming().withBatchInterval(1).withTrigger(500, 42));
        String yaml = ConfigWriter.yaml(changed);
        assertEquals(changed, ConfigLoader.parse(yaml, "written.yml", Map.of()));
        assertEquals("jdbc:postgresql://127.0.0.1:6543/other_db", changed.postgres().jdbcUrl());
    }

    @Test
    void shouldWriteAnyPasswordSoThatItLoadsBackTheSame() throws ConfigException {
        String password = "a\"b\\c\nd\te\u0001f: #g 'h' é";
        PipelineConfig changed = SHIPPED.withPostgres(SHIPPED.postgres().withLogin("u", password));
        assertEquals(password, ConfigLoader.parse(ConfigWriter.yaml(changed), "written.yml", Map.of())
                .postgres().password());
    }

    @Test
    void shouldWriteSecretsToOwnerOnlyFilesThatLoadBackEqual(@TempDir Path dir) throws Exception {
        String password = "pg-secret\nwith a line end";
        String jaas = "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"u\" password=\"k-secret\";";
        PipelineConfig changed = SHIPPED.withPostgres(SHIPPED.postgres().withLogin("u", password))
                .withKafka(SHIPPED.kafka().withProperties(Map.of("security.protocol", "SASL_SSL",
                        "sasl.jaas.config", jaas)));
        Path file = ConfigWriter.writeWithSecretFiles(changed, dir.resolve("c.yml"), dir.resolve("secrets"));
        String yaml = Files.readString(file);
        assertFalse(yaml.contains("pg-secret") || yaml.contains("k-secret"), yaml);
        assertEquals(changed, ConfigLoader.load(file, Map.of()));
        try (var kept = Files.list(dir.resolve("secrets"))) {
            for (Path secret : kept.toList()) {
                assertEquals(java.util.Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                        Files.getPosixFilePermissions(secret), secret.toString());
            }
        }
    }

    @Test
    void shouldKeepTheUrlParametersWhenTheServerChanges() {
        PipelineConfig.Postgres pg = SHIPPED.postgres().withServer("db.example", 5433, "orders")
                .withServer("127.0.0.1", 6543, "other_db");
        assertEquals("jdbc:postgresql://127.0.0.1:6543/other_db", pg.jdbcUrl());
        PipelineConfig.Postgres tls = new PipelineConfig.Postgres("jdbc:postgresql://db:5432/orders?sslmode=require",
                "db", 5432, "orders", "u", "p", "t").withServer("127.0.0.1", 6543, "orders");
        assertEquals("jdbc:postgresql://127.0.0.1:6543/orders?sslmode=require", tls.jdbcUrl());
    }

    @Test
    void shouldListEachSectionsKeysTogether() {
        List<String> sections = ConfigSchema.KEYS.stream().map(ConfigKey::section).distinct().toList();
        List<String> inOrder = ConfigSchema.KEYS.stream().map(ConfigKey::section).toList();
        for (String section : sections) {
            int first = inOrder.indexOf(section);
            int last = inOrder.lastIndexOf(section);
            assertEquals(last - first + 1, inOrder.subList(first, last + 1).stream().filter(section::equals).count(),
                    section + "'s keys are not listed together");
        }
    }
}
