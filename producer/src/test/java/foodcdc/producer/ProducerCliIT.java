package foodcdc.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import foodcdc.stack.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/producer_spark_submit.sh with a broken config: exit 2, every problem named, nothing written. */
class ProducerCliIT {
    @TempDir
    Path tmp;

    @Test
    void shouldExitWithCode2AndNameEveryBrokenKeyBeforeTouchingAnything() throws Exception {
        Path home = TestStack.home();
        String broken = Files.readString(home.resolve("configs/orders_stream.yml"), StandardCharsets.UTF_8)
                .replace("batch_interval: 5", "batch_interval: -1")
                .replace("  topic: \"ROLL001_food_orders_raw\"\n", "")
                .replace("var/datalake", tmp.resolve("lake").toString());
        Path config = tmp.resolve("broken.yml");
        Files.writeString(config, broken, StandardCharsets.UTF_8);

        Process p = new ProcessBuilder("bash", home.resolve("scripts/producer_spark_submit.sh").toString(),
                "--config", config.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));

        assertEquals(2, p.exitValue(), output);
        assertTrue(output.contains("config error: streaming.batch_interval: must be between 1 and 86400, got -1"), output);
        assertTrue(output.contains("config error: kafka.topic: missing"), output);
        assertFalse(output.contains("student123"), "the password must never be printed");
        assertFalse(Files.exists(tmp.resolve("lake")), "nothing may be written for a broken config");
    }
}
