package foodcdc.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** scripts/local_stack.sh refuses a broken config with exit code 2, naming the key, touching nothing. */
class LocalStackCliIT {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "missing-topic  | '  topic: \"ROLL001_food_orders_raw\"' | ''                   | kafka.topic: missing",
        "negative-batch | 'batch_interval: 5'                     | 'batch_interval: -1' | streaming.batch_interval: must be between 1 and 86400, got -1",
        "port-abc       | 'port: 5432'                            | 'port: abc'          | postgres.port: expected an integer, got 'abc'",
        // The password stays in the file, under the misspelt key: it must not be echoed either.
        "pasword-typo   | 'password: \"student123\"'              | 'pasword: \"student123\"' | unknown key postgres.pasword (did you mean postgres.password?)",
    })
    void shouldExitWithCode2NamingTheKeyBeforeTouchingAnything(String name, String from, String to,
                                                               String expected) throws Exception {
        Path home = Repository.home();
        String shipped = Files.readString(home.resolve("configs/orders_stream.yml"), StandardCharsets.UTF_8);
        assertTrue(shipped.contains(from), from);
        Path config = tmp.resolve("broken-" + name + ".yml");
        Files.writeString(config, shipped.replace(from, to), StandardCharsets.UTF_8);
        Path stackDir = home.resolve("var/stack/broken-" + name);

        JobProcess.Finished run = JobProcess.run("local_stack.sh", List.of("start", "--config", config.toString()),
                Map.of(), Duration.ofSeconds(120));
        String stderr = run.stderr();

        assertEquals(2, run.exit(), stderr);
        assertTrue(stderr.contains("config error: " + expected), stderr);
        assertFalse(stderr.contains("student123"), "the password must never be printed");
        assertFalse(Files.exists(stackDir), "nothing may be written for a broken config");
    }
}
