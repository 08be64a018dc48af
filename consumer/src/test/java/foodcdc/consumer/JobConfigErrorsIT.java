package foodcdc.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.stack.JobProcess;
import foodcdc.stack.Repository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both job scripts with a broken config, as a user would hit it: exit code 2, one line per
 * problem naming the key (or the file), no password, nothing started and nothing written. The
 * config points every path into a temporary folder, so "nothing written" is checked there.
 */
class JobConfigErrorsIT {
    @TempDir
    Path tmp;

    /** Case name, how to break the shipped config, and the lines the user must read. */
    static Stream<Arguments> cases() {
        List<String> scripts = List.of("producer_spark_submit.sh", "consumer_spark_submit.sh");
        List<Arguments> broken = List.of(
                Arguments.of("every key missing", "", Stream.of("postgres.jdbc_url", "postgres.host",
                        "postgres.port", "postgres.db", "postgres.user", "postgres.password", "postgres.table",
                        "kafka.brokers", "kafka.topic", "datalake.path", "datalake.format",
                        "streaming.checkpoint_location", "streaming.last_processed_timestamp_location",
                        "streaming.batch_interval").map(key -> key + ": missing").toList()),
                Arguments.of("wrong type", "port: 5432=port: abc",
                        List.of("postgres.port: expected an integer, got 'abc'")),
                Arguments.of("out of range", "batch_interval: 5=batch_interval: 0",
                        List.of("streaming.batch_interval: must be between 1 and 86400, got 0")),
                Arguments.of("unknown key", "format: \"parquet\"=format: \"parquet\"\n  compression: snappy",
                        List.of("unknown key datalake.compression")),
                Arguments.of("unreadable file", "(a folder)", List.of("cannot be read")));
        return scripts.stream().flatMap(s -> broken.stream().map(b -> Arguments.of(s, b.get()[0], b.get()[1], b.get()[2])));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void shouldExitWithCode2NamingTheProblemAndWriteNothing(String script, String name, String change,
                                                            List<String> expected) throws Exception {
        Path home = Repository.home();
        Path config = tmp.resolve("broken.yml");
        if (change.equals("(a folder)")) {
            Files.createDirectories(config);
        } else {
            String shipped = Files.readString(home.resolve("configs/orders_stream.yml"), StandardCharsets.UTF_8)
                    .replace("var/datalake", tmp.resolve("datalake").toString());
            String text = change.isEmpty() ? "" : shipped.replace(change.split("=")[0], change.split("=")[1]);
            assertTrue(change.isEmpty() || !text.equals(shipped), "the case changed nothing: " + change);
            Files.writeString(config, text, StandardCharsets.UTF_8);
        }

        JobProcess.Finished finished = JobProcess.run(script, config, Duration.ofSeconds(120));
        String output = finished.all();

        assertEquals(2, finished.exit(), output);
        for (String line : expected) {
            assertTrue(output.contains("config error: ") && output.contains(line), "'" + line + "' not in:\n" + output);
        }
        assertTrue(output.contains("nothing was started"), output);
        assertFalse(output.contains("student123"), "the password must never be printed");
        assertFalse(output.contains("\tat "), "a stack trace instead of a message:\n" + output);
        try (Stream<Path> written = Files.list(tmp)) {
            assertEquals(List.of(config), written.toList(), "nothing may be written for a broken config");
        }
    }
}
